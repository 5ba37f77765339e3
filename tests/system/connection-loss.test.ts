import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgresDatabase } from "../../scripts/lib/fresh-database";
import { createPokerSessionOverHttp, openEventStream } from "../helpers/poker-fixture";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";
import { cardsFor, copilotReport, deckOf, joinGuests, uploadSpend, waitFor, type Voter } from "../helpers/writers";

// PostgreSQL ends a connection under the app (pg_terminate_backend, a failover, an idle-session
// timeout). The process must not die of it — not from a pooled client in use, not from the
// LISTEN connection, not from an import's own session — and a room streamed from another instance
// must catch up on what it missed while its LISTEN connection was down. Two instances on one
// dedicated database; the rooms' heartbeat is set to an hour, so only LISTEN/NOTIFY and the
// resync after a reconnect can bring a change from one instance to the other.

const databaseUrl = process.env.DATABASE_URL || "";

describe.skipIf(!databaseUrl)("PostgreSQL connections dropped under a running app", () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let a: TestServer;
  let b: TestServer;
  /** The test's sessions: one in the app's database, one in the server's default one. */
  let admin: pg.Client;
  let outside: pg.Client;
  let name: string;

  /** Ends every session of the app's database but the test's own. */
  const terminateAll = async () =>
    (
      await admin.query(
        `select count(*) filter (where pg_terminate_backend(pid))::int as n from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid()`,
      )
    ).rows[0].n as number;
  const listeners = async () =>
    (
      await admin.query(
        `select count(*)::int as n from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() and query ilike 'LISTEN%'`,
      )
    ).rows[0].n as number;
  const alive = (s: TestServer) => s.process.exitCode === null && s.process.signalCode === null;

  beforeAll(async () => {
    database = await freshPostgresDatabase(databaseUrl, "drop");
    const url = database!.url;
    name = new URL(url).pathname.slice(1);
    const env = { DATABASE_URL: url, SESSION_SECRET: randomBytes(24).toString("hex"), LIVE_HEARTBEAT_MS: "3600000" };
    a = await startTestServer({ env });
    b = await startTestServer({ env });
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    outside = new pg.Client({ connectionString: databaseUrl });
    await outside.connect();
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await admin?.end();
    await outside?.end();
    await database?.drop();
  });

  /** A room on instance A with guest voters, and its owner's live stream on instance B. */
  async function roomAcrossInstances(slug: string, guests: string[]) {
    const owner = await signUp(a.url, `Owner ${slug}`);
    await createTeam(owner, `Team ${slug}`, slug);
    const { id } = await createPokerSessionOverHttp(owner, slug, { allowGuests: true });
    const roomUrl = `/t/${slug}/poker/${id}`;
    const voters = await joinGuests(a.url, owner, roomUrl, guests);
    const watch = await openEventStream(b.url, `${roomUrl}/events`, owner.cookie);
    const view = await watch.waitForSnapshot(() => true);
    return {
      owner,
      id: Number(id),
      roomUrl,
      voters,
      watch,
      roundId: view.room.current.round.id as number,
      deck: deckOf(view.room.scheme),
    };
  }

  const vote = (v: Voter, roomUrl: string, roundId: number, deck: ReturnType<typeof deckOf>) =>
    v.client.post(roomUrl, {
      intent: "vote",
      roundId: String(roundId),
      ...cardsFor(deck, v.index, v.sent++),
      ts: String(v.sent),
    });

  it("stays up and answers while its connections are terminated again and again under votes and imports", async () => {
    const room = await roomAcrossInstances("drops", ["Ann", "Ben", "Cat", "Dan"]);
    const statuses = { votes: new Map<string, number>(), imports: new Map<string, number>() };
    const note = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    let answered = 0;
    let stop = false;

    const voting = room.voters.map(async (v) => {
      while (!stop) {
        try {
          const res = await vote(v, room.roomUrl, room.roundId, room.deck);
          await res.arrayBuffer();
          note(statuses.votes, String(res.status));
          if (res.status === 200) answered++;
        } catch (error) {
          note(statuses.votes, `network: ${(error as Error).message}`);
          if (!alive(a)) return;
        }
      }
    });
    let imported = 0;
    const importing = (async () => {
      for (let i = 0; !stop; i++) {
        const server = i % 2 ? b : a;
        try {
          const res = await uploadSpend(
            server.url,
            room.owner.cookie,
            "drops",
            `usage-${i}.csv`,
            copilotReport(3000, `u${i}`),
          ).response;
          note(statuses.imports, String(res.status));
          if (res.status === 200) imported++;
          await res.arrayBuffer();
        } catch (error) {
          note(statuses.imports, `network: ${(error as Error).message}`);
          if (!alive(a) || !alive(b)) return;
        }
      }
    })();

    // Twelve rounds of "kill every connection", each once the app has answered a few more votes.
    let killed = 0;
    let duringImport = 0;
    for (let round = 0; round < 12 && alive(a) && alive(b); round++) {
      const before = answered;
      await waitFor("more answered votes", async () => answered >= before + 3 || !alive(a) || !alive(b), 60_000);
      const running = await admin.query("select 1 from spend_imports where status = 'running'");
      if (running.rows.length > 0) duringImport++;
      killed += await terminateAll();
    }
    stop = true;
    await Promise.all([...voting, importing]);
    const report = `votes ${JSON.stringify([...statuses.votes])}, imports ${JSON.stringify([...statuses.imports])}`;

    expect(alive(a), `instance A died:\n${a.output().slice(-3000)}`).toBe(true);
    expect(alive(b), `instance B died:\n${b.output().slice(-3000)}`).toBe(true);
    for (const s of [a, b]) expect(s.output()).not.toMatch(/Unhandled 'error' event/);
    expect(killed, report).toBeGreaterThan(12);
    expect(duringImport, `no kill fell during an import; ${report}`).toBeGreaterThan(0);

    // Both answer again, and the work goes on: a vote, a whole import, a room update across instances.
    for (const s of [a, b]) await waitFor("/healthz", async () => (await fetch(`${s.url}/healthz`)).status === 200);
    const last = room.voters[0]!;
    const res = await vote(last, room.roomUrl, room.roundId, room.deck);
    expect(res.status, await res.text()).toBe(200);
    const { rows } = await admin.query("select seq from poker_sessions where id = $1", [room.id]);
    const seq = Number(rows[0].seq);
    await room.watch.waitForSnapshot((view) => view.seq >= seq, 30_000);
    await room.watch.close();
    const upload = await uploadSpend(b.url, room.owner.cookie, "drops", "after.csv", copilotReport(500, "after"))
      .response;
    expect(upload.status).toBe(200);
    expect((await upload.json()).results[0].status).toBe("imported");
    const stuck = await admin.query("select id from spend_imports where status = 'running'");
    expect(stuck.rows, report).toEqual([]);
    expect(imported + answered, report).toBeGreaterThan(0);
  });

  it("brings a room on another instance up to date once its LISTEN connection is back", async () => {
    const room = await roomAcrossInstances("relisten", ["Eve", "Fay"]);
    const [eve] = room.voters;
    const eveVoted = (view: Record<string, unknown>) =>
      (view as { room: { participants: { name: string; voted: boolean }[] } }).room.participants.some(
        (p) => p.name === "Eve" && p.voted,
      );
    await waitFor("both instances to listen", async () => (await listeners()) >= 2);

    // Connections to the database are refused for a moment and both LISTEN sessions are ended:
    // the instances cannot listen again yet. A's pool still holds a connection, so Eve's vote is
    // answered, and its NOTIFY reaches no one.
    expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
    await outside.query(`alter database ${name} with allow_connections false`);
    try {
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() and query ilike 'LISTEN%'`,
      );
      await waitFor("the LISTEN sessions to end", async () => (await listeners()) === 0);
      const res = await vote(eve!, room.roomUrl, room.roundId, room.deck);
      expect(res.status, await res.text()).toBe(200);
      expect(room.watch.snapshots().some(eveVoted), "B learnt of the vote with no way to hear of it").toBe(false);
    } finally {
      await outside.query(`alter database ${name} with allow_connections true`);
    }

    // B listens again and resyncs its rooms: the vote it never heard of reaches its stream.
    await room.watch.waitForSnapshot(eveVoted, 30_000);
    await room.watch.close();
    expect(b.output()).toMatch(/\[pubsub\] listening connection lost/);
    expect(alive(a) && alive(b)).toBe(true);
  });
});
