// A sprint that straddles a billing month draws on both months' allocations. Its capacity is split
// by the sprint's working days (Mon–Fri) in each month: a two-week sprint with 3 of its 10 working
// days in March puts 30 % of its capacity on March. The parts are in hundredths and always add up to
// exactly the sprint's capacity (rounded to 2 dp).

import { addDays, workingDaysBetween } from "../capacity";
import { firstDayOfMonth, lastDayOfMonth, nextMonth, type BillingMonth } from "./billing-month";
import { assertFiniteCredits, distributeHundredths, fromHundredths, toHundredths } from "./credits";

export interface MonthPart {
  month: BillingMonth;
  /** First and last day of the sprint inside this month. */
  from: string;
  to: string;
  /** Sprint working days inside this month. */
  workingDays: number;
  /** This month's part of the capacity (2 dp). */
  credits: number;
}

/**
 * Splits `capacity` over the months `start`…`end` touch, in proportion to working days. A sprint
 * with no working day at all (a weekend hackathon) splits by calendar days instead, so its
 * capacity still lands somewhere. Throws when `end` is before `start` or a date is not real.
 */
export function splitAcrossMonths(start: string, end: string, capacity: number): MonthPart[] {
  return monthSplitter(start, end)(capacity);
}

/**
 * The split of one sprint, ready for several amounts: the months and their working days are worked
 * out once (the costly part), then each amount (capacity, committed expected, p80) is distributed
 * over them exactly as `splitAcrossMonths` would.
 */
export function monthSplitter(start: string, end: string): (amount: number) => MonthPart[] {
  // addDays validates both dates.
  addDays(start, 0);
  addDays(end, 0);
  if (end < start) throw new RangeError(`Sprint ends (${end}) before it starts (${start})`);

  const pieces: Omit<MonthPart, "credits">[] = [];
  for (let month = start.slice(0, 7); `${month}-01` <= end; month = nextMonth(month)) {
    const from = start > firstDayOfMonth(month) ? start : firstDayOfMonth(month);
    const to = end < lastDayOfMonth(month) ? end : lastDayOfMonth(month);
    pieces.push({ month, from, to, workingDays: workingDaysBetween(from, to) });
  }
  const totalWorking = pieces.reduce((sum, p) => sum + p.workingDays, 0);
  const weights =
    totalWorking > 0
      ? pieces.map((p) => p.workingDays)
      : pieces.map((p) => Number(p.to.slice(8, 10)) - Number(p.from.slice(8, 10)) + 1);
  return (amount) => {
    assertFiniteCredits("Capacity", amount);
    const parts = distributeHundredths(toHundredths(amount), weights);
    return pieces.map((p, i) => ({ ...p, credits: fromHundredths(parts[i]!) }));
  };
}

/** The part of a sprint's capacity that falls in `month` (0 when the sprint does not touch it). */
export function capacityInMonth(sprint: { start: string; end: string; capacity: number }, month: BillingMonth): number {
  return splitAcrossMonths(sprint.start, sprint.end, sprint.capacity).find((p) => p.month === month)?.credits ?? 0;
}
