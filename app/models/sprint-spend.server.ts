// Actual spend for sprints, read from the spend feature's `spend_entries` table (migration 0004):
// one row per usage record with `team_id`, the team-local `day` it is booked on, and `credits`
// (null while unpriced). A sprint's burn is everything the team spent on the sprint's days —
// attributed or not — because every credit comes out of the same pool.
//
// A row's story follows the spend feature's attribution order: the story key found in the data
// (resolved when read, so a story created later still picks its spend up), then the row's session
// mapped to a story, then a person's manual assignment (`story_id`).
//
// Raw SQL (still scoped by team) so this module does not depend on the spend table's TypeScript
// interface, which lives with the spend feature.
import { sql } from "kysely";
import type { DB } from "~/utils/db.server";

/** The story a spend entry `e` is attributed to (SQL expression), strongest signal first. */
const effectiveStory = sql`coalesce(
  (select s.id from stories s where s.team_id = e.team_id and s.key = e.story_key),
  (select m.story_id from spend_session_stories m where m.team_id = e.team_id and m.session_id = e.session_id),
  e.story_id)`;

/** Team-local day → credits spent by the whole team on the days start…end (inclusive). */
export async function dailySpendForSprint(
  db: DB,
  input: { teamId: number; start: string; end: string },
): Promise<Record<string, number>> {
  const { rows } = await sql<{ day: string; credits: number }>`
    select "day", sum(credits) as credits
    from spend_entries
    where team_id = ${input.teamId} and "day" between ${input.start}::date and ${input.end}::date
    group by "day"
    order by "day"`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.day, Number(r.credits)]));
}

/** Team-local day → credits attributed to the given stories (optionally only within start…end). */
export async function dailySpendForStories(
  db: DB,
  input: { teamId: number; storyIds: readonly number[]; start?: string; end?: string },
): Promise<Record<string, number>> {
  if (!input.storyIds.length) return {};
  const { rows } = await sql<{ day: string; credits: number }>`
    select e."day", sum(e.credits) as credits
    from spend_entries e
    where e.team_id = ${input.teamId}
      and ${effectiveStory} in (${sql.join(input.storyIds.map((id) => sql`${id}`))})
      ${input.start ? sql`and e."day" >= ${input.start}::date` : sql``}
      ${input.end ? sql`and e."day" <= ${input.end}::date` : sql``}
    group by e."day"
    order by e."day"`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.day, Number(r.credits)]));
}

/** Total team spend on each sprint's days, by sprint id (0 for a sprint with no spend). */
export async function spendTotalsForSprints(
  db: DB,
  input: { teamId: number; sprints: readonly { id: number; start: string; end: string }[] },
): Promise<Map<number, number>> {
  const totals = new Map(input.sprints.map((s) => [s.id, 0]));
  if (!input.sprints.length) return totals;
  const { rows } = await sql<{ id: number; credits: number | null }>`
    select s.id, sum(e.credits) as credits
    from sprints s
    join spend_entries e on e.team_id = s.team_id and e."day" between s.start_date and s.end_date
    where s.team_id = ${input.teamId} and s.id in (${sql.join(input.sprints.map((s) => sql`${s.id}`))})
    group by s.id`.execute(db);
  for (const r of rows) totals.set(Number(r.id), Number(r.credits ?? 0));
  return totals;
}

/** All spend attributed to each story, by story id (stories without spend are left out). */
export async function spendByStory(db: DB, input: { teamId: number; storyIds: readonly number[] }): Promise<Map<number, number>> {
  if (!input.storyIds.length) return new Map();
  const { rows } = await sql<{ storyId: number; credits: number }>`
    select story_id, sum(credits) as credits
    from (select ${effectiveStory} as story_id, e.credits from spend_entries e where e.team_id = ${input.teamId}) attributed
    where story_id in (${sql.join(input.storyIds.map((id) => sql`${id}`))})
    group by story_id`.execute(db);
  return new Map(rows.map((r) => [Number(r.storyId), Number(r.credits)]));
}
