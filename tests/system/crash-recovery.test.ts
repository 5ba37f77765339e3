import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPokerSessionOverHttp, openEventStream } from "../helpers/poker-fixture";
import { startTestServer, type HttpClient, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";
import { freshPostgresDatabase } from "../../scripts/lib/fresh-database";
import {
  castVote,
  copilotReport,
  deckOf,
  joinGuests,
  uploadSpend,
  voteUntilDown,
  waitFor,
  type Cards,
  type Voter,
} from "../helpers/writers";

// kill -9 in the middle of things (issue #8). On PostgreSQL: every vote the server answered is
// there after a restart, no vote is half there, and a spend import is all there or not at all —
// never stuck "running". On the embedded database: the folder either opens with every answered
// write in it, or start-up refuses with a clear error; it is never silently emptied.

// ---------------------------------------------------------------------------------------------
// Voters

const same = (a: Cards | null | undefined, b: Cards | null | undefined) =>
  !!a && !!b && a.intensity === b.intensity && a.autonomy === b.autonomy && a.risk === b.risk;

/**
 * After a restart: the round is still open; each voter's own cards are its last answered vote or the
 * unanswered one after it (whole, never a mix), and everyone sees "voted" for each answered voter.
 */
async function expectVotesIntact(
  baseUrl: string,
  owner: HttpClient,
  roomUrl: string,
  roundId: number,
  voters: Voter[],
) {
  const watch = await openEventStream(baseUrl, `${roomUrl}/events`, owner.cookie);
  const view = await watch.waitForSnapshot(() => true);
  await watch.close();
  expect(view.room.current.round).toMatchObject({ id: roundId, status: "voting" });
  const byName = new Map<string, { voted: boolean }>(
    view.room.participants.map((p: { name: string; voted: boolean }) => [p.name, p]),
  );
  for (const v of voters) {
    const stream = await openEventStream(baseUrl, `${roomUrl}/events`, v.client.cookie);
    const own = await stream.waitForSnapshot(() => true);
    await stream.close();
    const mine = own.mine[String(roundId)] as (Cards & { split: boolean }) | undefined;
    const label = `${v.name}: answered ${JSON.stringify(v.acked)}, unanswered ${JSON.stringify(v.unanswered)}, stored ${JSON.stringify(mine)}`;
    if (v.acked) expect(mine, label).toBeDefined();
    if (mine) {
      expect(mine.split, label).toBe(false);
      expect(same(mine, v.acked) || same(mine, v.unanswered), label).toBe(true);
    }
    expect(byName.get(v.name)?.voted, label).toBe(mine !== undefined);
  }
}

/** Reveals the round and checks every revealed vote is one whole vote a voter sent. */
async function revealAndCheck(baseUrl: string, owner: HttpClient, roomUrl: string, roundId: number, voters: Voter[]) {
  const watch = await openEventStream(baseUrl, `${roomUrl}/events`, owner.cookie);
  await watch.waitForSnapshot(() => true);
  expect((await owner.post(roomUrl, { intent: "reveal" })).status).toBe(200);
  const view = await watch.waitForSnapshot((v) => v.room.current.round.status === "revealed");
  await watch.close();
  const round = (
    view.room.current.revealed as { id: number; votes: (Cards & { name: string; split: boolean })[] }[]
  ).find((r) => r.id === roundId);
  expect(round).toBeDefined();
  const answered = voters.filter((v) => v.acked).map((v) => v.name);
  expect(round!.votes.map((v) => v.name)).toEqual(expect.arrayContaining(answered));
  for (const vote of round!.votes) {
    const voter = voters.find((v) => v.name === vote.name)!;
    for (const d of ["intensity", "autonomy", "risk"] as const) expect(vote[d], `${vote.name}'s ${d}`).not.toBeNull();
    expect(same(vote, voter.acked) || same(vote, voter.unanswered), `${vote.name}: ${JSON.stringify(vote)}`).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------
// Kills and imports

/** Waits for the kill that one of the writers triggers, failing at once if a writer fails first. */
async function killDuringWrites(writers: Promise<void>[], killed: () => Promise<void> | null) {
  const failed = Promise.all(writers).then(() => {
    if (!killed()) throw new Error("the writers stopped before the kill");
  });
  await Promise.race([waitFor("the kill", async () => killed()), failed]);
  await killed();
  await Promise.all(writers);
}

/** The import log's page must not show an import as still running. */
async function expectNothingRunning(client: HttpClient, slug: string) {
  const page = await (await client.request(`/t/${slug}/spend/import`)).text();
  expect(/badge-info">running</.test(page), `an import of ${slug} is still shown as running`).toBe(false);
  return page;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const databaseUrl = process.env.DATABASE_URL || "";

describe.skipIf(!databaseUrl)("kill -9 on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let env: Record<string, string>;
  let server: TestServer;
  /** The test's look at the database, and a second session that holds a row lock. */
  let db: pg.Client;
  let locker: pg.Client;
  let lockerPid: number;

  const count = async (query: string, params: unknown[]) => Number((await db.query(query, params)).rows[0].count);
  const teamIdOf = async (slug: string) =>
    Number((await db.query("select id from teams where slug = $1", [slug])).rows[0].id);

  beforeAll(async () => {
    database = await freshPostgresDatabase(databaseUrl, "crash");
    const url = database!.url;
    env = { DATABASE_URL: url, SESSION_SECRET: randomBytes(24).toString("hex") };
    server = await startTestServer({ env });
    db = new pg.Client({ connectionString: url });
    await db.connect();
    locker = new pg.Client({ connectionString: url });
    await locker.connect();
    lockerPid = (await locker.query("select pg_backend_pid() as pid")).rows[0].pid;
  });
  afterAll(async () => {
    await server?.kill();
    await db?.end();
    await locker?.end();
    await database?.drop();
  });

  it("keeps every answered vote whole and the round open, and each import all there or not at all", async () => {
    const owner = await signUp(server.url, "Kate Killer");
    await createTeam(owner, "Crash Round", "crash-round");
    await createTeam(owner, "Crash Stage", "crash-stage");
    await createTeam(owner, "Crash Merge", "crash-merge");
    const [stageTeam, mergeTeam] = [await teamIdOf("crash-stage"), await teamIdOf("crash-merge")];

    const { id } = await createPokerSessionOverHttp(owner, "crash-round", { allowGuests: true });
    const roomUrl = `/t/crash-round/poker/${id}`;
    const voters = await joinGuests(
      server.url,
      owner,
      roomUrl,
      Array.from({ length: 12 }, (_, i) => `Voter ${i + 1}`),
    );
    const first = await openEventStream(server.url, `${roomUrl}/events`, owner.cookie);
    const view = await first.waitForSnapshot(() => true);
    await first.close();
    const roundId = view.room.current.round.id as number;
    const deck = deckOf(view.room.scheme);
    // Half the voters have voted and were answered before anything else happens.
    for (const v of voters.slice(0, 6)) expect(await castVote(v, roomUrl, roundId, deck)).toBe(true);

    // Import 1 is staging: half its file arrived and was staged, the rest never comes.
    const stageRows = 20_000;
    const stageFile = copilotReport(stageRows, "stage");
    const staging = uploadSpend(
      server.url,
      owner.cookie,
      "crash-stage",
      "usage.csv",
      stageFile,
      Math.floor(stageFile.length / 2),
    );
    const stageImport = await waitFor("import 1 to stage rows", async () => {
      const { rows } = await db.query(
        `select i.id, (select count(*)::int from spend_staging s where s.import_id = i.id) as staged
         from spend_imports i where i.team_id = $1 and i.status = 'running'`,
        [stageTeam],
      );
      return rows[0]?.staged >= 4000 ? Number(rows[0].id) : null;
    });

    // Import 2 is inside its merge transaction: a second session holds the import's log row, so the
    // merge, having moved every row into spend_entries, waits there to complete the log.
    const mergeRows = 10_000;
    const mergeFile = copilotReport(mergeRows, "merge");
    const merging = uploadSpend(server.url, owner.cookie, "crash-merge", "merge.csv", mergeFile, 1000);
    const mergeImport = await waitFor("import 2 to start", async () => {
      const { rows } = await db.query("select id from spend_imports where team_id = $1 and status = 'running'", [
        mergeTeam,
      ]);
      return rows[0] ? Number(rows[0].id) : null;
    });
    await locker.query("begin");
    await locker.query("select id from spend_imports where id = $1 for no key update", [mergeImport]);
    merging.release();
    await waitFor("import 2's merge to wait on its row", async () => {
      const { rows } = await db.query(
        `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'update "spend_imports"%'`,
      );
      return rows.length > 0;
    });

    // Everyone votes (again) in a loop; the server dies under them once a dozen more were answered.
    let answered = 0;
    let killed: Promise<void> | null = null;
    const loops = voters.map((v) =>
      voteUntilDown(v, roomUrl, roundId, deck, () => {
        if (++answered === 12) killed = server.kill();
      }),
    );
    await killDuringWrites(loops, () => killed);
    expect(
      voters.some((v) => v.unanswered),
      "some votes were in flight when the server died",
    ).toBe(true);
    staging.release();
    await expect(staging.response).rejects.toThrow();
    await expect(merging.response).rejects.toThrow();

    // Once the row is let go, the dead server's session finishes its statement, has no client to
    // commit for, and PostgreSQL rolls the merge back. A new server starts once those sessions ended.
    await locker.query("rollback");
    await waitFor("the dead server's sessions to end", async () => {
      const { rows } = await db.query(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid() and pid <> $1",
        [lockerPid],
      );
      return rows[0].n === 0;
    });
    server = await startTestServer({ env: { ...env, PORT: new URL(owner.baseUrl).port } });

    await expectVotesIntact(server.url, owner, roomUrl, roundId, voters);
    await revealAndCheck(server.url, owner, roomUrl, roundId, voters);

    // Neither import left an entry; both are marked failed (not "running"), with nothing staged.
    for (const [slug, teamId, importId] of [
      ["crash-stage", stageTeam, stageImport],
      ["crash-merge", mergeTeam, mergeImport],
    ] as const) {
      expect(await count("select count(*) from spend_entries where team_id = $1", [teamId]), slug).toBe(0);
      expect(await count("select count(*) from spend_staging where import_id = $1", [importId]), slug).toBe(0);
      expect((await db.query("select status from spend_imports where id = $1", [importId])).rows[0].status, slug).toBe(
        "failed",
      );
      await expectNothingRunning(owner, slug);
    }
    // And the same files imported again arrive whole.
    for (const [slug, teamId, file, rows] of [
      ["crash-stage", stageTeam, stageFile, stageRows],
      ["crash-merge", mergeTeam, mergeFile, mergeRows],
    ] as const) {
      const res = await uploadSpend(server.url, owner.cookie, slug, `${slug}.csv`, file).response;
      expect(res.status, slug).toBe(200);
      expect((await res.json()).results[0], slug).toMatchObject({
        status: "imported",
        rows,
        imported: rows,
        duplicates: 0,
      });
      expect(await count("select count(*) from spend_entries where team_id = $1", [teamId]), slug).toBe(rows);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The embedded database

describe("kill -9 on the embedded database", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /**
   * Restarts on the folder after a kill -9. Either it opens, or it refuses with the damaged-folder
   * message and leaves the folder as it was (no re-initialisation) — anything else fails the test.
   */
  async function restartOrClearError(dataDir: string, port: string): Promise<TestServer | null> {
    try {
      return await startTestServer({ dataDir, env: { PORT: port } });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      expect(message).toMatch(/could not be opened.*damaged/s);
      expect(fs.existsSync(path.join(dataDir, "pglite", "PG_VERSION"))).toBe(true);
      return null;
    }
  }

  it("opens with every answered write after kills at different moments, or says clearly that it cannot", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "token-poker-crash-"));
    dirs.push(dataDir);
    let server: TestServer | null = await startTestServer({ dataDir });
    const port = new URL(server.url).port;
    const owner = await signUp(server.url, "Emma Embedded");
    await createTeam(owner, "Crash Folder", "crash-folder");
    const { id } = await createPokerSessionOverHttp(owner, "crash-folder", { allowGuests: true });
    const roomUrl = `/t/crash-folder/poker/${id}`;
    const voters = await joinGuests(server.url, owner, roomUrl, ["Ada", "Bo", "Cy", "Di"]);
    const first = await openEventStream(server.url, `${roomUrl}/events`, owner.cookie);
    const view = await first.waitForSnapshot(() => true);
    await first.close();
    const roundId = view.room.current.round.id as number;
    const deck = deckOf(view.room.scheme);

    // Stories created through the form; a 302 to the new story means it was saved.
    const stories: string[] = [];
    async function createUntilDown(writer: number, cycle: number, onAnswer: () => void) {
      for (let n = 0; ; n++) {
        const title = `Crash story c${cycle}w${writer}n${n}z`;
        let res: Response;
        try {
          res = await owner.post("/t/crash-folder/backlog/new", { intent: "create", title });
        } catch {
          return;
        }
        expect(res.status).toBe(302);
        stories.push(title);
        onAnswer();
      }
    }

    // Kills at different moments: very early in a burst of writes, then each later in the burst;
    // the last one with a spend upload part-way through as well. Each costs a server start (seconds
    // of CPU, mostly PGlite's), so two by default; CRASH_KILLS=5 runs more.
    const kills = Math.max(2, Number(process.env.CRASH_KILLS) || 2);
    const rows = 4000;
    const file = copilotReport(rows, "embedded");
    for (let cycle = 0; cycle < kills; cycle++) {
      const killAfter = 3 + cycle * 25;
      const upload =
        cycle === kills - 1
          ? uploadSpend(server!.url, owner.cookie, "crash-folder", "embedded.csv", file, Math.floor(file.length * 0.7))
          : null;
      if (upload)
        await waitFor("the upload to start", async () =>
          /badge-info">running</.test(await (await owner.request("/t/crash-folder/spend/import")).text()),
        );

      let answered = 0;
      let killed: Promise<void> | null = null;
      const live = server!;
      const onAnswer = () => {
        if (++answered === killAfter) killed = live.kill();
      };
      const writers = [
        ...voters.map((v) => voteUntilDown(v, roomUrl, roundId, deck, onAnswer)),
        createUntilDown(0, cycle, onAnswer),
        createUntilDown(1, cycle, onAnswer),
      ];
      await killDuringWrites(writers, () => killed);
      if (upload) {
        upload.release();
        await expect(upload.response).rejects.toThrow();
      }

      server = await restartOrClearError(dataDir, port);
      if (!server) {
        // A clear refusal is an allowed outcome (the folder was left untouched); say it happened.
        console.warn(`the embedded database refused to open after kill ${cycle + 1}`);
        return;
      }

      // Everything answered, from every cycle so far, is there: the stories and the votes.
      const backlog = await (await owner.request("/t/crash-folder/backlog?view=table")).text();
      const missing = stories.filter((title) => !backlog.includes(title));
      expect(missing, `stories answered before a kill but missing after it (of ${stories.length})`).toEqual([]);
      await expectVotesIntact(server.url, owner, roomUrl, roundId, voters);
    }
    await revealAndCheck(server!.url, owner, roomUrl, roundId, voters);

    // The killed upload left nothing half-imported and nothing "running", and a retry takes it all.
    await expectNothingRunning(owner, "crash-folder");
    const retry = await uploadSpend(server!.url, owner.cookie, "crash-folder", "embedded.csv", file).response;
    expect(retry.status).toBe(200);
    expect((await retry.json()).results[0]).toMatchObject({ status: "imported", rows, imported: rows, duplicates: 0 });
    await server!.stop();
  });
});
