// Closed live streams are released even after a garbage collection: the close comes from the
// socket, not from a request signal that Node's fetch links to Remix's copies only weakly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPokerSessionOverHttp, openEventStream } from "../helpers/poker-fixture";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ nodeArgs: ["--expose-gc"], entry: "tests/helpers/gc-probe-server.ts" });
});
afterAll(async () => {
  await server?.stop();
});

/** Collects garbage in the server and returns how many poker streams it still has registered. */
async function probeStreams(): Promise<number> {
  const before = server.output().length;
  server.process.stdin!.write("probe\n");
  for (;;) {
    const match = /probe streams=(\d+)/.exec(server.output().slice(before));
    if (match) return Number(match[1]);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function until(check: () => Promise<boolean>, what: string, tries = 200) {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("live poker streams", () => {
  it("are unregistered when their clients close, after a garbage collection, and the voter is away", async () => {
    const owner = await signUp(server.url, "Gc Owner");
    await createTeam(owner, "Gc team", "gcteam");
    const voter = await joinWithRole(owner, "gcteam", "member", "Gc Voter");
    const { id } = await createPokerSessionOverHttp(owner, "gcteam");
    const room = `/t/gcteam/poker/${id}`;
    expect((await voter.post(room, { intent: "join", role: "voter" })).status).toBeLessThan(400);

    const watcher = await openEventStream(server.url, `${room}/events`, owner.cookie);
    await watcher.waitForSnapshot(() => true);
    const N = 12;
    const streams = await Promise.all(
      Array.from({ length: N }, () => openEventStream(server.url, `${room}/events`, voter.cookie)),
    );
    await Promise.all(streams.map((s) => s.waitForSnapshot(() => true)));
    expect(await probeStreams()).toBe(N + 1);
    const voterId = (await streams[0]!.waitForSnapshot((v) => v.me?.participantId != null)).me.participantId as number;
    await watcher.waitForSnapshot((v) =>
      v.room.participants.some((p: { id: number; present: boolean }) => p.id === voterId && p.present),
    );

    // A collection between the loader's answer and the close is what lost the abort before.
    await probeStreams();
    await Promise.all(streams.map((s) => s.close()));

    await until(async () => (await probeStreams()) === 1, "the closed streams to be unregistered");
    await watcher.waitForSnapshot((v) =>
      v.room.participants.some((p: { id: number; present: boolean }) => p.id === voterId && !p.present),
    );
    await watcher.close();
    await until(async () => (await probeStreams()) === 0, "the watcher's stream to be unregistered");
  });
});
