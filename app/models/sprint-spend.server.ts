// Actual spend for sprints, read from the spend feature's `spend_day_totals` (migration 0027): the
// team's entries added up per team-local day (credits null while every entry of the day is
// unpriced), rewritten with the entries by attributed-spend.server.ts's `refreshRollups`. A sprint's burn is everything the team spent on the sprint's days —
// attributed or not — because every credit comes out of the same pool.
//
// Nothing here asks which story an entry belongs to: that is attributed-spend.server.ts's question.
//
// Raw SQL (still scoped by team) so this module does not depend on the spend table's TypeScript
// interface, which lives with the spend feature.
import { sql } from "kysely";
import type { DB } from "~/utils/db.server";

/** Team-local day → credits spent by the whole team on the days start…end (inclusive). */
export async function dailySpendForSprint(
  db: DB,
  input: { teamId: number; start: string; end: string },
): Promise<Record<string, number>> {
  const { rows } = await sql<{ day: string; credits: number }>`
    select "day", credits
    from spend_day_totals
    where team_id = ${input.teamId} and "day" between ${input.start}::date and ${input.end}::date
    order by "day"`.execute(db);
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
    join spend_day_totals e on e.team_id = s.team_id and e."day" between s.start_date and s.end_date
    where s.team_id = ${input.teamId} and s.id in (${sql.join(input.sprints.map((s) => sql`${s.id}`))})
    group by s.id`.execute(db);
  for (const r of rows) totals.set(Number(r.id), Number(r.credits ?? 0));
  return totals;
}
