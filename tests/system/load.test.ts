import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPokerSessionOverHttp, openEventStream } from "../helpers/poker-fixture";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";
import { freshPostgresDatabase } from "../../scripts/lib/fresh-database";
import { runMixedWorkload, setUpWorkloadTeam } from "../../scripts/lib/mixed-workload";

// Load in the suite, bounded in time and count: a room of 50 voters casting at once, and a short
// mixed workload of 200 simulated users (the 60 s version is `npm run bench`). Loopback only.

const VOTERS = 50;
const INTENSITY = ["light", "standard", "frontier", "frontier-max"];
const AUTONOMY = ["assist", "pair", "delegate", "autonomous"];
const RISK = ["low", "medium", "high", "?"];
const cardsOf = (i: number) => ({
  intensity: INTENSITY[i % 4]!,
  autonomy: AUTONOMY[(i >> 2) % 4]!,
  risk: RISK[(i >> 4) % 4]!,
});

describe("a room of 50 voters", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it("stores and delivers every one of 50 votes cast at the same instant, exactly once", async () => {
    const owner = await signUp(server.url, "Fiona Fifty");
    await createTeam(owner, "Fifty", "fifty");
    const { id } = await createPokerSessionOverHttp(owner, "fifty", { allowGuests: true });
    const url = `/t/fifty/poker/${id}`;
    const guestKey = /\/poker\/join\/([A-Za-z0-9_-]+)/.exec(await (await owner.request(url)).text())?.[1];
    expect(guestKey).toBeTruthy();

    const voters: HttpClient[] = [];
    for (let i = 0; i < VOTERS; i++) {
      const guest = new HttpClient(server.url);
      expect((await guest.post(`/poker/join/${guestKey}`, { name: `Voter ${i}` })).status).toBe(302);
      voters.push(guest);
    }
    // Every voter and the facilitator watch the room.
    const streams = [owner, ...voters].map((c) => openEventStream(server.url, `${url}/events`, c.cookie));
    const opened = await Promise.all(streams);
    const first = await opened[0]!.waitForSnapshot(
      (v) => v.room.participants.filter((p: { guest: boolean }) => p.guest).length === VOTERS,
    );
    const roundId = String(first.room.current.round.id);
    const idOf = new Map<string, number>(
      first.room.participants.map((p: { name: string; id: number }) => [p.name, p.id]),
    );

    // All 50 requests are built first, then sent together.
    const requests = voters.map(
      (v, i) => () => v.post(url, { intent: "vote", roundId, ...cardsOf(i), ts: String(Date.now()) }),
    );
    const answers = await Promise.all(requests.map((send) => send()));
    expect(answers.map((r) => r.status)).toEqual(Array(VOTERS).fill(200));

    // Every stream sees all 50 as voted, and each voter gets their own cards back, nobody else's.
    const allVoted = (v: Record<string, any>) => v.room.current.round.voted.length === VOTERS;
    await Promise.all(opened.map((s) => s.waitForSnapshot(allVoted, 20_000)));
    for (const [i, stream] of opened.slice(1).entries()) {
      const view = await stream.waitForSnapshot(allVoted);
      expect(view.mine[roundId]).toMatchObject({ ...cardsOf(i), split: false });
      expect(Object.keys(view.mine)).toEqual([roundId]);
    }

    expect((await owner.post(url, { intent: "reveal" })).status).toBe(200);
    const revealed = (v: Record<string, any>) => v.room.current.round.status === "revealed";
    for (const stream of opened) {
      const view = await stream.waitForSnapshot(revealed, 20_000);
      const votes = view.room.current.revealed.at(-1).votes as {
        participantId: number;
        name: string;
        intensity: string;
        autonomy: string;
        risk: string;
      }[];
      // Stored once: one ballot per voter, with the cards that voter sent.
      expect(votes).toHaveLength(VOTERS);
      expect(new Set(votes.map((v) => v.participantId)).size).toBe(VOTERS);
      for (const vote of votes) {
        const i = Number(vote.name.replace("Voter ", ""));
        expect(vote.participantId).toBe(idOf.get(vote.name));
        expect({ intensity: vote.intensity, autonomy: vote.autonomy, risk: vote.risk }).toEqual(cardsOf(i));
      }
      // Delivered in order: a stream's change counter never goes back, and the set of voters who
      // have voted only grows until the reveal (no vote seen, lost and seen again).
      const snapshots = stream.snapshots();
      const seqs = snapshots.map((s) => s.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      let seen = 0;
      for (const s of snapshots.filter((s) => s.room.current.round.status === "voting")) {
        expect(s.room.current.round.voted.length).toBeGreaterThanOrEqual(seen);
        seen = s.room.current.round.voted.length;
      }
    }
    // A reload after the reveal shows the same 50 ballots: they came from the database.
    const reloaded = await openEventStream(server.url, `${url}/events`, owner.cookie);
    const fresh = await reloaded.waitForSnapshot(revealed);
    expect(fresh.room.current.revealed.at(-1).votes).toHaveLength(VOTERS);
    await reloaded.close();
    for (const s of opened) await s.close();
  });
});

const engines = [
  { name: "embedded database", postgres: false },
  ...(process.env.DATABASE_URL ? [{ name: "PostgreSQL", postgres: true }] : []),
];

describe.each(engines)("200 simulated users on the $name", ({ postgres }) => {
  let server: TestServer;
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>> = null;
  beforeAll(async () => {
    if (postgres) database = await freshPostgresDatabase(process.env.DATABASE_URL, "e2e");
    server = await startTestServer({
      env: database ? { DATABASE_URL: database.url, SESSION_SECRET: "load-test-secret-load-test-secret" } : {},
    });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("serves a mixed workload for 8 seconds without a server error", async () => {
    const team = await setUpWorkloadTeam(server.url);
    const report = await runMixedWorkload(server.url, team, { users: 200, durationMs: 8_000 });
    console.log(`[mixed workload] ${JSON.stringify({ summary: report.summary, byKind: report.byKind })}`);
    // Everyone did something, every kind of work ran, and nothing failed on the server's side.
    expect(report.summary.requests).toBeGreaterThan(200);
    for (const kind of ["page", "vote", "facilitate", "story", "spend-api", "stream"] as const) {
      expect(report.byKind[kind]?.count ?? 0, kind).toBeGreaterThan(0);
    }
    expect(report.serverErrors, report.serverErrors.join("\n")).toEqual([]);
    expect(report.failures, report.failures.join("\n")).toEqual([]);
    // Live rooms kept up: every stream got a snapshot after the last vote in its room.
    expect(report.staleStreams).toBe(0);
  });
});
