// A team in an organisation draws its sprints' capacity from its month allocations. A sprint's
// capacity is split across the months it touches by working days (splitAcrossMonths); in each month
// the team's other sprints already take their parts, and what is left of the allocation is compared
// with this sprint's part. The org's allocation policy then warns or refuses.
import { splitAcrossMonths } from "./month-split";
import { fromHundredths, toHundredths } from "./credits";

export interface MonthBudget {
  month: string;
  allocation: number;
  /** The month's parts of the team's other sprints. */
  otherSprints: number;
  policy: "warn" | "refuse";
}

export interface SprintMonthCheck {
  month: string;
  allocation: number;
  otherSprints: number;
  /** allocation − otherSprints (negative: already over before this sprint). */
  left: number;
  /** This sprint's part of the month. */
  thisSprint: number;
  /** How far this sprint takes the month past its allocation (0 when it fits). */
  over: number;
  policy: "warn" | "refuse";
}

/**
 * Per month the sprint touches (only months with an allocation row are checked; a month without a
 * pool limits nothing): what is left and whether the sprint fits. `refused` when any month over its
 * allocation has the 'refuse' policy; `warned` when some month is over under 'warn'.
 */
export function checkSprintAgainstAllocations(
  sprint: { start: string; end: string; capacity: number },
  budgets: readonly MonthBudget[],
): { months: SprintMonthCheck[]; warned: boolean; refused: boolean } {
  const byMonth = new Map(budgets.map((b) => [b.month, b]));
  const months = splitAcrossMonths(sprint.start, sprint.end, sprint.capacity).flatMap((part) => {
    const budget = byMonth.get(part.month);
    if (!budget) return [];
    const leftH = toHundredths(budget.allocation) - toHundredths(budget.otherSprints);
    const overH = Math.max(0, toHundredths(part.credits) - Math.max(0, leftH));
    return [
      {
        month: part.month,
        allocation: budget.allocation,
        otherSprints: budget.otherSprints,
        left: fromHundredths(leftH),
        thisSprint: part.credits,
        over: part.credits > 0 ? fromHundredths(overH) : 0,
        policy: budget.policy,
      },
    ];
  });
  const overMonths = months.filter((m) => m.over > 0);
  return {
    months,
    refused: overMonths.some((m) => m.policy === "refuse"),
    warned: overMonths.some((m) => m.policy === "warn"),
  };
}
