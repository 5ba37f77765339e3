import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";
import { copilotReport, uploadSpend } from "../helpers/writers";

// Bodies before authentication (issue 12): four anonymous 400 MB POST /login bodies took the process
// from 0.5 to 2.75 GB. Every form body is capped (1 MB by default); only the upload and import
// routes stream more, and only for a signed-in user. Bounded here: 5 MB bodies, loopback only.

const MB = 1024 * 1024;
const BODY_BYTES = 5 * MB;

/** Peak resident memory of a process so far (Linux), in bytes. */
function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

/** A form body of `size` bytes, streamed in chunks with no Content-Length (chunked encoding). */
function streamedForm(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const prefix = new TextEncoder().encode("email=a%40b.test&password=");
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = sent === 0 ? prefix : new Uint8Array(Math.min(64 * 1024, size - sent)).fill(0x61);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

describe.skipIf(process.platform !== "linux")("request body limits", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(new URL(path, server.url), {
      method: "POST",
      body,
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      duplex: "half",
    } as RequestInit);

  it("answers 413 to large anonymous bodies, declared or streamed, without holding them in memory", async () => {
    // Warm up, so the baseline holds what serving /login costs anyway.
    for (let i = 0; i < 3; i++) {
      const res = await post("/login", "email=a%40b.test&password=wrong");
      await res.arrayBuffer();
    }
    const before = peakRss(server.process.pid!);
    const declared = Buffer.alloc(BODY_BYTES, "a");
    declared.write("email=a%40b.test&password=");
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () => post("/login", declared)),
      ...Array.from({ length: 8 }, () => post("/login", streamedForm(BODY_BYTES))),
      post("/signup", declared),
      post("/t/anyone/spend/upload", declared, { "Content-Type": "multipart/form-data; boundary=x" }),
    ]);
    const statuses = answers.map((r) => r.status);
    const texts = await Promise.all(answers.map((r) => r.text()));
    expect(statuses).toEqual(answers.map(() => 413));
    expect(texts[0]).toMatch(/larger than 1024 KB/);
    // 18 bodies of 5 MB: read whole, they alone would be 90 MB, and parsed a multiple of that.
    const grown = peakRss(server.process.pid!) - before;
    expect(grown, `peak RSS grew by ${Math.round(grown / MB)} MB`).toBeLessThan(40 * MB);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("still takes a signed-in member's large upload, and caps their ordinary forms", async () => {
    const owner = await signUp(server.url, "Body Bea");
    await createTeam(owner, "Bodies", "bodies");
    const file = copilotReport(20_000, "big");
    expect(file.length).toBeGreaterThan(2 * MB);
    const upload = await uploadSpend(server.url, owner.cookie, "bodies", "usage.csv", file).response;
    expect(upload.status).toBe(200);
    expect((await upload.json()).results[0]).toMatchObject({ status: "imported", imported: 20_000 });

    const form = await post("/t/bodies/settings?index", streamedForm(2 * MB), { Cookie: owner.cookie });
    expect(form.status).toBe(413);
    await form.arrayBuffer();
    // The connection the 413 went out on is fine, and so is the next form.
    const ok = await owner.post("/t/bodies/settings?index", {
      name: "Bodies",
      timeZone: "UTC",
      keyPattern: "[A-Z]+-\\d+",
    });
    expect(ok.status).toBeLessThan(400);
  });
});
