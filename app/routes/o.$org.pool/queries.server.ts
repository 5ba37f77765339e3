import { INCLUDED_CREDITS_PER_SEAT } from "~/domain/capacity";
import { listMonthAllocations } from "~/models/allocation.server";
import { getOrOpenMonth, listMonths, poolOf } from "~/models/organisation-month.server";
import { listAttachedTeams, listCostCenters } from "~/models/organisation.server";
import type { DB } from "~/utils/db.server";

/** Everything the pool page shows for one month: settings, pool, allocations, cost centers. */
export async function loadPoolPage(db: DB, input: { organisationId: number; month: string }) {
  const month = await getOrOpenMonth(db, input);
  const pool = month ? poolOf(month) : null;
  const [teams, allocations, costCenters, months] = await Promise.all([
    listAttachedTeams(db, input.organisationId),
    listMonthAllocations(db, input),
    listCostCenters(db, input.organisationId),
    listMonths(db, input.organisationId),
  ]);
  const byTeam = new Map(allocations.map((a) => [a.teamId, a]));
  const allocated = allocations.reduce((sum, a) => sum + a.credits, 0);
  return {
    month: input.month,
    settings: month ?? null,
    pool,
    teams: teams.map((t) => ({
      teamId: t.teamId,
      name: t.name,
      costCenterId: t.costCenterId,
      credits: byTeam.get(t.teamId)?.credits ?? null,
      percent: byTeam.get(t.teamId)?.percent ?? null,
    })),
    allocated,
    reserve: pool ? pool.ceiling - allocated : null,
    costCenters,
    months: months.map((m) => m.month),
    perSeatDefaults: INCLUDED_CREDITS_PER_SEAT,
  };
}
