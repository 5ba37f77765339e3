import fs from "node:fs";
import http from "node:http";
import zlib from "node:zlib";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { HttpClient, startTestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "token-poker-life-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("the server on an embedded database", () => {
  it("keeps data across a restart, refuses a second process on the same folder, and stops promptly", async () => {
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir });
    const health = await (await fetch(`${first.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, database: "pglite" });
    const owner = await signUp(first.url, "Persistent Pat");
    await createTeam(owner, "Survivors", "survivors");

    await expect(startTestServer({ dataDir })).rejects.toThrow(/in use by another Token Poker process \(pid \d+\)/);

    const started = Date.now();
    expect(await first.stop("SIGTERM")).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);

    const second = await startTestServer({ dataDir });
    const again = new HttpClient(second.url);
    const login = await again.post("/login", { email: owner.email, password: "correct horse battery" });
    expect(login.status).toBe(302);
    expect((await again.request("/t/survivors")).status).toBe(200);
    await second.stop();
  });

  it("sends a page whole, with its length, and gzipped for a client that takes gzip", async () => {
    const server = await startTestServer({ dataDir: tempDir() });
    const owner = await signUp(server.url, "Whole Page");
    await createTeam(owner, "Whole", "whole");
    // node:http shows the wire as it is (fetch would undo the gzip and hide the framing).
    const get = (encoding: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const req = http.get(
          `${server.url}/t/whole`,
          { headers: { cookie: owner.cookie, "accept-encoding": encoding } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          },
        );
        req.on("error", reject);
      });
    const plain = await get("identity");
    // One body of known length: rendered whole, not streamed in chunks.
    expect(plain.headers["transfer-encoding"]).toBeUndefined();
    expect(Number(plain.headers["content-length"])).toBe(plain.body.length);
    expect(plain.body.toString()).toMatch(/^<!DOCTYPE html>.*<h1>Whole<\/h1>.*<\/html>/s);
    const gzipped = await get("gzip");
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(zlib.gunzipSync(gzipped.body).toString()).toMatch(/<h1>Whole<\/h1>.*<\/html>/s);
    await server.stop();
  });

  it("takes over the lock of a process that died", async () => {
    const dataDir = tempDir();
    fs.mkdirSync(dataDir, { recursive: true });
    // A pid that cannot be running (beyond the kernel's pid_max).
    fs.writeFileSync(path.join(dataDir, "pglite.lock"), "4194305");
    const server = await startTestServer({ dataDir });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await server.stop();
  });

  it("refuses to start on a damaged folder with a clear error instead of resetting it", async () => {
    const dataDir = tempDir();
    const server = await startTestServer({ dataDir });
    await signUp(server.url, "Before Damage");
    await server.stop();
    fs.rmSync(path.join(dataDir, "pglite", "PG_VERSION"));
    await expect(startTestServer({ dataDir })).rejects.toThrow(/could not be opened.*damaged/s);
    // Nothing was re-initialised behind the user's back.
    expect(fs.existsSync(path.join(dataDir, "pglite", "PG_VERSION"))).toBe(false);
  });

  it("seeds the demo team and prints its login when SEED_DEMO is on", async () => {
    const dataDir = tempDir();
    const server = await startTestServer({ dataDir, env: { SEED_DEMO: "1" } });
    const out = server.output();
    const password = /^password: (\S+)$/m.exec(out)?.[1];
    expect(out).toMatch(/^url: http:\/\/localhost:\d+$/m);
    expect(out).toMatch(/^login: demo@example\.com$/m);
    const client = new HttpClient(server.url);
    expect((await client.post("/login", { email: "demo@example.com", password: password! })).status).toBe(302);
    expect((await client.request("/t/demo")).status).toBe(200);
    expect((await new HttpClient(server.url).request("/t/demo")).status).toBe(302);
    await server.stop();
    // PGlite has no autovacuum: the server analyzed the seeded tables itself, so the planner does
    // not plan the demo's pages from estimates of one row.
    const pglite = new PGlite(path.join(dataDir, "pglite"));
    const { rows } = await pglite.query<{ tablename: string }>(
      "select distinct tablename from pg_stats where schemaname = 'public' order by tablename",
    );
    await pglite.close();
    expect(rows.map((r) => r.tablename)).toEqual(
      expect.arrayContaining(["spend_entries", "sprint_stories", "stories"]),
    );
  });
});
