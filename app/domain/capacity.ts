// Sprint capacity in AI credits: how much a sprint may spend, what is committed against it, what
// happens when a commit would exceed it, and how spend burns up during the sprint.
//
// Pure domain code: plain values in and out, dates as `YYYY-MM-DD` strings. Time zones go through
// the built-in Intl API only, because "working days and daily burn follow the team's time zone".
import { formatCredits } from "~/domain/credits";

import { formatDayRange, formatMonth } from "~/domain/dates";

// ---------------------------------------------------------------------------------------------
// Dates and working days
// ---------------------------------------------------------------------------------------------

const MS_PER_DAY = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Day number since 1970-01-01. Throws on anything that is not a real `YYYY-MM-DD` date. Integer
 * arithmetic (days from the civil date, proleptic Gregorian) rather than parsing a `Date` and
 * printing it back: pages that project a month per team call it thousands of times.
 */
function dayNumber(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  if (!DATE_RE.test(date) || month < 1 || month > 12 || day < 1 || day > daysInCalendarMonth(year, month)) {
    throw new RangeError(`Not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  }
  // Years counted from March, so the leap day ends a year (H. Hinnant, "chrono-compatible
  // low-level date algorithms").
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** 28–31 for `month` 1–12 of `year` (Gregorian leap years). */
export function daysInCalendarMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

function fromDayNumber(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isWeekdayNumber(day: number): boolean {
  const w = weekday(day);
  return w >= 1 && w <= 5;
}

function assertRange(start: string, end: string): void {
  if (dayNumber(end) < dayNumber(start)) {
    throw new RangeError(`Sprint ends (${end}) before it starts (${start})`);
  }
}

/** `date` shifted by `days` calendar days (negative goes back). */
export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

/** Monday to Friday. Public holidays are deliberately not modelled: they vary per team and country. */
export function isWorkingDay(date: string): boolean {
  return isWeekdayNumber(dayNumber(date));
}

/** Every calendar date from `start` to `end`, both inclusive; empty when `end` is before `start`. */
export function datesBetween(start: string, end: string): string[] {
  const from = dayNumber(start);
  const to = dayNumber(end);
  const dates: string[] = [];
  for (let d = from; d <= to; d++) dates.push(fromDayNumber(d));
  return dates;
}

/** Mon–Fri days from `start` to `end`, both inclusive; 0 when `end` is before `start`. */
export function workingDaysBetween(start: string, end: string): number {
  const from = dayNumber(start);
  const to = dayNumber(end);
  if (to < from) return 0;
  const calendarDays = to - from + 1;
  // Whole weeks hold exactly five working days; only the leftover days need a look.
  const wholeWeeks = Math.floor(calendarDays / 7);
  let count = wholeWeeks * 5;
  for (let d = from + wholeWeeks * 7; d <= to; d++) if (isWeekdayNumber(d)) count++;
  return count;
}

// An instant must carry its offset: without one, JavaScript reads it in the server's zone, which
// would make bucketing depend on where the code runs.
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function dayInZone(epochMs: number, timeZone: string): string {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    // Throws RangeError for an unknown zone, which is what a caller with a bad setting should see.
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      calendar: "gregory",
      numberingSystem: "latn",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    dayFormatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(epochMs);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year").padStart(4, "0")}-${part("month")}-${part("day")}`;
}

/** The team-local calendar day an instant (ISO 8601 with `Z` or an offset) falls on. */
export function localDay(isoTimestamp: string, timeZone: string): string {
  const ms = INSTANT_RE.test(isoTimestamp) ? Date.parse(isoTimestamp) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new RangeError(`Not an ISO 8601 timestamp with a time zone offset: ${JSON.stringify(isoTimestamp)}`);
  }
  return dayInZone(ms, timeZone);
}

/** Today's date in the team's time zone; `now` is passed in so the function stays pure. */
export function todayIn(timeZone: string, now: Date): string {
  return dayInZone(now.getTime(), timeZone);
}

/** Sums spend entries into team-local days: the `dailySpend` input of {@link burnUp}. */
export function spendByDay(
  entries: readonly { at: string; credits: number }[],
  timeZone: string,
): Record<string, number> {
  const byDay: Record<string, number> = {};
  for (const entry of entries) {
    const day = localDay(entry.at, timeZone);
    byDay[day] = (byDay[day] ?? 0) + entry.credits;
  }
  return byDay;
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

function credits(value: number): string {
  const text = formatCredits(value);
  return `${text} ${text === "1" ? "credit" : "credits"}`;
}

function assertCredits(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number of credits ≥ 0, got ${value}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Capacity: a plain number, or the pool calculator
// ---------------------------------------------------------------------------------------------

export type SeatPlan = "copilot-business" | "copilot-enterprise" | "custom";

/** Credits included per seat per month by GitHub Copilot plan. */
export const INCLUDED_CREDITS_PER_SEAT = {
  "copilot-business": 1_900,
  "copilot-enterprise": 3_900,
} as const satisfies Record<Exclude<SeatPlan, "custom">, number>;

const PLAN_NAMES: Record<SeatPlan, string> = {
  "copilot-business": "Copilot Business",
  "copilot-enterprise": "Copilot Enterprise",
  custom: "custom plan",
};

export type PoolSeats =
  | { seats: number; plan: "copilot-business" | "copilot-enterprise" }
  | { seats: number; plan: "custom"; perSeat: number };

export interface MonthShare {
  /** `YYYY-MM` */
  month: string;
  workingDaysInSprint: number;
  workingDaysInMonth: number;
  /** workingDaysInSprint / workingDaysInMonth */
  share: number;
  /** monthly × share */
  credits: number;
}

export interface PoolCalculation {
  plan: SeatPlan;
  seats: number;
  perSeat: number;
  /** seats × perSeat */
  monthly: number;
  workingDaysInSprint: number;
  /** One entry per calendar month the sprint touches. */
  months: MonthShare[];
  /** Sum of the per-month shares, in months (a whole month is 1). */
  share: number;
  /** monthly × share, rounded down to whole credits. */
  credits: number;
  explanation: string[];
}

/**
 * The sprint's share of a monthly seat pool.
 *
 * Proration rule: each calendar month the sprint touches contributes
 * `monthly × (sprint working days in that month / working days in that month)`, and the shares are
 * summed. Prorating per month (rather than by a flat 21-day month) means a sprint that crosses a
 * month boundary takes exactly its part of each month's allowance, and a whole month yields exactly
 * the monthly amount. The total is rounded down so capacity never promises credits the pool lacks.
 */
export function poolCapacity(pool: PoolSeats, sprint: { start: string; end: string }): PoolCalculation {
  assertRange(sprint.start, sprint.end);
  if (!Number.isInteger(pool.seats) || pool.seats < 0) {
    throw new RangeError(`Seats must be a whole number ≥ 0, got ${pool.seats}`);
  }
  const perSeat = pool.plan === "custom" ? pool.perSeat : INCLUDED_CREDITS_PER_SEAT[pool.plan];
  assertCredits("Credits per seat", perSeat);
  const monthly = pool.seats * perSeat;

  const explanation = [
    `${formatCredits(pool.seats)} ${pool.seats === 1 ? "seat" : "seats"} × ${credits(perSeat)} (${PLAN_NAMES[pool.plan]}) = ${credits(monthly)} a month.`,
  ];
  const months: MonthShare[] = [];
  let monthStart = `${sprint.start.slice(0, 7)}-01`;
  while (monthStart <= sprint.end) {
    const nextMonth = firstOfNextMonth(monthStart);
    const monthEnd = addDays(nextMonth, -1);
    const from = sprint.start > monthStart ? sprint.start : monthStart;
    const to = sprint.end < monthEnd ? sprint.end : monthEnd;
    const inSprint = workingDaysBetween(from, to);
    const inMonth = workingDaysBetween(monthStart, monthEnd);
    const share = inSprint / inMonth;
    const month: MonthShare = {
      month: monthStart.slice(0, 7),
      workingDaysInSprint: inSprint,
      workingDaysInMonth: inMonth,
      share,
      credits: monthly * share,
    };
    months.push(month);
    explanation.push(
      `${formatMonth(month.month)}: ${inSprint} of the month's ${inMonth} working days fall in the sprint → ` +
        `${formatCredits(monthly)} × ${inSprint}/${inMonth} = ${credits(month.credits)}.`,
    );
    monthStart = nextMonth;
  }

  const exact = months.reduce((sum, m) => sum + m.credits, 0);
  // The epsilon keeps float noise (e.g. 1899.9999999) from costing a whole credit.
  const total = Math.floor(exact + 1e-9);
  if (months.length > 1) {
    explanation.push(
      `Sum of the months: ${months.map((m) => formatCredits(m.credits)).join(" + ")} = ${credits(exact)}.`,
    );
  }
  explanation.push(`Sprint capacity: ${credits(total)} (rounded down to whole credits).`);

  return {
    plan: pool.plan,
    seats: pool.seats,
    perSeat,
    monthly,
    workingDaysInSprint: workingDaysBetween(sprint.start, sprint.end),
    months,
    share: months.reduce((sum, m) => sum + m.share, 0),
    credits: total,
    explanation,
  };
}

function firstOfNextMonth(firstOfMonth: string): string {
  const year = Number(firstOfMonth.slice(0, 4));
  const month = Number(firstOfMonth.slice(5, 7));
  return month === 12 ? `${year + 1}-01-01` : `${firstOfMonth.slice(0, 5)}${String(month + 1).padStart(2, "0")}-01`;
}

export type CapacitySource = { kind: "credits"; credits: number } | ({ kind: "pool" } & PoolSeats);

/** A sprint's capacity in credits, with the pool arithmetic when it came from the calculator. */
export function resolveCapacity(
  source: CapacitySource,
  sprint: { start: string; end: string },
): { credits: number; pool: PoolCalculation | null } {
  if (source.kind === "credits") {
    assertCredits("Capacity", source.credits);
    return { credits: source.credits, pool: null };
  }
  const pool = poolCapacity(source, sprint);
  return { credits: pool.credits, pool };
}

/** Capacity minus the reserve held back for exceptions: capacity × (1 − reserve/100). */
export function availableCapacity(capacity: number, reservePercent: number): number {
  assertCredits("Capacity", capacity);
  if (!Number.isFinite(reservePercent) || reservePercent < 0 || reservePercent > 100) {
    throw new RangeError(`Reserve must be between 0 and 100 %, got ${reservePercent}`);
  }
  return capacity * (1 - reservePercent / 100);
}

// ---------------------------------------------------------------------------------------------
// Per-member allocations
// ---------------------------------------------------------------------------------------------

export interface AllocationCheck {
  allocated: number;
  capacity: number;
  /** max(0, allocated − capacity) */
  overBy: number;
  /** Null when the allocations fit. */
  warning: string | null;
}

/** Allocations are optional guidance, so exceeding capacity warns rather than refuses. */
export function checkAllocations(
  capacity: number,
  allocations: readonly { member: string; credits: number }[],
): AllocationCheck {
  assertCredits("Capacity", capacity);
  for (const a of allocations) assertCredits(`Allocation for ${a.member}`, a.credits);
  const allocated = allocations.reduce((sum, a) => sum + a.credits, 0);
  const overBy = Math.max(0, allocated - capacity);
  return {
    allocated,
    capacity,
    overBy,
    warning:
      overBy > 0
        ? `Member allocations total ${credits(allocated)}, ${credits(overBy)} more than the sprint's capacity of ${credits(capacity)}.`
        : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Suggested capacity ("yesterday's weather")
// ---------------------------------------------------------------------------------------------

export interface ClosedSprint {
  name: string;
  start: string;
  end: string;
  actualCredits: number;
}

export interface WeatherSample {
  name: string;
  start: string;
  end: string;
  actualCredits: number;
  workingDays: number;
  /** actualCredits / workingDays */
  perWorkingDay: number;
  /** perWorkingDay × the new sprint's working days */
  scaled: number;
}

export interface SuggestedCapacity {
  workingDaysInSprint: number;
  /** Most recent first; at most three. */
  samples: WeatherSample[];
  median: number;
  /** The median rounded to whole credits. */
  credits: number;
  explanation: string[];
}

/**
 * Median of the last three closed sprints' actual spend, each scaled to the new sprint's length
 * (spend per working day × the new sprint's working days). The median, not the mean, so one
 * runaway sprint does not set the next one's budget. Null when there is no history to go on.
 */
export function suggestCapacity(
  closedSprints: readonly ClosedSprint[],
  sprint: { start: string; end: string },
): SuggestedCapacity | null {
  assertRange(sprint.start, sprint.end);
  const workingDaysInSprint = workingDaysBetween(sprint.start, sprint.end);
  const samples = closedSprints
    .map((s): WeatherSample => {
      assertCredits(`Actual spend of ${s.name}`, s.actualCredits);
      const workingDays = workingDaysBetween(s.start, s.end);
      const perWorkingDay = workingDays > 0 ? s.actualCredits / workingDays : 0;
      return { ...s, workingDays, perWorkingDay, scaled: perWorkingDay * workingDaysInSprint };
    })
    // A sprint without working days has no per-day rate to scale, so it is not evidence.
    .filter((s) => s.workingDays > 0)
    .sort((a, b) => (a.end < b.end ? 1 : a.end > b.end ? -1 : 0))
    .slice(0, 3);
  if (samples.length === 0) return null;

  const m = median(samples.map((s) => s.scaled));
  const rounded = Math.round(m);
  const explanation = samples.map(
    (s) =>
      `${s.name} (${formatDayRange(s.start, s.end)}): ${credits(s.actualCredits)} over ${s.workingDays} working days = ` +
      `${formatCredits(s.perWorkingDay)} a day × ${workingDaysInSprint} working days = ${credits(s.scaled)}.`,
  );
  explanation.push(
    samples.length === 1
      ? `Only one closed sprint: suggested capacity ${credits(rounded)}.`
      : `Median of ${samples.map((s) => formatCredits(s.scaled)).join(", ")} = ${credits(rounded)}.`,
  );
  return { workingDaysInSprint, samples, median: m, credits: rounded, explanation };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? 0) + upper) / 2;
}

// ---------------------------------------------------------------------------------------------
// Committed load
// ---------------------------------------------------------------------------------------------

export type CommitBasis = "expected" | "p80";

export interface StoryEstimate {
  expected: number;
  p80: number;
}

/** A story's load on the chosen basis; null when it has no estimate (unknown, not zero). */
export function storyLoad(estimate: StoryEstimate | null, basis: CommitBasis = "expected"): number | null {
  return estimate === null ? null : estimate[basis];
}

export interface CommittedLoad {
  basis: CommitBasis;
  /** Sum on the chosen basis, over estimated stories only. */
  credits: number;
  expected: number;
  p80: number;
  estimatedCount: number;
  /** Stories committed without an estimate: their spend is unknown, so it is not counted as 0. */
  unestimatedCount: number;
}

/** Load of the stories committed to a sprint (the caller passes only those). */
export function committedLoad(
  stories: readonly { estimate: StoryEstimate | null }[],
  basis: CommitBasis = "expected",
): CommittedLoad {
  let expected = 0;
  let p80 = 0;
  let estimatedCount = 0;
  for (const { estimate } of stories) {
    if (estimate === null) continue;
    expected += estimate.expected;
    p80 += estimate.p80;
    estimatedCount++;
  }
  return {
    basis,
    credits: basis === "expected" ? expected : p80,
    expected,
    p80,
    estimatedCount,
    unestimatedCount: stories.length - estimatedCount,
  };
}

// ---------------------------------------------------------------------------------------------
// Exhaustion policy
// ---------------------------------------------------------------------------------------------

export type ExhaustionPolicy = "warn" | "approval" | "hard-stop";
export type CommitOutcome = "ok" | "warn" | "needs-approval" | "refused";

export interface CommitEvaluation {
  outcome: CommitOutcome;
  /** max(0, committedBefore + adding − available) */
  overBy: number;
  message: string;
}

const OVER_OUTCOME: Record<ExhaustionPolicy, { outcome: CommitOutcome; consequence: string }> = {
  warn: { outcome: "warn", consequence: "The sprint allows over-commitment, so it can go ahead with this warning." },
  approval: { outcome: "needs-approval", consequence: "A manager must approve it and give a reason." },
  "hard-stop": { outcome: "refused", consequence: "The sprint's hard-stop policy refuses it." },
};

/**
 * What committing one more story does against the sprint's available credits. Any commit that
 * leaves the total above available is handled by the policy, even if the sprint was already over
 * (e.g. after capacity was lowered): the policy is about the state the commit produces.
 */
export function evaluateCommit(input: {
  policy: ExhaustionPolicy;
  available: number;
  committedBefore: number;
  adding: number;
  /** How the message names the story, e.g. its key `PAY-412`. */
  story?: string;
}): CommitEvaluation {
  const { policy, available, committedBefore, adding } = input;
  assertCredits("Available capacity", available);
  assertCredits("Committed load", committedBefore);
  assertCredits("Story load", adding);
  const subject = `Committing ${input.story ?? "this story"}`;
  const overBy = Math.max(0, committedBefore + adding - available);
  if (overBy === 0) {
    const left = available - committedBefore - adding;
    return {
      outcome: "ok",
      overBy,
      message: `${subject} leaves ${formatCredits(left)} of the sprint's available ${credits(available)} uncommitted.`,
    };
  }
  const { outcome, consequence } = OVER_OUTCOME[policy];
  return {
    outcome,
    overBy,
    message: `${subject} would exceed the sprint's available ${credits(available)} by ${credits(overBy)}. ${consequence}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Burn-up
// ---------------------------------------------------------------------------------------------

/** Alert thresholds, as percentages of *available* capacity (after the reserve). */
export const THRESHOLDS = [75, 90, 100] as const;
export type Threshold = (typeof THRESHOLDS)[number];

export interface BurnUpDay {
  date: string;
  workingDay: boolean;
  /** Spend booked on this team-local day. */
  spent: number;
  /** Running total through this day; null for days after today. */
  cumulative: number | null;
  /** Projected running total from today on; null before today or when there is no projection. */
  projected: number | null;
}

export interface BurnUp {
  capacity: number;
  available: number;
  /** Marker lines at 75/90/100 % of available capacity. */
  markers: { threshold: Threshold; credits: number }[];
  days: BurnUpDay[];
  spentToDate: number;
  /** Working days from the start through today (today counts: its spend so far is in the total). */
  elapsedWorkingDays: number;
  remainingWorkingDays: number;
  /** Null until a working day has elapsed. */
  averagePerWorkingDay: number | null;
  /** spentToDate + average × remaining working days; null while there is no average. */
  projectedTotal: number | null;
  /** Thresholds reached by actual spend to date. */
  crossed: Threshold[];
  /** Crossed but not in `alreadyAlerted`: alert on these, so each threshold alerts once. */
  newlyCrossed: Threshold[];
}

export function burnUp(input: {
  start: string;
  end: string;
  /** The team-local today, from {@link todayIn}. */
  today: string;
  /** Team-local day → credits, e.g. from {@link spendByDay}. Days outside start…today are ignored. */
  dailySpend: Readonly<Record<string, number>>;
  capacity: number;
  reservePercent: number;
  alreadyAlerted?: readonly Threshold[];
}): BurnUp {
  const { start, end, today, dailySpend, capacity } = input;
  assertRange(start, end);
  dayNumber(today);
  const available = availableCapacity(capacity, input.reservePercent);
  const lastElapsed = today < end ? today : end;

  let running = 0;
  const actual = datesBetween(start, end).map((date) => {
    const spent = dailySpend[date] ?? 0;
    if (!Number.isFinite(spent)) throw new RangeError(`Spend on ${date} is not a number: ${spent}`);
    if (date <= lastElapsed) running += spent;
    return { date, workingDay: isWorkingDay(date), spent, cumulative: date <= lastElapsed ? running : null };
  });
  const spentToDate = running;

  const elapsedWorkingDays = workingDaysBetween(start, lastElapsed);
  const dayAfter = addDays(lastElapsed, 1);
  const remainingWorkingDays = workingDaysBetween(dayAfter > start ? dayAfter : start, end);
  // Weekend spend still counts towards the total, but the rate is per working day because that is
  // when the team works; the projection only adds burn on the remaining working days.
  const averagePerWorkingDay = elapsedWorkingDays > 0 ? spentToDate / elapsedWorkingDays : null;
  const projectedTotal =
    averagePerWorkingDay === null ? null : spentToDate + averagePerWorkingDay * remainingWorkingDays;

  let projectedWorkingDays = 0;
  const days: BurnUpDay[] = actual.map((day) => {
    if (averagePerWorkingDay === null || day.date < today) return { ...day, projected: null };
    if (day.date > today && day.workingDay) projectedWorkingDays++;
    return { ...day, projected: spentToDate + averagePerWorkingDay * projectedWorkingDays };
  });

  const markers = THRESHOLDS.map((threshold) => ({ threshold, credits: (available * threshold) / 100 }));
  // With nothing spent nothing is crossed, even when available is 0 and every marker sits at 0.
  const crossed = markers.filter((m) => spentToDate > 0 && spentToDate >= m.credits).map((m) => m.threshold);
  const alreadyAlerted = new Set(input.alreadyAlerted ?? []);

  return {
    capacity,
    available,
    markers,
    days,
    spentToDate,
    elapsedWorkingDays,
    remainingWorkingDays,
    averagePerWorkingDay,
    projectedTotal,
    crossed,
    newlyCrossed: crossed.filter((t) => !alreadyAlerted.has(t)),
  };
}
