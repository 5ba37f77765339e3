// A month's pool split across the organisation's teams. Checked here, inside the transaction that
// writes it, against the month's pool plus usable overage and each cost center's cap, so no request
// shape can over-allocate. Every query is scoped by organisation (and month).
import { splitAcrossMonths, validateAllocations, type AllocationInput } from "~/domain/organisation";
import { checkSprintAgainstAllocations, type MonthBudget } from "~/domain/organisation/sprint-allocation";
import { monthPlansByTeam } from "~/models/organisation-burn.server";
import { roundCredits } from "~/domain/organisation/credits";
import { getOrOpenMonth, MONTH_COLUMNS, poolOf } from "~/models/organisation-month.server";
import { listAttachedTeams, logOrgEvent } from "~/models/organisation.server";
import type { DB } from "~/utils/db.server";

export function listMonthAllocations(db: DB, input: { organisationId: number; month: string }) {
  return db
    .selectFrom("teamAllocations")
    .select(["teamId", "credits", "percent"])
    .where("organisationId", "=", input.organisationId)
    .where("month", "=", input.month)
    .execute();
}

export type AllocationSaveResult =
  | { ok: true; allocated: number; reserve: number }
  | { ok: false; errors: { teamId: number | null; message: string }[] };

/**
 * Replaces the month's allocations of the organisation's attached teams (a team left out gets none).
 * Refused, with nothing written, when the month has no pool yet, a team is not in the organisation,
 * the total is over the pool plus usable overage, or a cost center's teams get more than its cap.
 */
export async function saveAllocations(
  db: DB,
  input: {
    organisationId: number;
    month: string;
    userId: number;
    allocations: (
      { teamId: number; kind: "credits"; credits: number } | { teamId: number; kind: "percent"; percent: number }
    )[];
  },
): Promise<AllocationSaveResult> {
  // Opening the month (from the previous one) is its own transaction; everything after it runs
  // under a lock on the month's row, which saveMonthPool and grantException take too: checked
  // outside it, an allocation of the old pool raced a lowered pool (or a grant from the reserve)
  // and left the month over-allocated.
  await getOrOpenMonth(db, input);
  return db.transaction().execute(async (trx): Promise<AllocationSaveResult> => {
    const month = await trx
      .selectFrom("organisationMonths")
      .select(MONTH_COLUMNS)
      .where("organisationId", "=", input.organisationId)
      .where("month", "=", input.month)
      .forUpdate()
      .executeTakeFirst();
    if (!month) return { ok: false, errors: [{ teamId: null, message: "Set up this month's pool first." }] };
    const pool = poolOf(month);
    const teams = await listAttachedTeams(trx, input.organisationId);
    const attached = new Map(teams.map((t) => [t.teamId, t]));
    const foreign = input.allocations.find((a) => !attached.has(a.teamId));
    if (foreign)
      return { ok: false, errors: [{ teamId: foreign.teamId, message: "That team is not in the organisation." }] };

    const domainInput: AllocationInput[] = input.allocations.map((a) =>
      a.kind === "credits"
        ? { teamId: String(a.teamId), kind: "credits", credits: a.credits }
        : { teamId: String(a.teamId), kind: "percent", percent: a.percent },
    );
    const checked = validateAllocations(pool.included, pool.usableOverage, domainInput);
    if (!checked.ok) {
      return {
        ok: false,
        errors: checked.errors.map((e) => ({
          teamId: e.teamId === null ? null : Number(e.teamId),
          message: e.message,
        })),
      };
    }

    // A cost center's cap bounds what its teams together may be given.
    const centers = await trx
      .selectFrom("costCenters")
      .select(["id", "name", "capCredits"])
      .where("organisationId", "=", input.organisationId)
      .where("capCredits", "is not", null)
      .execute();
    const capErrors = centers.flatMap((c) => {
      const total = roundCredits(
        checked.allocations
          .filter((a) => attached.get(Number(a.teamId))?.costCenterId === c.id)
          .reduce((sum, a) => sum + a.credits, 0),
      );
      return total > (c.capCredits ?? Infinity)
        ? [{ teamId: null, message: `${c.name}'s teams would get ${total} credits, over its cap of ${c.capCredits}.` }]
        : [];
    });
    if (capErrors.length) return { ok: false, errors: capErrors };

    await trx
      .deleteFrom("teamAllocations")
      .where("organisationId", "=", input.organisationId)
      .where("month", "=", input.month)
      .where(
        "teamId",
        "in",
        teams.map((t) => t.teamId),
      )
      .execute();
    const rows = checked.allocations.map((a) => ({
      organisationId: input.organisationId,
      month: input.month,
      teamId: Number(a.teamId),
      credits: a.credits,
      percent: a.kind === "percent" ? a.percentOfPool : null,
      updatedBy: input.userId,
    }));
    if (rows.length) await trx.insertInto("teamAllocations").values(rows).execute();
    await logOrgEvent(trx, {
      organisationId: input.organisationId,
      actorId: input.userId,
      kind: "allocations",
      message: `Allocated ${checked.allocated} credits of ${input.month}; ${checked.reserve} in reserve.`,
    });
    return { ok: true, allocated: checked.allocated, reserve: checked.reserve };
  });
}

/**
 * What a team may draw in a month: the organisation it is in, the month's allocation policy and the
 * team's allocation (null when the team is in no organisation or the month has no pool).
 */
export async function getTeamMonthAllocation(db: DB, input: { teamId: number; month: string }) {
  const link = await db
    .selectFrom("organisationTeams as ot")
    .innerJoin("organisations as o", "o.id", "ot.organisationId")
    .select(["o.id as organisationId", "o.slug", "o.name"])
    .where("ot.teamId", "=", input.teamId)
    .where("ot.status", "=", "accepted")
    .executeTakeFirst();
  if (!link) return null;
  const month = await getOrOpenMonth(db, { organisationId: link.organisationId, month: input.month });
  if (!month) return null;
  const allocation = await db
    .selectFrom("teamAllocations")
    .select(["credits"])
    .where("organisationId", "=", link.organisationId)
    .where("month", "=", input.month)
    .where("teamId", "=", input.teamId)
    .executeTakeFirst();
  return {
    organisation: { id: link.organisationId, slug: link.slug, name: link.name },
    month: input.month,
    policy: month.allocationPolicy,
    allocation: allocation?.credits ?? 0,
  };
}

/**
 * What a sprint of this team (dates, capacity) draws from the organisation's month allocations:
 * per month it touches, the allocation, what the team's other sprints take and this sprint's part.
 * null when the team is in no organisation. Months without a pool are not limited.
 */
export async function checkSprintAllocation(
  db: DB,
  input: { teamId: number; start: string; end: string; capacity: number; excludeSprintId?: number },
) {
  const link = await db
    .selectFrom("organisationTeams as ot")
    .innerJoin("organisations as o", "o.id", "ot.organisationId")
    .select(["o.id as organisationId", "o.slug", "o.name"])
    .where("ot.teamId", "=", input.teamId)
    .where("ot.status", "=", "accepted")
    .executeTakeFirst();
  if (!link) return null;
  const budgets: MonthBudget[] = [];
  for (const part of splitAcrossMonths(input.start, input.end, input.capacity)) {
    const month = await getOrOpenMonth(db, { organisationId: link.organisationId, month: part.month });
    if (!month) continue;
    const allocation = await db
      .selectFrom("teamAllocations")
      .select("credits")
      .where("organisationId", "=", link.organisationId)
      .where("month", "=", part.month)
      .where("teamId", "=", input.teamId)
      .executeTakeFirst();
    const plans = await monthPlansByTeam(db, {
      teamIds: [input.teamId],
      month: part.month,
      excludeSprintId: input.excludeSprintId,
    });
    budgets.push({
      month: part.month,
      allocation: allocation?.credits ?? 0,
      otherSprints: plans.get(input.teamId)?.capacity ?? 0,
      policy: month.allocationPolicy,
    });
  }
  return {
    organisation: { slug: link.slug, name: link.name },
    ...checkSprintAgainstAllocations({ start: input.start, end: input.end, capacity: input.capacity }, budgets),
  };
}
