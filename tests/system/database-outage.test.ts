import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgresDatabase } from "../../scripts/bench/lib";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";

/** A TCP proxy to the local PostgreSQL that the test can cut and restore (the shared server stays up). */
function cuttableProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)),
      ),
    cut: () => {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => {
      cut = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const databaseUrl = process.env.DATABASE_URL;

describe.skipIf(!databaseUrl)("losing the database connection", () => {
  let server: TestServer;
  let proxy: ReturnType<typeof cuttableProxy>;
  let pgdb: Awaited<ReturnType<typeof freshPostgresDatabase>>;

  beforeAll(async () => {
    pgdb = await freshPostgresDatabase(databaseUrl);
    const real = new URL(pgdb!.url);
    proxy = cuttableProxy({ host: real.hostname, port: Number(real.port || 5432) });
    const viaProxy = new URL(pgdb!.url);
    viaProxy.port = String(await proxy.listen());
    viaProxy.hostname = "127.0.0.1";
    server = await startTestServer({
      env: { DATABASE_URL: viaProxy.toString(), SESSION_SECRET: "outage-test-secret-0123456789" },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await pgdb?.drop();
  });

  it("answers 503 with a clear page while the database is gone and recovers by itself", async () => {
    const owner = await signUp(server.url, "Outage Olga");
    await createTeam(owner, "Outage", "outage");
    expect((await owner.request("/t/outage")).status).toBe(200);

    proxy.cut();
    const during = await Promise.all(Array.from({ length: 20 }, () => owner.request("/t/outage")));
    const statuses = during.map((r) => r.status);
    expect(
      statuses.every((s) => s === 503),
      statuses.join(","),
    ).toBe(true);
    const page = await (await owner.request("/t/outage/settings")).text();
    expect(page).toMatch(/can't reach its database/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);

    proxy.restore();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await owner.request("/t/outage")).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    // Nothing written before the cut was lost.
    expect(await (await owner.request("/t/outage")).text()).toContain("Outage");
  });
});
