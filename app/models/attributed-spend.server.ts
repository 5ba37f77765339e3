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
// Two SQL forms of the one rule, kept side by side here and held equal by
// tests/db/attributed-spend.test.ts: `attributedEntries` (row by row, for lists and filters) and
// `actualsByStory` (totals for given stories, through indexes, without reading other stories' rows).
import { sql, type SqlBool } from "kysely";
import type { DB } from "~/utils/db.server";

export type AttributionSource = "key" | "session" | "manual";

/**
 * A team's entries (`e`) joined to what attributes them: `ks` (the story the key names) and `ss`
 * (the session's mapping). Use with `attributedStoryId`, `attributedBy`, `unattributed`, `waitingKey`.
 */
export function attributedEntries(db: DB, teamId: number) {
  return db
    .selectFrom("spendEntries as e")
    .leftJoin("stories as ks", (join) => join.onRef("ks.teamId", "=", "e.teamId").onRef("ks.key", "=", "e.storyKey"))
    .leftJoin("spendSessionStories as ss", (join) =>
      join.onRef("ss.teamId", "=", "e.teamId").onRef("ss.sessionId", "=", "e.sessionId"),
    )
    .where("e.teamId", "=", teamId);
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

const idList = (ids: readonly number[]) => sql.join(ids.map((id) => sql`${id}`));

/**
 * Actual spend per story for the given stories (absent: no entries). The three ways an entry can
 * reach a story are disjoint branches, each summed per story through its own index (story key,
 * session, assignment), so nothing is counted twice and no other story's entries are read.
 */
export async function actualsByStory(
  db: DB,
  input: { teamId: number; storyIds: readonly number[] },
): Promise<Map<number, StoryActual>> {
  const result = new Map<number, StoryActual>();
  if (!input.storyIds.length) return result;
  const team = input.teamId;
  const ids = idList([...new Set(input.storyIds)]);
  const keyResolves = sql`exists (select 1 from stories k where k.team_id = ${team} and k.key = e.story_key)`;
  const sessionMapped = sql`exists (
    select 1 from spend_session_stories m where m.team_id = ${team} and m.session_id = e.session_id)`;
  const sums = sql`sum(e.credits) as credits, count(*) as entries, count(*) filter (where e.credits is null) as unpriced`;
  const { rows } = await sql<{ storyId: number; credits: number | null; entries: number; unpriced: number }>`
    with target as (select id, key from stories where team_id = ${team} and id in (${ids})),
    attributed as (
      select t.id as story_id, a.credits, a.entries, a.unpriced
      from target t
      cross join lateral (select ${sums} from spend_entries e where e.team_id = ${team} and e.story_key = t.key) a
      where t.key is not null
      union all
      select m.story_id, a.credits, a.entries, a.unpriced
      from spend_session_stories m
      cross join lateral (
        select ${sums} from spend_entries e
        where e.team_id = ${team} and e.session_id = m.session_id and (e.story_key is null or not ${keyResolves})) a
      where m.team_id = ${team} and m.story_id in (select id from target)
      union all
      select e.story_id, ${sums}
      from spend_entries e
      where e.team_id = ${team} and e.story_id in (select id from target)
        and (e.story_key is null or not ${keyResolves})
        and (e.session_id is null or not ${sessionMapped})
      group by e.story_id
    )
    select story_id, sum(credits) as credits, sum(entries) as entries, sum(unpriced) as unpriced
    from attributed
    where entries > 0
    group by story_id`.execute(db);
  for (const r of rows) {
    result.set(Number(r.storyId), {
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

/** Team-local day → credits attributed to the given stories, optionally only within from…to. */
export async function dailyAttributedSpend(
  db: DB,
  input: { teamId: number; storyIds: readonly number[]; from?: string; to?: string },
): Promise<{ day: string; credits: number }[]> {
  if (!input.storyIds.length) return [];
  let query = attributedEntries(db, input.teamId).where(attributedStoryId, "in", [...input.storyIds]);
  if (input.from) query = query.where("e.day", ">=", input.from);
  if (input.to) query = query.where("e.day", "<=", input.to);
  const rows = await query
    .select(["e.day", sql<number>`coalesce(sum(e.credits), 0)`.as("credits")])
    .groupBy("e.day")
    .orderBy("e.day")
    .execute();
  return rows.map((r) => ({ day: r.day, credits: roundCredits(Number(r.credits)) }));
}
