// Sprint rules on top of the capacity arithmetic in capacity.ts: a sprint's status, its capacity
// from its stored settings, what a commit does under the exhaustion policy (including stories
// without an estimate), the capacity meter's geometry, what closing does to unfinished stories,
// the retrospective snapshot and the burn-alert message. Pure: plain values in and out.
import {
  addDays,
  availableCapacity,
  evaluateCommit,
  resolveCapacity,
  workingDaysBetween,
  type CapacitySource,
  type CommitBasis,
  type CommitOutcome,
  type ExhaustionPolicy,
  type PoolCalculation,
  type SeatPlan,
  type StoryEstimate,
  type Threshold,
} from "~/domain/capacity";
import { formatDay } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

/** A row of the sprint list (the model reads it; the sprint table shows it). */
export interface SprintSummary {
  id: number;
  name: string;
  goal: string;
  start: string;
  end: string;
  status: SprintStatus;
  capacity: number;
  available: number;
  basis: CommitBasis;
  policy: ExhaustionPolicy;
  committed: number;
  committedExpected: number;
  committedP80: number;
  storyCount: number;
  unestimatedCount: number;
  actual: number;
}

/** The team dashboard's sprint card: the current sprint's burn and the next one (read by the model). */
export interface SprintDashboard {
  today: string;
  current: {
    id: number;
    name: string;
    start: string;
    end: string;
    overdue: boolean;
    capacity: number;
    available: number;
    committed: number;
    basis: CommitBasis;
    unestimatedCount: number;
    spent: number;
    projected: number | null;
    remainingWorkingDays: number;
    crossed: Threshold[];
  } | null;
  next: { id: number; name: string; start: string } | null;
}

export type SprintStatus = "planned" | "active" | "closed";

export const SPRINT_STATUS_LABELS: Record<SprintStatus, string> = {
  planned: "Planned",
  active: "Active",
  closed: "Closed",
};

export const POLICY_LABELS: Record<ExhaustionPolicy, string> = {
  warn: "Warn",
  approval: "Needs approval",
  "hard-stop": "Hard stop",
};

export const POLICY_HINTS: Record<ExhaustionPolicy, string> = {
  warn: "Over-commitment is allowed with a visible warning.",
  approval: "An over-capacity commit needs a reason and a manager's approval.",
  "hard-stop": "An over-capacity commit is refused.",
};

export const BASIS_LABELS: Record<CommitBasis, string> = {
  expected: "Expected credits",
  p80: "p80 credits",
};

export const PLAN_LABELS: Record<SeatPlan, string> = {
  "copilot-business": "Copilot Business (1,900 a seat)",
  "copilot-enterprise": "Copilot Enterprise (3,900 a seat)",
  custom: "Custom credits per seat",
};

/**
 * Closed once closed; otherwise planned before its start day and active from then on — also after
 * its end day, until someone closes it (its unfinished stories still need a home).
 */
export function sprintStatus(sprint: { start: string; end: string; closed: boolean }, today: string): SprintStatus {
  if (sprint.closed) return "closed";
  return today < sprint.start ? "planned" : "active";
}

/** An active sprint whose last day has passed: it is waiting to be closed. */
export function isOverdue(sprint: { end: string; closed: boolean }, today: string): boolean {
  return !sprint.closed && today > sprint.end;
}

// ---------------------------------------------------------------------------------------------
// Capacity from the stored settings
// ---------------------------------------------------------------------------------------------

export interface SprintCapacitySettings {
  start: string;
  end: string;
  capacityKind: "credits" | "pool";
  capacityCredits: number | null;
  poolPlan: SeatPlan | null;
  poolSeats: number | null;
  poolPerSeat: number | null;
  reservePercent: number;
}

export interface SprintCapacity {
  capacity: number;
  reservePercent: number;
  /** capacity − reserve: what commitments are measured against. */
  available: number;
  reserve: number;
  workingDays: number;
  pool: PoolCalculation | null;
}

export function capacitySource(s: SprintCapacitySettings): CapacitySource {
  if (s.capacityKind === "credits") return { kind: "credits", credits: s.capacityCredits ?? 0 };
  const seats = s.poolSeats ?? 0;
  if (s.poolPlan === "custom") return { kind: "pool", plan: "custom", seats, perSeat: s.poolPerSeat ?? 0 };
  return { kind: "pool", plan: s.poolPlan ?? "copilot-business", seats };
}

export function sprintCapacity(s: SprintCapacitySettings): SprintCapacity {
  const { credits, pool } = resolveCapacity(capacitySource(s), s);
  const available = availableCapacity(credits, s.reservePercent);
  return {
    capacity: credits,
    reservePercent: s.reservePercent,
    available,
    reserve: credits - available,
    workingDays: workingDaysBetween(s.start, s.end),
    pool,
  };
}

// ---------------------------------------------------------------------------------------------
// Committing a story
// ---------------------------------------------------------------------------------------------

export interface StoryCommitEvaluation {
  outcome: CommitOutcome;
  /** The story's load on the sprint's basis; null when it has no estimate. */
  load: number | null;
  /** Credits above available after the commit; null when the story's load is unknown. */
  overBy: number | null;
  message: string;
}

const UNKNOWN_OUTCOME: Record<ExhaustionPolicy, CommitOutcome> = {
  warn: "warn",
  approval: "needs-approval",
  "hard-stop": "refused",
};

/**
 * What committing one story does. A story without an estimate has an unknown load — not zero — so
 * nobody can say it fits: `warn` lets it in with a warning, `approval` needs a manager, `hard-stop`
 * refuses it until it is estimated.
 */
export function evaluateStoryCommit(input: {
  policy: ExhaustionPolicy;
  basis: CommitBasis;
  available: number;
  committedBefore: number;
  estimate: StoryEstimate | null;
  story?: string;
}): StoryCommitEvaluation {
  const subject = input.story ?? "this story";
  if (input.estimate === null) {
    const outcome = UNKNOWN_OUTCOME[input.policy];
    const consequence =
      outcome === "refused"
        ? "The sprint's hard-stop policy refuses it: estimate it first."
        : outcome === "needs-approval"
          ? "A manager must approve it and give a reason."
          : "It can go in, but its spend counts as unknown.";
    return {
      outcome,
      load: null,
      overBy: null,
      message: `${subject} has no estimate, so nobody can say whether it fits. ${consequence}`,
    };
  }
  const load = input.estimate[input.basis];
  const result = evaluateCommit({
    policy: input.policy,
    available: input.available,
    committedBefore: input.committedBefore,
    adding: load,
    story: input.story,
  });
  return { outcome: result.outcome, load, overBy: result.overBy, message: result.message };
}

/** Where a story goes when it leaves a sprint without being done. */
export function statusOutsideSprint(hasEstimate: boolean): "estimated" | "backlog" {
  return hasEstimate ? "estimated" : "backlog";
}

// ---------------------------------------------------------------------------------------------
// Capacity meter geometry
// ---------------------------------------------------------------------------------------------

export interface MeterGeometry {
  /** Width of the expected segment, % of the track. */
  expectedPct: number;
  /** Width of the expected…p80 range segment, % of the track. */
  rangePct: number;
  /** Where "available" sits on the track, %. 100 unless the load runs past it. */
  availablePct: number;
  /** Load on the sprint's basis. */
  load: number;
  /** load / available in %, rounded; null when nothing is available. */
  percentOfAvailable: number | null;
  overBy: number;
  over: boolean;
  /** One sentence for screen readers and the legend. */
  summary: string;
}

/**
 * The track spans max(available, p80): as long as the load fits, "available" is the right edge;
 * once expected or p80 runs past it, the track grows so the overflow stays visible and a tick marks
 * where available ends.
 */
export function meterGeometry(input: {
  available: number;
  expected: number;
  p80: number;
  basis: CommitBasis;
  unestimatedCount: number;
}): MeterGeometry {
  const { available, basis, unestimatedCount } = input;
  const expected = Math.max(0, input.expected);
  const p80 = Math.max(expected, input.p80);
  const span = Math.max(available, p80);
  const pct = (v: number) => (span > 0 ? Math.min(100, Math.max(0, (v / span) * 100)) : 0);
  const expectedPct = pct(expected);
  const rangePct = Math.max(0, Math.min(100 - expectedPct, pct(p80) - expectedPct));
  const load = basis === "expected" ? expected : p80;
  const overBy = Math.max(0, load - available);
  const percentOfAvailable = available > 0 ? Math.round((load / available) * 100) : null;
  const unknown =
    unestimatedCount > 0
      ? ` ${unestimatedCount} committed ${unestimatedCount === 1 ? "story has" : "stories have"} no estimate (unknown).`
      : "";
  const summary =
    `Committed ${formatCredits(expected)} expected, ${formatCredits(p80)} p80 credits against ${formatCredits(available)} available` +
    (percentOfAvailable === null ? "" : ` (${percentOfAvailable} % on the ${basis} basis)`) +
    (overBy > 0 ? `, over by ${formatCredits(overBy)}.` : ".") +
    unknown;
  return {
    expectedPct,
    rangePct,
    availablePct: span > 0 ? (available / span) * 100 : 100,
    load,
    percentOfAvailable,
    overBy,
    over: overBy > 0,
    summary,
  };
}

// ---------------------------------------------------------------------------------------------
// Closing a sprint
// ---------------------------------------------------------------------------------------------

export type CloseDestination = { kind: "backlog" } | { kind: "sprint"; sprintId: number };

export interface ClosePlan {
  /** Done stories stay with the closed sprint. */
  done: number[];
  /** Unfinished, into the next sprint. */
  carried: number[];
  /** Unfinished, back to the backlog. */
  returned: number[];
}

/** Partitions the open commitments: every story lands in exactly one list. */
export function planClose(
  stories: readonly { storyId: number; status: string }[],
  destination: CloseDestination,
): ClosePlan {
  const plan: ClosePlan = { done: [], carried: [], returned: [] };
  for (const s of stories) {
    if (s.status === "done") plan.done.push(s.storyId);
    else if (destination.kind === "sprint") plan.carried.push(s.storyId);
    else plan.returned.push(s.storyId);
  }
  return plan;
}

export interface SnapshotStory {
  storyId: number;
  key: string | null;
  title: string;
  /** The status at close: done, or what it was when it left unfinished. */
  status: string;
  outcome: "done" | "carried" | "returned";
  levels: { intensity: string; autonomy: string; risk: string } | null;
  size: string | null;
  expected: number | null;
  p80: number | null;
  bandLow: number | null;
  bandHigh: number | null;
  schemeVersion: number | null;
}

/** Frozen at close so the retrospective reads what was planned, whatever changes later. */
export interface SprintSnapshot {
  version: 1;
  closedAt: string;
  sprint: { id: number; name: string; goal: string; start: string; end: string; workingDays: number; timeZone: string };
  capacity: {
    kind: "credits" | "pool";
    credits: number;
    pool: { plan: SeatPlan; seats: number; perSeat: number; explanation: string[] } | null;
    reservePercent: number;
    available: number;
    basis: CommitBasis;
    policy: ExhaustionPolicy;
  };
  committed: { expected: number; p80: number; estimatedCount: number; unestimatedCount: number };
  /** Team spend booked on the sprint's days when it was closed (later imports can add to it). */
  actualAtClose: number;
  allocations: { userId: number; name: string; credits: number }[];
  destination: CloseDestination;
  stories: SnapshotStory[];
}

export function buildSnapshot(input: {
  closedAt: Date;
  sprint: SprintSnapshot["sprint"];
  settings: SprintCapacitySettings & { basis: CommitBasis; policy: ExhaustionPolicy };
  actualAtClose: number;
  allocations: SprintSnapshot["allocations"];
  destination: CloseDestination;
  stories: Omit<SnapshotStory, "outcome">[];
  plan: ClosePlan;
}): SprintSnapshot {
  const cap = sprintCapacity(input.settings);
  const outcomeOf = (id: number): SnapshotStory["outcome"] =>
    input.plan.done.includes(id) ? "done" : input.plan.carried.includes(id) ? "carried" : "returned";
  const stories = input.stories.map((s) => ({ ...s, outcome: outcomeOf(s.storyId) }));
  let expected = 0;
  let p80 = 0;
  let estimatedCount = 0;
  for (const s of stories) {
    if (s.expected === null || s.p80 === null) continue;
    expected += s.expected;
    p80 += s.p80;
    estimatedCount++;
  }
  return {
    version: 1,
    closedAt: input.closedAt.toISOString(),
    sprint: input.sprint,
    capacity: {
      kind: input.settings.capacityKind,
      credits: cap.capacity,
      pool: cap.pool
        ? { plan: cap.pool.plan, seats: cap.pool.seats, perSeat: cap.pool.perSeat, explanation: cap.pool.explanation }
        : null,
      reservePercent: cap.reservePercent,
      available: cap.available,
      basis: input.settings.basis,
      policy: input.settings.policy,
    },
    committed: { expected, p80, estimatedCount, unestimatedCount: stories.length - estimatedCount },
    actualAtClose: input.actualAtClose,
    allocations: input.allocations,
    destination: input.destination,
    stories,
  };
}

// ---------------------------------------------------------------------------------------------
// New sprint defaults
// ---------------------------------------------------------------------------------------------

/** 0 = Sunday … 6 = Saturday, from the date alone. */
function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/**
 * Default dates for a new two-week sprint: from the Monday after the last sprint's end (or the
 * next Monday from today, today itself when it is a Monday) through the Friday of the second week.
 */
export function nextSprintDates(lastEnd: string | null, today: string): { start: string; end: string } {
  const from = lastEnd && lastEnd >= today ? addDays(lastEnd, 1) : today;
  const daysToMonday = (8 - weekdayOf(from)) % 7;
  const start = addDays(from, daysToMonday);
  return { start, end: addDays(start, 11) };
}

/** "Sprint 25" after "Sprint 24": the latest name with its trailing number bumped, else "Sprint N+1". */
export function nextSprintName(latest: string | null, count: number): string {
  const match = latest ? /^(.*?)(\d+)\s*$/.exec(latest) : null;
  if (match) return `${match[1]}${Number(match[2]) + 1}`;
  return `Sprint ${count + 1}`;
}

// ---------------------------------------------------------------------------------------------
// Burn alerts
// ---------------------------------------------------------------------------------------------

export interface BurnAlert {
  /** Slack-compatible: incoming webhooks show `text`. */
  text: string;
  team: string;
  sprint: { id: number; name: string; start: string; end: string; url: string };
  threshold: Threshold;
  spentCredits: number;
  availableCredits: number;
  projectedCredits: number | null;
}

export function burnAlert(input: {
  team: string;
  sprint: { id: number; name: string; start: string; end: string; url: string };
  threshold: Threshold;
  spent: number;
  available: number;
  projected: number | null;
}): BurnAlert {
  const { team, sprint, threshold, spent, available, projected } = input;
  const pct = available > 0 ? Math.round((spent / available) * 100) : 100;
  const projection =
    projected === null
      ? ""
      : ` Projected by ${formatDay(sprint.end)}: ${formatCredits(projected)} credits (${available > 0 ? Math.round((projected / available) * 100) : 100} %).`;
  const text =
    `${threshold >= 100 ? "🛑" : "⚠️"} ${team} · ${sprint.name} reached ${threshold} % of its available AI credits: ` +
    `${formatCredits(spent)} of ${formatCredits(available)} credits spent (${pct} %).${projection} <${sprint.url}|Open the sprint>`;
  return {
    text,
    team,
    sprint,
    threshold,
    spentCredits: spent,
    availableCredits: available,
    projectedCredits: projected,
  };
}

/** The alert a page shows for the highest threshold crossed; null below 75 %. */
export function burnAlertLevel(crossed: readonly Threshold[]): { threshold: Threshold; tone: "warn" | "error" } | null {
  const top = crossed.length ? Math.max(...crossed) : null;
  if (top === null) return null;
  return { threshold: top as Threshold, tone: top >= 100 ? "error" : "warn" };
}
