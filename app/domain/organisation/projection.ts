// Where a billing month is heading: spend so far, the month-end spend at the current rate, and the
// day the pool runs out at that rate ("at this rate the pool is empty on the 19th").
//
// The rate is spend per *working* day elapsed, and the projection adds it on the remaining working
// days, like the sprint burn-up (capacity.ts): weekend spend counts in the total but teams work
// Mon–Fri. The projected month end is linear in the daily spend — it is spent × (a factor that
// depends only on the month and today) — so an organisation's projection is exactly the sum of its
// teams' (up to float rounding), which the property tests check. The run-out day is not additive
// (the pool empties when the sum crosses it), so it is computed from the summed spend.

import { addDays, datesBetween, isWorkingDay } from "../capacity";
import {
  assertBillingMonth,
  firstDayOfMonth,
  lastDayOfMonth,
  workingDaysElapsed,
  workingDaysInMonth,
  type BillingMonth,
} from "./billing-month";
import { assertFiniteCredits } from "./credits";

export interface Committed {
  /** Expected credits of the sprint work planned in this month (the month's part of each sprint). */
  expected: number;
  /** p80 credits of the same work. */
  p80: number;
}

export interface MonthProjectionInput {
  month: BillingMonth;
  /** UTC today (`YYYY-MM-DD`); may lie before or after the month. */
  today: string;
  /** UTC day → credits spent that day. Days outside the month, or after today, are ignored. */
  dailySpend: Readonly<Record<string, number>>;
  committed?: Committed;
  /** The limit whose run-out day is wanted: the pool for the org, the allocation for a team. */
  limit: number;
  /** Optional second limit (pool + overage): when spend stops or turns into a bill. */
  ceiling?: number;
}

export interface MonthProjection {
  month: BillingMonth;
  spentToDate: number;
  elapsedWorkingDays: number;
  remainingWorkingDays: number;
  /** spentToDate / elapsedWorkingDays; null while no working day of the month has begun. */
  ratePerWorkingDay: number | null;
  /** spentToDate + rate × remaining working days; null without a rate. The month's actual once it is over. */
  projectedMonthEnd: number | null;
  committed: Committed;
  limit: number;
  /** First day cumulative spend reaches `limit`, actual or at the current rate; null if it lasts the month. */
  runOutDate: string | null;
  /** True when actual spend already reached the limit (runOutDate is in the past or today). */
  runOutAlready: boolean;
  /** Same as runOutDate for `ceiling`; null when no ceiling was given or it lasts. */
  ceilingReachedDate: string | null;
  /** limit − max(projected month end, committed expected, spent): negative = the month is short. */
  projectedHeadroom: number;
}

function assertDailySpend(dailySpend: Readonly<Record<string, number>>): void {
  for (const [day, credits] of Object.entries(dailySpend))
    assertFiniteCredits(`Spend on ${day}`, credits, { allowNegative: true });
}

interface MonthCalendar {
  first: string;
  last: string;
  lastElapsed: string;
  days: readonly string[];
  /** Per day of `days`: a working day (Mon–Fri)? */
  working: readonly boolean[];
  elapsedWorkingDays: number;
  workingDays: number;
}

// An organisation month projects each team, the unplaced spend and the whole with the same month
// and day: the calendar is worked out once for them all (the last one asked is kept).
let calendarKey = "";
let calendar: MonthCalendar | null = null;

function monthCalendar(month: BillingMonth, today: string): MonthCalendar {
  const key = `${month}|${today}`;
  if (calendar && calendarKey === key) return calendar;
  const first = firstDayOfMonth(month);
  const last = lastDayOfMonth(month);
  const days = datesBetween(first, last);
  calendar = {
    first,
    last,
    lastElapsed: today < last ? today : last,
    days,
    working: days.map(isWorkingDay),
    elapsedWorkingDays: workingDaysElapsed(month, today),
    workingDays: workingDaysInMonth(month),
  };
  calendarKey = key;
  return calendar;
}

/** See the file comment. Pure: `today` is an input. */
export function projectMonth(input: MonthProjectionInput): MonthProjection {
  const { month, today, dailySpend } = input;
  assertBillingMonth(month);
  addDays(today, 0);
  assertDailySpend(dailySpend);
  assertFiniteCredits("Limit", input.limit, { allowNegative: true });
  if (input.ceiling !== undefined) assertFiniteCredits("Ceiling", input.ceiling, { allowNegative: true });
  const committed = input.committed ?? { expected: 0, p80: 0 };
  assertFiniteCredits("Committed expected", committed.expected);
  assertFiniteCredits("Committed p80", committed.p80);

  const { first, last, lastElapsed, days, working, elapsedWorkingDays, workingDays } = monthCalendar(month, today);

  let spentToDate = 0;
  for (const day of days) if (day <= lastElapsed) spentToDate += dailySpend[day] ?? 0;

  const remainingWorkingDays = workingDays - elapsedWorkingDays;
  const ratePerWorkingDay = today < first || elapsedWorkingDays === 0 ? null : spentToDate / elapsedWorkingDays;
  const projectedMonthEnd =
    today > last
      ? spentToDate
      : ratePerWorkingDay === null
        ? null
        : spentToDate + ratePerWorkingDay * remainingWorkingDays;

  const crossing = (limit: number) => runOutDay(days, working, lastElapsed, dailySpend, ratePerWorkingDay, limit);
  const runOut = crossing(input.limit);
  const ceilingReached = input.ceiling === undefined ? null : crossing(input.ceiling);

  return {
    month,
    spentToDate,
    elapsedWorkingDays,
    remainingWorkingDays,
    ratePerWorkingDay,
    projectedMonthEnd,
    committed,
    limit: input.limit,
    runOutDate: runOut?.date ?? null,
    runOutAlready: runOut?.already ?? false,
    ceilingReachedDate: ceilingReached?.date ?? null,
    projectedHeadroom: input.limit - Math.max(projectedMonthEnd ?? spentToDate, committed.expected, spentToDate),
  };
}

function runOutDay(
  days: readonly string[],
  working: readonly boolean[],
  lastElapsed: string,
  dailySpend: Readonly<Record<string, number>>,
  rate: number | null,
  limit: number,
): { date: string; already: boolean } | null {
  // A limit of 0 (a team given nothing) is empty from the first day; saying so beats "lasts".
  if (limit <= 0) return { date: days[0]!, already: lastElapsed >= days[0]! };
  let cumulative = 0;
  for (const [i, day] of days.entries()) {
    if (day <= lastElapsed) cumulative += dailySpend[day] ?? 0;
    else if (rate !== null && rate > 0 && working[i]) cumulative += rate;
    else continue;
    if (cumulative >= limit) return { date: day, already: day <= lastElapsed };
  }
  return null;
}

/** Adds several UTC-day → credits maps (teams' spend → the organisation's). */
export function sumDailySpend(maps: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const map of maps) for (const [day, credits] of Object.entries(map)) total[day] = (total[day] ?? 0) + credits;
  return total;
}

export interface OrganisationMonthProjection {
  /** Per team, against its allocation. */
  teams: { teamId: string; projection: MonthProjection }[];
  /** Spend the organisation could not place on a team (rows without a user, unplaced identities). */
  unplaced: MonthProjection;
  /** The whole organisation against the pool (and ceiling), from the summed spend. */
  total: MonthProjection;
}

/**
 * Projects every team of an org month and the organisation as a whole. `total.projectedMonthEnd`
 * equals the sum of the teams' and the unplaced projections (linearity, see the file comment);
 * `total.runOutDate` is the day the *summed* spend crosses the pool.
 */
export function projectOrganisationMonth(input: {
  month: BillingMonth;
  today: string;
  pool: number;
  ceiling?: number;
  teams: readonly {
    teamId: string;
    allocation: number;
    dailySpend: Readonly<Record<string, number>>;
    committed?: Committed;
  }[];
  unplacedDailySpend?: Readonly<Record<string, number>>;
}): OrganisationMonthProjection {
  const { month, today } = input;
  const teams = input.teams.map((t) => ({
    teamId: t.teamId,
    projection: projectMonth({ month, today, dailySpend: t.dailySpend, committed: t.committed, limit: t.allocation }),
  }));
  const unplacedDaily = input.unplacedDailySpend ?? {};
  const unplaced = projectMonth({ month, today, dailySpend: unplacedDaily, limit: input.pool });
  const committed = input.teams.reduce(
    (sum, t) => ({ expected: sum.expected + (t.committed?.expected ?? 0), p80: sum.p80 + (t.committed?.p80 ?? 0) }),
    { expected: 0, p80: 0 },
  );
  const total = projectMonth({
    month,
    today,
    dailySpend: sumDailySpend([...input.teams.map((t) => t.dailySpend), unplacedDaily]),
    committed,
    limit: input.pool,
    ceiling: input.ceiling,
  });
  return { teams, unplaced, total };
}

const ORDINAL = new Intl.PluralRules("en-US", { type: "ordinal" });
const SUFFIX: Record<string, string> = { one: "st", two: "nd", few: "rd", other: "th" };

/** `2026-03-19` → `19th`. */
export function ordinalDay(date: string): string {
  const day = Number(date.slice(8, 10));
  return `${day}${SUFFIX[ORDINAL.select(day)] ?? "th"}`;
}

/**
 * The sentence a burn panel shows, e.g. "At this rate the pool is empty on the 19th." `what` names
 * the limit ("the pool", "the allocation").
 */
export function describeRunOut(projection: MonthProjection, what: string): string {
  if (projection.runOutDate === null) {
    return projection.ratePerWorkingDay === null
      ? `No spend rate yet this month.`
      : `At this rate ${what} lasts the month.`;
  }
  if (projection.runOutAlready) return `${capitalise(what)} ran out on the ${ordinalDay(projection.runOutDate)}.`;
  return `At this rate ${what} is empty on the ${ordinalDay(projection.runOutDate)}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
