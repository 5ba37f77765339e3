// The spend rollups (migration 0027) follow every change that moves spend between stories, in the
// same transaction (issue 15 item 1, decision 0023). After each kind of change the team's rollup
// rows must equal a from-scratch aggregation of its entries by the one attribution rule — and each
// case first checks that the change does change that aggregation, so a path that forgot to refresh
// fails here.
import { sql, type Kysely } from "kysely";
import { Migrator } from "kysely";
import { expect, it } from "vitest";
import {
  attributedBy,
  attributedEntries,
  attributedStoryId,
  refreshRollups,
  waitingKey,
} from "~/models/attributed-spend.server";
import { createApiToken } from "~/models/api-token.server";
import { claimSessionForStory } from "~/models/budget.server";
import { ingestOtlp } from "~/models/otlp.server";
import { addRate } from "~/models/rate.server";
import {
  addManualEntry,
  assignEntries,
  deleteManualEntry,
  importSpendFile,
  importSpendJson,
  removeSessionStory,
  repriceUnpricedEntries,
  setSessionStory,
  undoImport,
} from "~/models/spend.server";
import { createStories, createStory, updateStory } from "~/models/story.server";
import { exportTeam, importTeam } from "~/models/team-export.server";
import { importTrackerItems } from "~/models/tracker-import.server";
import { openDatabase, type DB } from "~/utils/db.server";
import { migrations } from "../../db/migrations";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";

type Row = { day: string; storyId: number | null; source: string | null; waitingKey: string | null } & Sums;
type Sums = { credits: number | null; entries: number; unpriced: number };

const norm = (rows: Row[]) =>
  rows
    .map((r) => ({
      day: r.day,
      storyId: r.storyId === null ? null : Number(r.storyId),
      source: r.source,
      waitingKey: r.waitingKey,
      credits: r.credits === null ? null : Math.round(Number(r.credits) * 1e6) / 1e6,
      entries: Number(r.entries),
      unpriced: Number(r.unpriced),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** What the rollups should hold: the team's entries aggregated now, by the attribution rule. */
async function fromScratch(db: DB, teamId: number) {
  const rows = await attributedEntries(db, teamId)
    .select([
      "e.day",
      attributedStoryId.as("storyId"),
      attributedBy.as("source"),
      sql<string | null>`case when ${waitingKey} then e.story_key end`.as("waitingKey"),
      sql<number | null>`sum(e.credits)`.as("credits"),
      sql<number>`count(*)`.as("entries"),
      sql<number>`count(*) filter (where e.credits is null)`.as("unpriced"),
    ])
    .groupBy(sql`1, 2, 3, 4`)
    .execute();
  return norm(rows as Row[]);
}

async function rollups(db: DB, teamId: number) {
  const rows = await db
    .selectFrom("spendRollups")
    .select(["day", "storyId", "source", "waitingKey", "credits", "entries", "unpriced"])
    .where("teamId", "=", teamId)
    .execute();
  return norm(rows as Row[]);
}

type Day = { day: string } & Sums;
const normDays = (rows: Day[]) =>
  rows
    .map((r) => ({
      day: r.day,
      credits: r.credits === null ? null : Math.round(Number(r.credits) * 1e6) / 1e6,
      entries: Number(r.entries),
      unpriced: Number(r.unpriced),
    }))
    .sort((a, b) => a.day.localeCompare(b.day));

/** The team's spend per day, whatever its story, from the entries. */
async function daysFromScratch(db: DB, teamId: number) {
  const rows = await db
    .selectFrom("spendEntries")
    .select([
      "day",
      sql<number | null>`sum(credits)`.as("credits"),
      sql<number>`count(*)`.as("entries"),
      sql<number>`count(*) filter (where credits is null)`.as("unpriced"),
    ])
    .where("teamId", "=", teamId)
    .groupBy("day")
    .execute();
  return normDays(rows as Day[]);
}

async function dayTotals(db: DB, teamId: number) {
  const rows = await db
    .selectFrom("spendDayTotals")
    .select(["day", "credits", "entries", "unpriced"])
    .where("teamId", "=", teamId)
    .execute();
  return normDays(rows as Day[]);
}

const story = (key: string | null, title = key ?? "untitled") => ({
  key,
  title,
  link: null,
  labels: [],
  description: "",
});

describeDb("spend rollups", (t) => {
  /** A team with spend by key, session, hand and none, over two days; rollups checked fresh. */
  async function setup() {
    const { team, owner } = await makeTeam(t.db, "Rollups");
    const stories = await createStories(t.db, { teamId: team.id, stories: [story("PAY-1"), story("PAY-2")] });
    const id = (key: string) => stories.find((s) => s.key === key)!.id;
    const imported = await importSpendJson(
      t.db,
      [
        { id: "a1", occurred_at: "2026-03-04T10:00:00Z", credits: 10, tags: ["story:PAY-1"] },
        { id: "a2", occurred_at: "2026-03-04T11:00:00Z", credits: 20, session_id: "s-1" },
        { id: "a3", occurred_at: "2026-03-05T10:00:00Z", credits: 40, tags: ["story:NEW-9"] },
        { id: "a4", occurred_at: "2026-03-05T11:00:00Z", credits: 80 },
        { id: "a5", occurred_at: "2026-03-06T11:00:00Z", credits: 160, session_id: "s-2" },
      ],
      { teamId: team.id, fileName: "hook", via: "api" },
    );
    await expectFresh(team.id);
    return { team, owner, id, importId: imported.importId };
  }

  async function expectFresh(teamId: number) {
    expect(await rollups(t.db, teamId)).toEqual(await fromScratch(t.db, teamId));
    expect(await dayTotals(t.db, teamId)).toEqual(await daysFromScratch(t.db, teamId));
  }

  /** Holds a story's row (PostgreSQL) until `release()`: changes of the story start and queue behind it. */
  async function holdStoryRow(storyId: number) {
    let release!: () => void;
    const open = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const heldNow = new Promise<void>((resolve) => (held = resolve));
    const holder = t.db.transaction().execute(async (trx) => {
      await trx.selectFrom("stories").select("id").where("id", "=", storyId).forUpdate().execute();
      held();
      await open;
    });
    await heldNow;
    return { release, holder };
  }

  /** Waits until `n` sessions wait for a lock in a statement on stories (or a while: the figures then say what went wrong). */
  async function storyLockWaiters(n: number) {
    for (let i = 0; i < 250; i++) {
      const waiting = await sql<{ n: number }>`
        select count(distinct l.pid)::int as n from pg_locks l join pg_stat_activity s on s.pid = l.pid
        where not l.granted and s.query like '%"stories"%'`.execute(t.db);
      if (waiting.rows[0]!.n >= n) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Runs a change that must move spend, and checks the rollups moved with it. */
  async function afterChange(teamId: number, change: () => Promise<unknown>) {
    const before = await fromScratch(t.db, teamId);
    await change();
    const after = await fromScratch(t.db, teamId);
    expect(after).not.toEqual(before); // the case really moves spend
    expect(await rollups(t.db, teamId)).toEqual(after);
    expect(await dayTotals(t.db, teamId)).toEqual(await daysFromScratch(t.db, teamId));
  }

  const entryIdOf = async (teamId: number, dedupe: string) =>
    (
      await t.db
        .selectFrom("spendEntries")
        .select("id")
        .where("teamId", "=", teamId)
        .where("dedupeKey", "like", `%${dedupe}%`)
        .executeTakeFirstOrThrow()
    ).id;

  it("follow an import (API post) and its undo", async () => {
    const { team } = await setup();
    let second = 0;
    await afterChange(team.id, async () => {
      const result = await importSpendJson(
        t.db,
        [
          { id: "b1", occurred_at: "2026-03-04T12:00:00Z", credits: 1, tags: ["story:PAY-2"] },
          { id: "b2", occurred_at: "2026-03-09T12:00:00Z", credits: 2 },
        ],
        { teamId: team.id, fileName: "more", via: "api" },
      );
      second = result.importId!;
    });
    await afterChange(team.id, () => undoImport(t.db, { teamId: team.id, importId: second, userId: null }));
  });

  it("follow a running total a re-import updates (an update, not an insert)", async () => {
    const { team } = await makeTeam(t.db, "Totals");
    const csv = (date: string, credits: number) =>
      ["date,model,credits,user,story", `${date},gpt-5,${credits},ana,PAY-1`].join("\n");
    await importSpendFile(t.db, csv("2026-03-04", 5), { teamId: team.id, fileName: "a.csv", via: "upload" });
    await expectFresh(team.id);
    await afterChange(team.id, () =>
      importSpendFile(t.db, csv("2026-03-04", 7), { teamId: team.id, fileName: "b.csv", via: "upload" }),
    );
  });

  it("follow assignments by hand, with and without the entries' sessions", async () => {
    const { team, owner, id } = await setup();
    const a4 = await entryIdOf(team.id, "a4");
    await afterChange(team.id, () =>
      assignEntries(t.db, {
        teamId: team.id,
        entryIds: [a4],
        storyId: id("PAY-2"),
        mapSessions: false,
        userId: owner.id,
      }),
    );
    const a5 = await entryIdOf(team.id, "a5");
    await afterChange(team.id, () =>
      assignEntries(t.db, {
        teamId: team.id,
        entryIds: [a5],
        storyId: id("PAY-1"),
        mapSessions: true,
        userId: owner.id,
      }),
    );
    // The session is mapped: its later entries follow on their own.
    await afterChange(team.id, () =>
      importSpendJson(t.db, [{ id: "a6", occurred_at: "2026-03-07T10:00:00Z", credits: 3, session_id: "s-2" }], {
        teamId: team.id,
        fileName: "later",
        via: "api",
      }),
    );
  });

  it("follow entries typed in and removed", async () => {
    const { team, owner, id } = await setup();
    let entryId = 0;
    await afterChange(team.id, async () => {
      entryId = (
        await addManualEntry(t.db, {
          teamId: team.id,
          storyId: id("PAY-2"),
          userId: owner.id,
          day: "2026-03-08",
          credits: 9,
        })
      ).id;
    });
    await afterChange(team.id, () => deleteManualEntry(t.db, { teamId: team.id, entryId }));
  });

  it("follow session mappings made, moved and removed (also by an agent hook)", async () => {
    const { team, owner, id } = await setup();
    await afterChange(team.id, () =>
      setSessionStory(t.db, { teamId: team.id, sessionId: "s-1", storyId: id("PAY-1"), userId: owner.id }),
    );
    await afterChange(team.id, () =>
      setSessionStory(t.db, { teamId: team.id, sessionId: "s-1", storyId: id("PAY-2"), userId: owner.id }),
    );
    await afterChange(team.id, () => removeSessionStory(t.db, { teamId: team.id, sessionId: "s-1" }));
    await afterChange(team.id, () =>
      claimSessionForStory(t.db, { teamId: team.id, sessionId: "s-2", storyId: id("PAY-2") }),
    );
  });

  it("follow stories created with a waiting key, re-keyed, and created or re-keyed by a tracker import", async () => {
    const { team } = await setup();
    let created = 0;
    await afterChange(team.id, async () => {
      created = (await createStory(t.db, { teamId: team.id, ...story("NEW-9") })).id;
    });
    await afterChange(team.id, () => updateStory(t.db, { teamId: team.id, storyId: created, ...story("NEW-10") }));
    await afterChange(team.id, () =>
      importTrackerItems(t.db, {
        teamId: team.id,
        items: [{ line: 1, key: "NEW-9", title: "From Jira", link: null, labels: [], description: "", closed: false }],
      }),
    );
    // A story matched by its link gets the tracker's key, and the entries waiting on it.
    await importSpendJson(
      t.db,
      [{ id: "w1", occurred_at: "2026-03-08T10:00:00Z", credits: 5, tags: ["story:NEW-11"] }],
      {
        teamId: team.id,
        fileName: "waiting",
        via: "api",
      },
    );
    await expectFresh(team.id);
    await createStory(t.db, { teamId: team.id, ...story(null, "Linked"), link: "https://x/1" });
    await afterChange(team.id, () =>
      importTrackerItems(t.db, {
        teamId: team.id,
        items: [
          { line: 1, key: "NEW-11", title: "Linked", link: "https://x/1", labels: [], description: "", closed: false },
        ],
      }),
    );
  });

  it("follow repricing when a model joins the rate card", async () => {
    const { team } = await makeTeam(t.db, "Reprice");
    const text = ["date,model,input_tokens,output_tokens,story", "2026-11-24,acme-coder-1,1000000,100000,PAY-1"].join(
      "\n",
    );
    await importSpendFile(t.db, text, { teamId: team.id, fileName: "u.csv", via: "upload" });
    await expectFresh(team.id);
    await addRate(t.db, {
      teamId: team.id,
      modelId: "acme-coder-1",
      aliases: [],
      inputUsdPerMtok: 2,
      cacheReadUsdPerMtok: null,
      cacheWriteUsdPerMtok: null,
      outputUsdPerMtok: 10,
      effectiveFrom: null,
    });
    await afterChange(team.id, () => repriceUnpricedEntries(t.db, team.id));
  });

  it("follow OpenTelemetry ingest, and metric entries a session's events replace", async () => {
    const { team } = await makeTeam(t.db, "Otlp");
    const { id: tokenId } = await createApiToken(t.db, { teamId: team.id, name: "CI", createdBy: null });
    const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const nanos = (iso: string) => String(BigInt(Date.parse(iso)) * 1_000_000n);
    const metric = {
      resourceMetrics: [
        {
          resource: { attributes: [] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: "claude_code.cost.usage",
                  sum: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        attributes: [str("session.id", "o-1"), str("model", "claude-sonnet-4-6")],
                        startTimeUnixNano: nanos("2026-11-23T10:00:00Z"),
                        timeUnixNano: nanos("2026-11-23T10:01:00Z"),
                        asDouble: 0.5,
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const event = {
      resourceLogs: [
        {
          resource: { attributes: [] },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: nanos("2026-11-24T10:02:00Z"),
                  body: { stringValue: "claude_code.api_request" },
                  attributes: [str("session.id", "o-1"), str("event.sequence", "1"), str("cost_usd", "0.2")],
                },
              ],
            },
          ],
        },
      ],
    };
    const ingest = (signal: "logs" | "metrics", request: unknown) =>
      ingestOtlp(t.db, { teamId: team.id, tokenId, defaultUser: null, signal, request });
    await afterChange(team.id, () => ingest("metrics", metric));
    // The events replace the metric entry, which was on another day.
    await afterChange(team.id, () => ingest("logs", event));
    const days = await rollups(t.db, team.id);
    expect(days.map((d) => d.day)).toEqual(["2026-11-24"]);
  });

  it("are written for every day by a team import", async () => {
    const { team, owner, id } = await setup();
    await setSessionStory(t.db, { teamId: team.id, sessionId: "s-1", storyId: id("PAY-2"), userId: owner.id });
    const doc = await exportTeam(t.db, team.id);
    const { team: target, owner: targetOwner } = await makeTeam(t.db, "Imported");
    await afterChange(target.id, () =>
      importTeam(t.db, { teamId: target.id, doc, actingUserId: targetOwner.id, allowUnknownPeople: true }),
    );
    expect((await rollups(t.db, target.id)).map(({ storyId, ...r }) => ({ ...r, story: storyId !== null }))).toEqual(
      (await rollups(t.db, team.id)).map(({ storyId, ...r }) => ({ ...r, story: storyId !== null })),
    );
  });

  // Two transactions at once (PostgreSQL: PGlite has one session). A maps a session and stays open;
  // B imports an entry of that session on a day A did not refresh. B's refresh must wait for A and
  // then see A's mapping — else the new day's rollup says "no story" although the session has one.
  it.runIf(t.kind === "postgres")("stay right when a mapping and an import of the same session overlap", async () => {
    const { team, owner, id } = await setup();
    let release!: () => void;
    const open = new Promise<void>((resolve) => (release = resolve));
    let mapped!: () => void;
    const mappedNow = new Promise<void>((resolve) => (mapped = resolve));
    const a = t.db.transaction().execute(async (trx) => {
      await setSessionStory(trx, { teamId: team.id, sessionId: "s-1", storyId: id("PAY-1"), userId: owner.id });
      mapped();
      await open;
    });
    await mappedNow;
    const b = importSpendJson(
      t.db,
      [{ id: "late", occurred_at: "2026-03-10T10:00:00Z", credits: 7, session_id: "s-1" }],
      { teamId: team.id, fileName: "late", via: "api" },
    );
    // Release A once B waits for the rollups' lock (or after a while: B may not wait, and then the
    // figures below say what went wrong).
    for (let i = 0; i < 250; i++) {
      const waiting = await sql<{ n: number }>`
          select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`.execute(t.db);
      if (waiting.rows[0]!.n > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    release();
    await Promise.all([a, b]);
    await expectFresh(team.id);
    const late = (await rollups(t.db, team.id)).find((r) => r.day === "2026-03-10");
    expect(late).toMatchObject({ storyId: id("PAY-1"), source: "session" });
  });

  // Two people re-key one story at once (PostgreSQL). Each update refreshes the days of the key it
  // saw before and the key it sets; if both read "before" while the other had not committed, the key
  // in between (set by the first, replaced by the second) keeps its entries on the story in the
  // rollups although no story has that key any more. Whichever goes first, one of the two keys'
  // days is the one in between: both carry an entry on a day of its own.
  it.runIf(t.kind === "postgres")("stay right when two people re-key the same story at once", async () => {
    const { team } = await setup();
    const renamed = await createStory(t.db, { teamId: team.id, ...story("NEW-9") });
    await importSpendJson(
      t.db,
      [
        { id: "k1", occurred_at: "2026-03-12T10:00:00Z", credits: 3, tags: ["story:KEY-1"] },
        { id: "k2", occurred_at: "2026-03-13T10:00:00Z", credits: 5, tags: ["story:KEY-2"] },
      ],
      { teamId: team.id, fileName: "keys", via: "api" },
    );
    await expectFresh(team.id);
    // Hold the story's row so both updates start, read and queue behind it.
    const { release, holder } = await holdStoryRow(renamed.id);
    const a = updateStory(t.db, { teamId: team.id, storyId: renamed.id, ...story("KEY-1") });
    const b = updateStory(t.db, { teamId: team.id, storyId: renamed.id, ...story("KEY-2") });
    // Release once both wait for the row.
    await storyLockWaiters(2);
    release();
    await Promise.all([holder, a, b]);
    await expectFresh(team.id);
  });

  // A tracker import re-keys a story (matched by its link) while someone re-keys it by hand
  // (PostgreSQL). The import must plan from the story as the hand edit left it, or the hand edit's key
  // keeps its entries on the story in the rollups.
  it.runIf(t.kind === "postgres")("stay right when a tracker import and a person re-key a story at once", async () => {
    const { team } = await setup();
    const linked = await createStory(t.db, { teamId: team.id, ...story("KEY-0"), link: "https://x/2" });
    await importSpendJson(
      t.db,
      [{ id: "k1", occurred_at: "2026-03-12T10:00:00Z", credits: 3, tags: ["story:KEY-1"] }],
      { teamId: team.id, fileName: "keys", via: "api" },
    );
    await expectFresh(team.id);
    const { release, holder } = await holdStoryRow(linked.id);
    // The hand edit queues first, then the import.
    const byHand = updateStory(t.db, { teamId: team.id, storyId: linked.id, ...story("KEY-1"), link: "https://x/2" });
    await storyLockWaiters(1);
    const tracker = importTrackerItems(t.db, {
      teamId: team.id,
      items: [
        { line: 1, key: "KEY-2", title: "KEY-1", link: "https://x/2", labels: [], description: "", closed: false },
      ],
    });
    await storyLockWaiters(2);
    release();
    await Promise.all([holder, byHand, tracker]);
    await expectFresh(team.id);
  });

  // An undo while another change of one of the import's entries waits to refresh (PostgreSQL). The
  // other change locked the entry and then asks for the rollups' lock; an undo that took the
  // rollups' lock first and then waited for the entry deadlocked with it (one of them failed).
  it.runIf(t.kind === "postgres")("let an undo and a change of one of its entries both finish", async () => {
    const { team, importId } = await setup();
    const entry = await entryIdOf(team.id, "a4");
    let release!: () => void;
    const open = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockedNow = new Promise<void>((resolve) => (locked = resolve));
    const change = t.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable("spendEntries")
        .set({ note: "looked at" })
        .where("id", "=", entry)
        .returning("day")
        .executeTakeFirstOrThrow();
      locked();
      await open;
      await refreshRollups(trx, team.id, [row.day]);
    });
    await lockedNow;
    const undo = undoImport(t.db, { teamId: team.id, importId: importId!, userId: null });
    // Release once the undo waits (for the entry, or before the fix with the rollups' lock held).
    for (let i = 0; i < 250; i++) {
      const waiting = await sql<{ n: number }>`
          select count(distinct l.pid)::int as n from pg_locks l join pg_stat_activity s on s.pid = l.pid
          where not l.granted and s.query like '%spend_entries%'`.execute(t.db);
      if (waiting.rows[0]!.n >= 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    release();
    const results = await Promise.allSettled([change, undo]);
    expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(["ok", "ok"]);
    await expectFresh(team.id);
  });

  it("go with their team", async () => {
    const { team } = await setup();
    await t.db.deleteFrom("teams").where("id", "=", team.id).execute();
    expect(await rollups(t.db, team.id)).toEqual([]);
    expect(await dayTotals(t.db, team.id)).toEqual([]);
  });
});

// The migration fills the rollups from the entries already there.
it("migration 0027 backfills the rollups from existing entries [pglite]", async () => {
  const opened = await openDatabase({ pgliteDir: null });
  try {
    const db = opened.db as Kysely<any>;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const before = await migrator.migrateTo("0026_record_import_details");
    if (before.error) throw before.error;
    const team = await sql<{ id: number }>`insert into teams (slug, name) values ('old', 'Old') returning id`.execute(
      db,
    );
    const teamId = Number(team.rows[0]!.id);
    const s = await sql<{ id: number }>`
      insert into stories (team_id, key, title, rank) values (${teamId}, 'PAY-1', 'Pay', 'm') returning id`.execute(db);
    const storyId = Number(s.rows[0]!.id);
    await sql`insert into spend_session_stories (team_id, session_id, story_id) values (${teamId}, 's-1', ${storyId})`.execute(
      db,
    );
    await sql`
      insert into spend_entries (team_id, occurred_at, day, source, credits, story_key, session_id, story_id, dedupe_key)
      values (${teamId}, '2026-03-04T10:00Z', '2026-03-04', 'api', 10, 'PAY-1', null, null, 'k1'),
             (${teamId}, '2026-03-04T11:00Z', '2026-03-04', 'api', 20, null, 's-1', null, 'k2'),
             (${teamId}, '2026-03-05T11:00Z', '2026-03-05', 'api', null, 'NEW-1', null, null, 'k3'),
             (${teamId}, '2026-03-05T12:00Z', '2026-03-05', 'manual', 5, null, null, ${storyId}, 'k4'),
             (${teamId}, '2026-03-05T13:00Z', '2026-03-05', 'api', 7, null, null, null, 'k5')`.execute(db);
    const after = await migrator.migrateToLatest();
    if (after.error) throw after.error;
    const fresh = await fromScratch(opened.db, teamId);
    expect(fresh).toHaveLength(5);
    expect(await rollups(opened.db, teamId)).toEqual(fresh);
    expect(await dayTotals(opened.db, teamId)).toEqual(await daysFromScratch(opened.db, teamId));
  } finally {
    await opened.close();
  }
}, 120_000);
