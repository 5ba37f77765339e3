// What an organisation's teams spent and committed in a billing month: the inputs of the overview's
// projection. Team totals only — nothing here groups by person (no per-person figure exists at
// organisation level). Every query takes the organisation's team ids, which the caller reads from
// the organisation's attached teams, never from the request.
//
// The billing month is UTC (Copilot resets at 00:00 UTC on the 1st), while spend_entries.day is the
// team's local day, so entries are bucketed by their UTC instant; the day range (one day wider on
// each side) lets the (team_id, day) index find them.
import { sql } from "kysely";
import { monthSplitter } from "~/domain/organisation";
import { firstDayOfMonth, lastDayOfMonth, monthInstantRange } from "~/domain/organisation/billing-month";
import { addDays, poolCapacity, type PoolSeats } from "~/domain/capacity";
import type { DB } from "~/utils/db.server";

const ids = (teamIds: readonly number[]) => sql.join(teamIds.map((id) => sql`${id}`));

/** Team id → UTC day → credits spent that day in `month`. */
export async function monthDailySpendByTeam(
  db: DB,
  input: { teamIds: readonly number[]; month: string },
): Promise<Map<number, Record<string, number>>> {
  const byTeam = new Map(input.teamIds.map((id) => [id, {} as Record<string, number>]));
  if (!input.teamIds.length) return byTeam;
  const { start, end } = monthInstantRange(input.month);
  const { rows } = await sql<{ teamId: number; day: string; credits: number | string }>`
    select team_id as "teamId", to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day,
      sum(credits) as credits
    from spend_entries
    where team_id in (${ids(input.teamIds)})
      and "day" between ${addDays(firstDayOfMonth(input.month), -1)}::date and ${addDays(lastDayOfMonth(input.month), 1)}::date
      and occurred_at >= ${start}::timestamptz and occurred_at < ${end}::timestamptz
      and credits is not null
    group by 1, 2`.execute(db);
  for (const r of rows) {
    const days = byTeam.get(Number(r.teamId));
    if (days) days[r.day] = Number(r.credits);
  }
  return byTeam;
}

export interface TeamMonthPlan {
  /** The month's part (by working days) of the team's sprints' capacity. */
  capacity: number;
  /** The month's part of the work committed to those sprints: expected and p80 credits. */
  expected: number;
  p80: number;
}

/**
 * Per team: the month's share of every sprint touching the month — capacity, and the expected and
 * p80 credits of its committed stories (stories carried on or returned at close count in the sprint
 * they went to, not here) — split across months by working days.
 */
export async function monthPlansByTeam(
  db: DB,
  input: { teamIds: readonly number[]; month: string; excludeSprintId?: number },
): Promise<Map<number, TeamMonthPlan>> {
  const plans = new Map(input.teamIds.map((id) => [id, { capacity: 0, expected: 0, p80: 0 }]));
  if (!input.teamIds.length) return plans;
  const first = firstDayOfMonth(input.month);
  const last = lastDayOfMonth(input.month);
  const { rows } = await sql<{
    id: number;
    teamId: number;
    start: string;
    end: string;
    capacity: number | string | null;
    expected: number | string | null;
    p80: number | string | null;
    kind: string;
    seats: number | null;
    perSeat: number | string | null;
    plan: string | null;
  }>`
    select s.id, s.team_id as "teamId", s.start_date as start, s.end_date as "end",
      s.capacity_credits as capacity, s.capacity_kind as kind, s.pool_seats as seats,
      s.pool_per_seat as "perSeat", s.pool_plan as plan, c.expected, c.p80
    from sprints s
    -- Both sums in one pass over the sprint's stories (two subqueries read them twice).
    cross join lateral (
      select sum(e.expected_credits) as expected, sum(coalesce(e.p80_credits, e.expected_credits)) as p80
      from sprint_stories ss join stories st on st.id = ss.story_id
        join estimates e on e.id = st.estimate_id
      where ss.sprint_id = s.id and ss.team_id = s.team_id and (ss.outcome is null or ss.outcome = 'done')) c
    where s.team_id in (${ids(input.teamIds)})
      and s.start_date <= ${last}::date and s.end_date >= ${first}::date
      ${input.excludeSprintId ? sql`and s.id <> ${input.excludeSprintId}` : sql``}`.execute(db);
  for (const r of rows) {
    const plan = plans.get(Number(r.teamId));
    if (!plan) continue;
    const start = String(r.start);
    const end = String(r.end);
    // The sprint's months and working days once, for its three amounts.
    const split = monthSplitter(start, end);
    const part = (credits: number) => split(credits).find((p) => p.month === input.month)?.credits ?? 0;
    plan.capacity += part(sprintCapacityCredits(r, start, end));
    plan.expected += part(Number(r.expected ?? 0));
    plan.p80 += part(Number(r.p80 ?? 0));
  }
  return plans;
}

// A sprint's capacity as the sprint pages compute it (a number, or its seat pool prorated), without
// importing the sprint module's row shape.
function sprintCapacityCredits(
  r: {
    kind: string;
    capacity: number | string | null;
    seats: number | null;
    perSeat: number | string | null;
    plan: string | null;
  },
  start: string,
  end: string,
): number {
  if (r.kind !== "pool") return Number(r.capacity ?? 0);
  const seats = Number(r.seats ?? 0);
  const pool: PoolSeats =
    r.plan === "custom"
      ? { seats, plan: "custom", perSeat: Number(r.perSeat ?? 0) }
      : { seats, plan: r.plan === "copilot-enterprise" ? "copilot-enterprise" : "copilot-business" };
  return poolCapacity(pool, { start, end }).credits;
}

/**
 * UTC day → credits of the organisation's own report that sit on no team this month: rows without
 * a user (organisation level) and rows whose identity is not placed yet. They count against the pool.
 */
export async function monthDailyUnplacedSpend(
  db: DB,
  input: { organisationId: number; month: string },
): Promise<Record<string, number>> {
  const { rows } = await sql<{ day: string; credits: number | string }>`
    select to_char("day", 'YYYY-MM-DD') as day, sum(credits) as credits
    from organisation_spend_rows
    where organisation_id = ${input.organisationId} and month = ${input.month}
      and placement <> 'placed' and credits is not null
    group by 1`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.day, Number(r.credits)]));
}
