import { datesBetween, isWorkingDay } from "~/domain/capacity";
import { alertLevels, describeRunOut, projectOrganisationMonth, type MonthProjection } from "~/domain/organisation";
import { listMonthAllocations } from "~/models/allocation.server";
import { monthDailySpendByTeam, monthDailyUnplacedSpend, monthPlansByTeam } from "~/models/organisation-burn.server";
import { getOrOpenMonth, poolOf } from "~/models/organisation-month.server";
import { listAttachedTeams, listCostCenters } from "~/models/organisation.server";
import { firstDayOfMonth, lastDayOfMonth } from "~/domain/organisation/billing-month";
import type { DB } from "~/utils/db.server";

export interface TeamBurnRow {
  id: string;
  teamId: number;
  name: string;
  costCenter: string | null;
  allocation: number;
  spent: number;
  committedExpected: number;
  committedP80: number;
  /** allocation − spent (negative: over). */
  remaining: number;
  projectedMonthEnd: number | null;
  runOut: string;
  /** The day the allocation is used up at this rate (or was), null when it lasts the month. */
  runOutDate: string | null;
  /** Highest of 75/90/100 % of the allocation reached, or null. */
  alert: number | null;
  /** ok: can still spend; risk: on course to pass its allocation; over: past it. */
  status: "ok" | "risk" | "over";
}

export interface CostCenterRow {
  id: string;
  name: string;
  cap: number | null;
  allocation: number;
  spent: number;
  committedExpected: number;
  committedP80: number;
  remaining: number;
  projectedMonthEnd: number | null;
}

function statusOf(p: MonthProjection): TeamBurnRow["status"] {
  if (p.spentToDate >= p.limit && p.limit >= 0 && p.spentToDate > 0) return "over";
  if ((p.projectedMonthEnd ?? 0) > p.limit || p.committed.expected > p.limit) return "risk";
  return "ok";
}

const top = (levels: number[]) => (levels.length ? levels[levels.length - 1]! : null);

/**
 * The overview of one month: per team and cost center, allocation against actual spend, committed
 * work (expected and p80) from sprint plans and the projection to month end; for the organisation,
 * the pool, the ceiling and the day the pool runs out at the current rate. Team totals only.
 */
export async function loadOverview(db: DB, input: { organisationId: number; month: string; today: string }) {
  // Two rounds: what needs neither the month nor the teams goes with them; the allocations wait
  // for the month (opening it copies last month's), the spend and plans for the team ids.
  const [settings, teams, unplacedDaily, centers] = await Promise.all([
    getOrOpenMonth(db, input),
    listAttachedTeams(db, input.organisationId),
    monthDailyUnplacedSpend(db, input),
    listCostCenters(db, input.organisationId),
  ]);
  const pool = settings ? poolOf(settings) : null;
  const teamIds = teams.map((t) => t.teamId);
  const [allocations, daily, plans] = await Promise.all([
    listMonthAllocations(db, input),
    monthDailySpendByTeam(db, { teamIds, month: input.month }),
    monthPlansByTeam(db, { teamIds, month: input.month }),
  ]);
  const allocationOf = new Map(allocations.map((a) => [a.teamId, a.credits]));
  const projection = projectOrganisationMonth({
    month: input.month,
    today: input.today,
    pool: pool?.included ?? 0,
    ceiling: pool ? pool.ceiling : undefined,
    teams: teams.map((t) => ({
      teamId: String(t.teamId),
      allocation: allocationOf.get(t.teamId) ?? 0,
      dailySpend: daily.get(t.teamId) ?? {},
      committed: { expected: plans.get(t.teamId)?.expected ?? 0, p80: plans.get(t.teamId)?.p80 ?? 0 },
    })),
    unplacedDailySpend: unplacedDaily,
  });
  const byTeam = new Map(projection.teams.map((p) => [Number(p.teamId), p.projection]));

  const rows: TeamBurnRow[] = teams.map((t) => {
    const p = byTeam.get(t.teamId)!;
    return {
      id: String(t.teamId),
      teamId: t.teamId,
      name: t.name,
      costCenter: t.costCenterName,
      allocation: p.limit,
      spent: p.spentToDate,
      committedExpected: p.committed.expected,
      committedP80: p.committed.p80,
      remaining: p.limit - p.spentToDate,
      projectedMonthEnd: p.projectedMonthEnd,
      runOut: describeRunOut(p, "the allocation"),
      runOutDate: p.runOutDate,
      alert: top(alertLevels(p.spentToDate, p.limit)),
      status: statusOf(p),
    };
  });

  const centerRows: CostCenterRow[] = [
    ...centers.map((c) => ({ id: String(c.id), name: c.name, cap: c.capCredits })),
    { id: "none", name: "No cost center", cap: null },
  ]
    .map((c) => {
      const mine = rows.filter((r) =>
        c.id === "none"
          ? r.costCenter === null
          : teams.find((t) => t.teamId === r.teamId)?.costCenterId === Number(c.id),
      );
      const sum = (f: (r: TeamBurnRow) => number) => mine.reduce((s, r) => s + f(r), 0);
      const projected = mine.every((r) => r.projectedMonthEnd === null)
        ? null
        : sum((r) => r.projectedMonthEnd ?? r.spent);
      return {
        ...c,
        teams: mine.length,
        allocation: sum((r) => r.allocation),
        spent: sum((r) => r.spent),
        committedExpected: sum((r) => r.committedExpected),
        committedP80: sum((r) => r.committedP80),
        remaining: sum((r) => r.remaining),
        projectedMonthEnd: projected,
      };
    })
    .filter((c) => c.teams > 0 || c.id !== "none");

  const total = projection.total;
  return {
    month: input.month,
    today: input.today,
    hasPool: !!pool,
    pool: pool ? { included: pool.included, ceiling: pool.ceiling, usableOverage: pool.usableOverage } : null,
    exhaustionPolicy: settings?.exhaustionPolicy ?? null,
    allocated: rows.reduce((s, r) => s + r.allocation, 0),
    unplacedSpent: projection.unplaced.spentToDate,
    total: {
      spent: total.spentToDate,
      projectedMonthEnd: total.projectedMonthEnd,
      committedExpected: total.committed.expected,
      committedP80: total.committed.p80,
      runOutDate: total.runOutDate,
      runOut: pool ? describeRunOut(total, "the pool") : "No pool is set for this month.",
      ceilingReachedDate: total.ceilingReachedDate,
      alert: pool ? top(alertLevels(total.spentToDate, pool.included)) : null,
    },
    daily: cumulativeByDay(input.month, input.today, [...daily.values(), unplacedDaily], total.ratePerWorkingDay),
    teams: rows,
    costCenters: centerRows,
  };
}

/** The chart's points: cumulative actual spend to today, then the projection at the current rate. */
function cumulativeByDay(
  month: string,
  today: string,
  maps: Record<string, number>[],
  rate: number | null,
): { day: string; actual: number | null; projected: number | null }[] {
  let actual = 0;
  let projected = 0;
  return datesBetween(firstDayOfMonth(month), lastDayOfMonth(month)).map((day) => {
    if (day <= today) {
      for (const m of maps) actual += m[day] ?? 0;
      projected = actual;
      return { day, actual, projected: day === today ? actual : null };
    }
    if (rate !== null && isWorkingDay(day)) projected += rate;
    return { day, actual: null, projected: rate === null ? null : projected };
  });
}
