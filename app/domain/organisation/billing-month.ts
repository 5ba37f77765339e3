// The vendor's billing month. Copilot's pool resets at 00:00 UTC on the 1st, so an organisation
// month is a calendar month in UTC — never the team's local month: a Sydney team's 1 March
// morning still spends February's pool. Months are `YYYY-MM` strings, days `YYYY-MM-DD`.

import { addDays, daysInCalendarMonth, isWorkingDay, workingDaysBetween } from "../capacity";

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A billing month: `YYYY-MM`. */
export type BillingMonth = string;

/** Throws unless `month` is a real `YYYY-MM` (years 1970–9999: anything else is a typo or an attack). */
export function assertBillingMonth(month: string): void {
  const m = typeof month === "string" ? MONTH_RE.exec(month) : null;
  if (!m || Number(m[1]) < 1970) throw new RangeError(`Not a YYYY-MM month: ${JSON.stringify(month)}`);
}

export function isBillingMonth(month: string): boolean {
  try {
    assertBillingMonth(month);
    return true;
  } catch {
    return false;
  }
}

function assertDay(day: string): void {
  // addDays validates real dates (it throws on 2025-02-30); the regex keeps its message specific.
  if (typeof day !== "string" || !DAY_RE.test(day))
    throw new RangeError(`Not a YYYY-MM-DD date: ${JSON.stringify(day)}`);
  addDays(day, 0);
}

/** The billing month an instant falls in, in UTC. */
export function billingMonthOf(instant: Date): BillingMonth {
  if (Number.isNaN(instant.getTime())) throw new RangeError("Invalid date");
  return instant.toISOString().slice(0, 7);
}

/** The billing month a `YYYY-MM-DD` (UTC) day belongs to. */
export function billingMonthOfDay(day: string): BillingMonth {
  assertDay(day);
  return day.slice(0, 7);
}

/** Today's UTC date; `now` is passed in so callers (and tests) decide what "now" is. */
export function utcToday(now: Date): string {
  if (Number.isNaN(now.getTime())) throw new RangeError("Invalid date");
  return now.toISOString().slice(0, 10);
}

export function firstDayOfMonth(month: BillingMonth): string {
  assertBillingMonth(month);
  return `${month}-01`;
}

export function nextMonth(month: BillingMonth): BillingMonth {
  assertBillingMonth(month);
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${year + 1}-01` : `${month.slice(0, 4)}-${String(m + 1).padStart(2, "0")}`;
}

export function previousMonth(month: BillingMonth): BillingMonth {
  assertBillingMonth(month);
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 1 ? `${year - 1}-12` : `${month.slice(0, 4)}-${String(m - 1).padStart(2, "0")}`;
}

export function lastDayOfMonth(month: BillingMonth): string {
  return addDays(firstDayOfMonth(nextMonth(month)), -1);
}

/** 28–31. */
export function daysInMonth(month: BillingMonth): number {
  assertBillingMonth(month);
  return daysInCalendarMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)));
}

/** Mon–Fri days in the month (20–23). */
export function workingDaysInMonth(month: BillingMonth): number {
  return workingDaysBetween(firstDayOfMonth(month), lastDayOfMonth(month));
}

/**
 * Calendar days of `month` that have begun by `today`, today included (its spend so far counts):
 * 0 before the month, `daysInMonth` after it.
 */
export function daysElapsed(month: BillingMonth, today: string): number {
  assertDay(today);
  const first = firstDayOfMonth(month);
  const last = lastDayOfMonth(month);
  if (today < first) return 0;
  if (today > last) return daysInMonth(month);
  return Number(today.slice(8, 10));
}

/** Working days of `month` from its 1st through `today` (inclusive), clamped like {@link daysElapsed}. */
export function workingDaysElapsed(month: BillingMonth, today: string): number {
  assertDay(today);
  const first = firstDayOfMonth(month);
  const last = lastDayOfMonth(month);
  if (today < first) return 0;
  return workingDaysBetween(first, today < last ? today : last);
}

/** Every month from `from` to `to`, both inclusive; empty when `to` is before `from`. */
export function monthsBetween(from: BillingMonth, to: BillingMonth): BillingMonth[] {
  assertBillingMonth(from);
  assertBillingMonth(to);
  const months: BillingMonth[] = [];
  for (let m = from; m <= to; m = nextMonth(m)) months.push(m);
  return months;
}

/** The UTC instants bounding a month, `[start, end)`: the range a SQL query on timestamps wants. */
export function monthInstantRange(month: BillingMonth): { start: string; end: string } {
  return {
    start: `${firstDayOfMonth(month)}T00:00:00.000Z`,
    end: `${firstDayOfMonth(nextMonth(month))}T00:00:00.000Z`,
  };
}

export { isWorkingDay };

/** The month a page's `?month=` asks for, or the current UTC month when it is missing or not a month. */
export function monthFromQuery(value: string | null, now: Date): BillingMonth {
  // The app's days run 2000–2100 (docs/decisions/0018-input-rules.md). A page's month must stay
  // well inside what isBillingMonth takes: ?month=9999-12 made the page's "next month" link throw
  // (a 500 for any viewer's GET).
  const year = value !== null && isBillingMonth(value) ? Number(value.slice(0, 4)) : NaN;
  return year >= 2000 && year <= 2100 ? value! : billingMonthOf(now);
}
