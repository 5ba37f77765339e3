// Which story a spend entry belongs to: the one place that answers it (issue 15, decision 0023).
// Every page that shows spend per story, per day for stories, or "unattributed" reads it from here.
//
// An entry counts for exactly one story, or none, in this order:
//   1. "key": its story key (from a tag or a git branch, found when the entry was imported) names a
//      story of the team — resolved when read, so a story created or re-keyed later picks it up;
//   2. "session": its session is mapped to a story (spend_session_stories);
//   3. "manual": a person assigned it (spend_entries.story_id; entries typed in by hand have it).
// An entry with none of these is unattributed; an entry whose key names no story (yet) is "waiting"
// on that key — it is not in the inbox (a story with that key would claim it), and counts for a
// story only through its session or an assignment.
//
// The rule is written once, in SQL, as `attributedEntries` (row by row, for lists and filters).
// Totals read the rollups this module derives from it (migration 0027, `refreshRollups` below):
// `actualsByStory`, `dailyAttributedSpend`, `unattributedFromRollups`. tests/db/attributed-spend.test.ts
// holds every page's figures equal; tests/db/spend-rollups.test.ts holds the rollups fresh.
import { sql, type SqlBool } from "kysely";
import { breathe } from "~/utils/breathe.server";
import type { DB } from "~/utils/db.server";

export type AttributionSource = "key" | "session" | "manual";

/**
 * A team's entries (`e`) joined to what attributes them: `ks` (the story the key names) and `ss`
 * (the session's mapping). Use with `attributedStoryId`, `attributedBy`, `unattributed`, `waitingKey`.
 */
export function attributedEntries(db: DB, teamId: number | readonly number[]) {
  // Several teams (the organisation report): every join is on the entry's own team, so one
  // statement answers each team as its own would.
  const query = db
    .selectFrom("spendEntries as e")
    .leftJoin("stories as ks", (join) => join.onRef("ks.teamId", "=", "e.teamId").onRef("ks.key", "=", "e.storyKey"))
    .leftJoin("spendSessionStories as ss", (join) =>
      join.onRef("ss.teamId", "=", "e.teamId").onRef("ss.sessionId", "=", "e.sessionId"),
    );
  return typeof teamId === "number"
    ? query.where("e.teamId", "=", teamId)
    : query.where("e.teamId", "in", teamId.length ? teamId : [-1]);
}

/** The story the entry counts for (null: none). Over `attributedEntries`. */
export const attributedStoryId = sql<number | null>`coalesce(ks.id, ss.story_id, e.story_id)`;
/** How the entry got its story. Over `attributedEntries`. */
export const attributedBy = sql<AttributionSource | null>`case
  when ks.id is not null then 'key' when ss.story_id is not null then 'session'
  when e.story_id is not null then 'manual' end`;
/** No key at all, no mapped session, no assignment: the inbox's entries. Over `attributedEntries`. */
export const unattributed = sql<SqlBool>`(e.story_key is null and ss.story_id is null and e.story_id is null)`;
/** The entry carries a key that names no story of the team. Over `attributedEntries`. */
export const waitingKey = sql<SqlBool>`(e.story_key is not null and ks.id is null)`;

/**
 * The inbox's entries alone (`e`): the same rows as `attributedEntries(…).where(unattributed)`, without
 * the join to stories (an entry with no key cannot be claimed by one) and with the session mapping as
 * an anti-join through its primary key. Every condition is on `e` or that probe, so the inbox's lists,
 * totals and filter values read the partial index spend_entries_unattributed_idx (migration 0028) and
 * not the team's whole history. tests/db/spend-inbox-index.test.ts holds both forms equal.
 */
export function unattributedEntries(db: DB, teamId: number) {
  return db
    .selectFrom("spendEntries as e")
    .where("e.teamId", "=", teamId)
    .where("e.storyKey", "is", null)
    .where("e.storyId", "is", null)
    .where(
      sql<SqlBool>`not exists (select 1 from spend_session_stories ss where ss.team_id = e.team_id and ss.session_id = e.session_id)`,
    );
}

export interface WaitingKey {
  key: string;
  entries: number;
  /** Unrounded sum of the entries' credits (0 when none is priced). */
  credits: number;
}

/**
 * The keys in the data that name no story of the team (`waitingKey`), alphabetical, with their entries'
 * totals. The distinct keys come from a loose index scan (one probe of the story-key index per key)
 * and only the waiting keys' entries are summed, rather than grouping every keyed entry of the team.
 */
export async function waitingKeyTotals(db: DB, teamId: number, limit: number): Promise<WaitingKey[]> {
  const { rows } = await sql<{ key: string; entries: number; credits: number }>`
    with recursive k(key) as (
      (select story_key from spend_entries where team_id = ${teamId} and story_key is not null order by story_key limit 1)
      union all
      select (select e.story_key from spend_entries e
              where e.team_id = ${teamId} and e.story_key is not null and e.story_key > k.key
              order by e.story_key limit 1)
      from k where k.key is not null
    )
    select k.key, a.entries, a.credits
    from k
    cross join lateral (
      select count(*) as entries, coalesce(sum(e.credits), 0) as credits
      from spend_entries e where e.team_id = ${teamId} and e.story_key = k.key) a
    where k.key is not null
      and not exists (select 1 from stories s where s.team_id = ${teamId} and s.key = k.key)
    order by k.key
    limit ${limit}`.execute(db);
  return rows.map((r) => ({ key: r.key, entries: Number(r.entries), credits: Number(r.credits) }));
}

export interface StoryActual {
  /** Sum of priced credits; null when every attributed entry is unpriced. */
  credits: number | null;
  entries: number;
  unpriced: number;
}

/** Sums of numeric credits come back as floats; 6 decimals is far below anything shown. */
export function roundCredits(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * Actual spend per story for the given stories (absent: no entries), from the rollups: the
 * stories' rows (spend_rollups_story_idx), however the entries reached them.
 */
export async function actualsByStory(
  db: DB,
  input: { teamId: number; storyIds: readonly number[] },
): Promise<Map<number, StoryActual>> {
  return (await actualsByTeamStory(db, [input])).get(input.teamId) ?? new Map();
}

/**
 * Actual spend of the given stories of several teams in one statement (the organisation report
 * asks for every team's stories at once): team id → story id → actual. Only the pairs asked for
 * come back.
 */
export async function actualsByTeamStory(
  db: DB,
  input: readonly { teamId: number; storyIds: readonly number[] }[],
): Promise<Map<number, Map<number, StoryActual>>> {
  const result = new Map<number, Map<number, StoryActual>>();
  const wanted = new Map<number, Set<number>>();
  for (const t of input) {
    if (!t.storyIds.length) continue;
    const set = wanted.get(t.teamId) ?? new Set<number>();
    for (const id of t.storyIds) set.add(id);
    wanted.set(t.teamId, set);
    result.set(t.teamId, result.get(t.teamId) ?? new Map());
  }
  if (!wanted.size) return result;
  const rows = await db
    .selectFrom("spendRollups")
    .select([
      "teamId",
      "storyId",
      sql<number | null>`sum(credits)`.as("credits"),
      sql<number>`sum(entries)`.as("entries"),
      sql<number>`sum(unpriced)`.as("unpriced"),
    ])
    .where("teamId", "in", [...wanted.keys()])
    .where("storyId", "in", [...new Set([...wanted.values()].flatMap((s) => [...s]))])
    .groupBy(["teamId", "storyId"])
    .execute();
  for (const r of rows) {
    const teamId = Number(r.teamId);
    const storyId = Number(r.storyId);
    // The two IN lists cross: a pair not asked for is another team's story id, not an answer.
    if (!wanted.get(teamId)?.has(storyId)) continue;
    result.get(teamId)!.set(storyId, {
      credits: r.credits === null ? null : roundCredits(Number(r.credits)),
      entries: Number(r.entries),
      unpriced: Number(r.unpriced),
    });
  }
  return result;
}

/** Actual spend of every story of the team that has any (see `actualsByStory`). */
export async function actualsOfAllStories(db: DB, teamId: number): Promise<Map<number, StoryActual>> {
  const stories = await db.selectFrom("stories").select("id").where("teamId", "=", teamId).execute();
  return actualsByStory(db, { teamId, storyIds: stories.map((s) => s.id) });
}

/**
 * Team-local day → credits attributed to the given stories, optionally only within from…to. From
 * the rollups (the stories' rows of those days), not the entries.
 */
export async function dailyAttributedSpend(
  db: DB,
  input: { teamId: number; storyIds: readonly number[]; from?: string; to?: string },
): Promise<{ day: string; credits: number }[]> {
  if (!input.storyIds.length) return [];
  let query = db
    .selectFrom("spendRollups")
    .where("teamId", "=", input.teamId)
    .where("storyId", "in", [...new Set(input.storyIds)]);
  if (input.from) query = query.where("day", ">=", input.from);
  if (input.to) query = query.where("day", "<=", input.to);
  const rows = await query
    .select(["day", sql<number>`coalesce(sum(credits), 0)`.as("credits")])
    .groupBy("day")
    .orderBy("day")
    .execute();
  return rows.map((r) => ({ day: r.day, credits: roundCredits(Number(r.credits)) }));
}

/**
 * What still needs a story, from the rollups: entries with no key, session or assignment; how many
 * keys name no story (yet); and how many entries the team has at all.
 */
export async function unattributedFromRollups(
  db: DB,
  teamId: number,
): Promise<{ entries: number; credits: number; waitingKeys: number; total: number }> {
  // The predicate on the rows matches spend_rollups_unattributed_idx: only rows without a story or
  // with a waiting key are read, not every story's.
  const { rows } = await sql<{ entries: number; credits: number; waitingKeys: number; total: number }>`
    select coalesce(sum(r.entries) filter (where r.source is null and r.waiting_key is null), 0) as entries,
           coalesce(sum(r.credits) filter (where r.source is null and r.waiting_key is null), 0) as credits,
           count(distinct r.waiting_key) as waiting_keys,
           (select coalesce(sum(d.entries), 0) from spend_day_totals d where d.team_id = ${teamId}) as total
    from spend_rollups r
    where r.team_id = ${teamId} and (r.source is null or r.waiting_key is not null)`.execute(db);
  const row = rows[0]!;
  return {
    entries: Number(row.entries),
    credits: roundCredits(Number(row.credits)),
    waitingKeys: Number(row.waitingKeys),
    total: Number(row.total),
  };
}

// ---------------------------------------------------------------------------------------------
// Rollups (migration 0027): spend per team × day × story × source × waiting key
// ---------------------------------------------------------------------------------------------
//
// Pages that add up a team's whole history read `spend_rollups` instead of its entries. The rows are
// derived from `attributedEntries` here and nowhere else: every change that moves spend between
// stories (entries written, updated or removed; a session mapped; a story created or re-keyed)
// calls `refreshRollups` or `refreshRollupsReaching` in its own transaction, with the days it
// touched. tests/db/spend-rollups.test.ts holds the rows equal to a from-scratch aggregation after
// each kind of change.
//
// Concurrency: a refresh takes a per-team advisory lock for the rest of its transaction, and only
// then reads (read committed: each statement sees what committed before it). Two transactions that
// touch the same days therefore refresh one after the other, the second seeing the first's changes,
// and a transaction that changes attribution finds the days to refresh after the lock, so entries
// another transaction committed meanwhile are among them.

const ROLLUP_LOCK = 4027;
/**
 * Days per statement. One: on the embedded database every statement holds the server's thread
 * (a 200,000-row month is ~7,000 rows a day, a short statement; the import merge goes 500 rows a
 * statement there for the same reason). On PostgreSQL the extra statements cost a round trip each.
 */
const ROLLUP_DAYS_PER_STATEMENT = 1;

async function lockRollups(db: DB, teamId: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ROLLUP_LOCK}, ${teamId}::int)`.execute(db);
}

/**
 * Rewrites the team's rollup rows of the given days (or of every day) from its entries. Runs in the
 * caller's transaction (or its own when given none), so the rollups change with the entries or not at all.
 */
export async function refreshRollups(db: DB, teamId: number, days: Iterable<string> | "all"): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => refreshRollups(trx, teamId, days));
  const list = days === "all" ? null : [...new Set(days)].sort();
  if (list && list.length === 0) return;
  await lockRollups(db, teamId);
  await rewriteRollups(db, teamId, list);
}

async function rewriteRollups(db: DB, teamId: number, days: string[] | null): Promise<void> {
  // Every day: the days with entries and the days with rollups (whose entries are gone).
  const list =
    days ??
    (
      await sql<{ day: string }>`
        select day from spend_entries where team_id = ${teamId}
        union select day from spend_day_totals where team_id = ${teamId}`.execute(db)
    ).rows.map((r) => r.day);
  if (list.length === 0) return;
  const batches: string[][] = [];
  for (let i = 0; i < list.length; i += ROLLUP_DAYS_PER_STATEMENT)
    batches.push(list.slice(i, i + ROLLUP_DAYS_PER_STATEMENT));
  for (const [i, batch] of batches.entries()) {
    // A few days a statement: on the embedded database each statement holds the server's thread.
    if (i > 0) await breathe();
    await db.deleteFrom("spendRollups").where("teamId", "=", teamId).where("day", "in", batch).execute();
    const source = attributedEntries(db, teamId).where("e.day", "in", batch);
    await db
      .insertInto("spendRollups")
      .columns(["teamId", "day", "storyId", "source", "waitingKey", "credits", "entries", "unpriced"])
      .expression(
        source
          .select([
            "e.teamId",
            "e.day",
            attributedStoryId.as("storyId"),
            attributedBy.as("source"),
            sql<string | null>`case when ${waitingKey} then e.story_key end`.as("waitingKey"),
            sql<number | null>`sum(e.credits)`.as("credits"),
            sql<number>`count(*)`.as("entries"),
            sql<number>`count(*) filter (where e.credits is null)`.as("unpriced"),
          ])
          .groupBy(sql`1, 2, 3, 4, 5`),
      )
      .execute();
    await db.deleteFrom("spendDayTotals").where("teamId", "=", teamId).where("day", "in", batch).execute();
    const written = db.selectFrom("spendRollups").where("teamId", "=", teamId).where("day", "in", batch);
    await db
      .insertInto("spendDayTotals")
      .columns(["teamId", "day", "credits", "entries", "unpriced"])
      .expression(
        written
          .select([
            "teamId",
            "day",
            sql<number | null>`sum(credits)`.as("credits"),
            sql<number>`sum(entries)`.as("entries"),
            sql<number>`sum(unpriced)`.as("unpriced"),
          ])
          .groupBy(["teamId", "day"]),
      )
      .execute();
  }
}

/** What a change reached: the entries whose days need their rollups rewritten. */
export interface RollupReach {
  entryIds?: readonly number[];
  storyKeys?: readonly (string | null)[];
  sessionIds?: readonly string[];
  importId?: number;
}

/**
 * Rewrites the rollups of the days of every entry the change reaches: entries by id, those carrying
 * one of the keys, those of the sessions, those an import wrote. For changes that leave the entries'
 * days as they are (assignments, mappings, story keys); a change that removes entries or moves their
 * day passes the days themselves to `refreshRollups`.
 */
export async function refreshRollupsReaching(db: DB, teamId: number, reach: RollupReach): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => refreshRollupsReaching(trx, teamId, reach));
  await rewriteRollups(db, teamId, await rollupDaysReaching(db, teamId, reach));
}

/**
 * The days of the entries a change reaches (see `refreshRollupsReaching`), with the team's rollups
 * locked for the rest of the transaction. For a change that removes entries: ask first, change,
 * then `refreshRollups` those days. Call it inside the change's transaction.
 */
export async function rollupDaysReaching(db: DB, teamId: number, reach: RollupReach): Promise<string[]> {
  const keys = [...new Set((reach.storyKeys ?? []).filter((k): k is string => !!k))];
  const ids = [...new Set(reach.entryIds ?? [])];
  const sessions = [...new Set(reach.sessionIds ?? [])];
  if (!keys.length && !ids.length && !sessions.length && reach.importId === undefined) return [];
  // The lock first: entries another transaction commits from here on are its to refresh.
  await lockRollups(db, teamId);
  const rows = await db
    .selectFrom("spendEntries as e")
    .select("e.day")
    .distinct()
    .where("e.teamId", "=", teamId)
    .where((eb) =>
      eb.or([
        ...(keys.length ? [eb("e.storyKey", "in", keys)] : []),
        ...(ids.length ? [eb("e.id", "in", ids)] : []),
        ...(sessions.length ? [eb("e.sessionId", "in", sessions)] : []),
        ...(reach.importId !== undefined ? [eb("e.importId", "=", reach.importId)] : []),
      ]),
    )
    .execute();
  return rows.map((r) => r.day);
}
