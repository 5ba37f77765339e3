// How big an organisation's month is: the included pool (from seats, or a number a person types)
// and the ceiling spend may reach when the vendor allows metered overage up to a paid budget.

import { assertFiniteCredits, roundCredits, toHundredths, fromHundredths } from "./credits";

/** What happens when the included pool is empty (the choice the vendor offers). */
export type PoolExhaustionPolicy = "block" | "metered";

export type PoolSource =
  /** plan seats × included credits per seat; per-seat is data because vendors change it. */
  | { source: "seats"; seats: number; includedPerSeat: number }
  /** A number of credits, e.g. a contract that is not per seat. */
  | { source: "fixed"; fixedCredits: number };

export type MonthPoolInput = PoolSource & {
  /** Paid-overage budget in credits; 0 or absent = none. */
  overageBudget?: number;
  /** Absent = "metered" (overage up to the budget). "block" ignores the budget: spend stops at the pool. */
  exhaustionPolicy?: PoolExhaustionPolicy;
};

export interface MonthPool {
  /** Credits included this month (2 dp). */
  included: number;
  /** Overage spend may add on top: the budget, or 0 when the policy blocks. */
  usableOverage: number;
  /** included + usableOverage: the most the month can spend. */
  ceiling: number;
  /** One line per step, for the "how is this computed?" disclosure. */
  explanation: string[];
}

const format = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/**
 * The month's pool and ceiling.
 *
 * - seats: `seats × includedPerSeat` (seats must be whole).
 * - fixed: the number given.
 * - ceiling: pool + overage budget, unless the policy is "block" (then the budget is not spendable).
 * Throws RangeError on negative, fractional seats, NaN, Infinity or absurd (> 1e12) amounts.
 */
export function monthPool(input: MonthPoolInput): MonthPool {
  let included: number;
  const explanation: string[] = [];
  if (input.source === "seats") {
    if (!Number.isSafeInteger(input.seats) || input.seats < 0) {
      throw new RangeError(`Seats must be a whole number ≥ 0, got ${input.seats}`);
    }
    assertFiniteCredits("Included credits per seat", input.includedPerSeat);
    // Multiply in hundredths so 3 × 0.1 is 0.3, not 0.30000000000000004.
    included = fromHundredths(input.seats * toHundredths(input.includedPerSeat));
    assertFiniteCredits("Pool", included);
    explanation.push(
      `${format.format(input.seats)} ${input.seats === 1 ? "seat" : "seats"} × ${format.format(input.includedPerSeat)} included credits = ${format.format(included)} credits.`,
    );
  } else {
    assertFiniteCredits("Pool", input.fixedCredits);
    included = roundCredits(input.fixedCredits);
    explanation.push(`A fixed pool of ${format.format(included)} credits.`);
  }

  const budget = roundCredits(input.overageBudget ?? 0);
  assertFiniteCredits("Overage budget", budget);
  const policy: PoolExhaustionPolicy = input.exhaustionPolicy ?? "metered";
  const usableOverage = policy === "block" ? 0 : budget;
  if (policy === "block") {
    explanation.push(
      budget > 0
        ? `Spend is blocked when the pool is empty, so the overage budget of ${format.format(budget)} is not spendable.`
        : "Spend is blocked when the pool is empty.",
    );
  } else if (usableOverage > 0) {
    explanation.push(`Metered overage up to ${format.format(usableOverage)} credits.`);
  }
  const ceiling = fromHundredths(toHundredths(included) + toHundredths(usableOverage));
  explanation.push(`The month can spend at most ${format.format(ceiling)} credits.`);
  return { included, usableOverage, ceiling, explanation };
}
