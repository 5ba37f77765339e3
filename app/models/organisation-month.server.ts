// An organisation's billing months: the pool settings of each month, opened automatically from the
// previous month the first time a month is read (its allocations come along), and saved by an org
// admin. Every query is scoped by organisation. The arithmetic is app/domain/organisation.
import { monthPool, validateAllocations, type MonthPool } from "~/domain/organisation";
import type { AllocationPolicy, OrganisationMonth, PoolExhaustionPolicy, PoolPlan, PoolSource } from "../../db/schema";
import type { DB } from "~/utils/db.server";

export const MONTH_COLUMNS = [
  "organisationId",
  "month",
  "poolSource",
  "plan",
  "seats",
  "includedPerSeat",
  "fixedCredits",
  "overageBudgetCredits",
  "exhaustionPolicy",
  "allocationPolicy",
  "openedFrom",
  "updatedAt",
] as const;

export type MonthSettings = Pick<
  OrganisationMonth,
  | "month"
  | "poolSource"
  | "plan"
  | "seats"
  | "includedPerSeat"
  | "fixedCredits"
  | "overageBudgetCredits"
  | "exhaustionPolicy"
  | "allocationPolicy"
  | "openedFrom"
>;

/** The month's pool and ceiling from its stored settings. */
export function poolOf(month: MonthSettings): MonthPool {
  const limits = { overageBudget: month.overageBudgetCredits, exhaustionPolicy: month.exhaustionPolicy };
  return month.poolSource === "seats"
    ? monthPool({ source: "seats", seats: month.seats ?? 0, includedPerSeat: month.includedPerSeat ?? 0, ...limits })
    : monthPool({ source: "fixed", fixedCredits: month.fixedCredits ?? 0, ...limits });
}

function readMonth(db: DB, input: { organisationId: number; month: string }) {
  return db
    .selectFrom("organisationMonths")
    .select(MONTH_COLUMNS)
    .where("organisationId", "=", input.organisationId)
    .where("month", "=", input.month)
    .executeTakeFirst();
}

/**
 * The month's settings. A month nobody has set up yet opens from the latest earlier month (its pool
 * settings and its allocations to teams still in the organisation), so the 1st of the month needs
 * nobody; earlier months are left as they were. undefined when the organisation has no month before
 * this one either (nothing to open from: an admin sets the pool up).
 */
export async function getOrOpenMonth(db: DB, input: { organisationId: number; month: string }) {
  const existing = await readMonth(db, input);
  if (existing) return existing;
  return db.transaction().execute(async (trx) => {
    const previous = await trx
      .selectFrom("organisationMonths")
      .select(MONTH_COLUMNS)
      .where("organisationId", "=", input.organisationId)
      .where("month", "<", input.month)
      .orderBy("month", "desc")
      .executeTakeFirst();
    if (!previous) return undefined;
    // Two first readers of a month race here: the second insert does nothing and both read the row.
    const opened = await trx
      .insertInto("organisationMonths")
      .values({
        organisationId: input.organisationId,
        month: input.month,
        poolSource: previous.poolSource,
        plan: previous.plan,
        seats: previous.seats,
        includedPerSeat: previous.includedPerSeat,
        fixedCredits: previous.fixedCredits,
        overageBudgetCredits: previous.overageBudgetCredits,
        exhaustionPolicy: previous.exhaustionPolicy,
        allocationPolicy: previous.allocationPolicy,
        openedFrom: previous.month,
        updatedBy: null,
      })
      .onConflict((oc) => oc.columns(["organisationId", "month"]).doNothing())
      .returning("month")
      .executeTakeFirst();
    if (opened) {
      await trx
        .insertInto("teamAllocations")
        .columns(["organisationId", "month", "teamId", "credits", "percent", "updatedBy"])
        .expression((eb) =>
          eb
            .selectFrom("teamAllocations as a")
            .innerJoin("organisationTeams as ot", (join) =>
              join.onRef("ot.teamId", "=", "a.teamId").onRef("ot.organisationId", "=", "a.organisationId"),
            )
            .select((s) => [
              "a.organisationId",
              s.val(input.month).as("month"),
              "a.teamId",
              "a.credits",
              "a.percent",
              s.val<number | null>(null).as("updatedBy"),
            ])
            .where("a.organisationId", "=", input.organisationId)
            .where("a.month", "=", previous.month)
            .where("ot.status", "=", "accepted"),
        )
        .execute();
    }
    return readMonth(trx, input);
  });
}

/** Months with settings, newest first: the history an admin can go back to. */
export function listMonths(db: DB, organisationId: number) {
  return db
    .selectFrom("organisationMonths")
    .select(["month", "openedFrom"])
    .where("organisationId", "=", organisationId)
    .orderBy("month", "desc")
    .limit(36)
    .execute();
}

export interface MonthPoolInput {
  poolSource: PoolSource;
  plan: PoolPlan | null;
  seats: number | null;
  includedPerSeat: number | null;
  fixedCredits: number | null;
  overageBudgetCredits: number;
  exhaustionPolicy: PoolExhaustionPolicy;
  allocationPolicy: AllocationPolicy;
}

export class PoolTooSmallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PoolTooSmallError";
  }
}

/**
 * Saves a month's pool. Allocations given as a share follow the new pool; when the allocations would
 * then exceed what the month can spend the change is refused (PoolTooSmallError) and nothing is
 * written, so lowering the pool never leaves the month over-allocated.
 */
export async function saveMonthPool(
  db: DB,
  input: { organisationId: number; month: string; userId: number; settings: MonthPoolInput },
) {
  const s = input.settings;
  const values = {
    poolSource: s.poolSource,
    plan: s.poolSource === "seats" ? s.plan : null,
    seats: s.poolSource === "seats" ? s.seats : null,
    includedPerSeat: s.poolSource === "seats" ? s.includedPerSeat : null,
    fixedCredits: s.poolSource === "fixed" ? s.fixedCredits : null,
    overageBudgetCredits: s.overageBudgetCredits,
    exhaustionPolicy: s.exhaustionPolicy,
    allocationPolicy: s.allocationPolicy,
    updatedBy: input.userId,
    updatedAt: new Date(),
  };
  const pool = poolOf({ month: input.month, openedFrom: null, ...values });
  await db.transaction().execute(async (trx) => {
    // The month's row first (saveAllocations and grantException lock it too): locking only the
    // allocations let an allocation of the old pool, not yet written, slip past the check below.
    await trx
      .selectFrom("organisationMonths")
      .select("month")
      .where("organisationId", "=", input.organisationId)
      .where("month", "=", input.month)
      .forUpdate()
      .execute();
    const allocations = await trx
      .selectFrom("teamAllocations")
      .select(["teamId", "credits", "percent"])
      .where("organisationId", "=", input.organisationId)
      .where("month", "=", input.month)
      .forUpdate()
      .execute();
    const checked = validateAllocations(
      pool.included,
      pool.usableOverage,
      allocations.map((a) =>
        a.percent === null
          ? { teamId: String(a.teamId), kind: "credits" as const, credits: a.credits }
          : { teamId: String(a.teamId), kind: "percent" as const, percent: a.percent },
      ),
    );
    if (!checked.ok) {
      throw new PoolTooSmallError(
        `${checked.errors.map((e) => e.message).join(" ")} Lower the allocations first, or keep a larger pool.`,
      );
    }
    await trx
      .insertInto("organisationMonths")
      .values({ organisationId: input.organisationId, month: input.month, ...values })
      .onConflict((oc) => oc.columns(["organisationId", "month"]).doUpdateSet(values))
      .execute();
    for (const a of checked.allocations) {
      if (a.kind !== "percent") continue;
      await trx
        .updateTable("teamAllocations")
        .set({ credits: a.credits })
        .where("organisationId", "=", input.organisationId)
        .where("month", "=", input.month)
        .where("teamId", "=", Number(a.teamId))
        .execute();
    }
  });
}
