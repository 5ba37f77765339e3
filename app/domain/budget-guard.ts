// The budget guard: may an agent working on this story go on? Pure — the story's estimate, what it
// has spent, the extensions a manager granted and its sprint's figures in; a decision with a
// one-line reason out. The same answer serves the budget API, the Claude Code hook and the story page.
//
// Rules (docs/decisions/0022-otlp-and-budget-guard.md):
//   - a story in no running sprint continues ("not in a sprint");
//   - the story's limit is its p80 plus every extension; the sprint's is its available credits
//     (capacity less the reserve) plus the story's extensions;
//   - past a limit: hard-stop → stop; approval → stop until a manager extends the budget; warn → warn;
//   - a story with no estimate is judged by the sprint's remaining credits alone ("not estimated");
//   - within 90 % of the story's limit → warn, whatever the policy.

import { z } from "zod";
import { type ExhaustionPolicy } from "~/domain/capacity";
import { formatCredits } from "~/domain/credits";
import { withoutControlChars } from "~/domain/otlp/spend";

export type GuardDecision = "continue" | "warn" | "stop";

export interface GuardInput {
  estimate: { expected: number; p80: number; size: string | null } | null;
  /** Credits spent on the story so far, every source. */
  spent: number;
  /** Credits managers added to the story's budget. */
  extended: number;
  sprint: { name: string; policy: ExhaustionPolicy; available: number; spent: number } | null;
  /** The team's remaining credits once organisations set a team budget; null = no team budget. */
  teamRemaining?: number | null;
}

export interface GuardAnswer {
  decision: GuardDecision;
  reason: string;
  /** p80 + extensions − spent (null without an estimate); negative when past. */
  leftToP80: number | null;
  /** The sprint's available credits + extensions − everything the sprint spent (null: no sprint). */
  sprintRemaining: number | null;
  teamRemaining: number | null;
}

/** Warn from this share of the story's limit on. */
export const NEAR_LIMIT = 0.9;

const c = (n: number) => `${formatCredits(n)} credit${formatCredits(n) === "1" ? "" : "s"}`;

const PAST: Record<ExhaustionPolicy, { decision: GuardDecision; then: string }> = {
  "hard-stop": { decision: "stop", then: "the sprint's hard-stop policy stops the agent" },
  approval: { decision: "stop", then: "stopped until a manager extends the budget" },
  warn: { decision: "warn", then: "the sprint's policy is to warn" },
};

function finiteOrZero(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

export function decideBudget(input: GuardInput): GuardAnswer {
  const spent = Math.max(0, finiteOrZero(input.spent));
  const extended = Math.max(0, finiteOrZero(input.extended));
  const limit = input.estimate ? Math.max(0, finiteOrZero(input.estimate.p80)) + extended : null;
  const leftToP80 = limit === null ? null : round(limit - spent);
  const teamRemaining = input.teamRemaining ?? null;
  const sprint = input.sprint;
  const sprintRemaining = sprint
    ? round(finiteOrZero(sprint.available) + extended - Math.max(0, finiteOrZero(sprint.spent)))
    : null;
  const base = { leftToP80, sprintRemaining, teamRemaining };
  const extendedNote = extended > 0 ? ` (p80 + ${c(extended)} extended)` : "";

  if (!sprint) {
    const estimate = limit === null ? "not estimated" : `${c(spent)} of ${c(limit)}${extendedNote} spent`;
    return { ...base, decision: "continue", reason: `Not in a running sprint, so no policy applies (${estimate}).` };
  }
  const policy = PAST[sprint.policy];
  if (teamRemaining !== null && teamRemaining <= 0) {
    return { ...base, decision: policy.decision, reason: `The team's credits are used up: ${policy.then}.` };
  }
  if (sprintRemaining !== null && sprintRemaining <= 0) {
    const prefix = limit === null ? "Not estimated; the" : "The";
    return {
      ...base,
      decision: policy.decision,
      reason: `${prefix} sprint ${sprint.name} has used its available credits (over by ${c(-sprintRemaining)}): ${policy.then}.`,
    };
  }
  if (limit === null) {
    return {
      ...base,
      decision: "continue",
      reason: `Not estimated: judged by the sprint alone, which has ${c(sprintRemaining ?? 0)} left.`,
    };
  }
  if (spent >= limit) {
    return {
      ...base,
      decision: policy.decision,
      reason: `Spent ${c(spent)}, past p80 ${c(limit)}${extendedNote}: ${policy.then}.`,
    };
  }
  if (spent >= limit * NEAR_LIMIT) {
    return {
      ...base,
      decision: "warn",
      reason: `Spent ${c(spent)} of p80 ${c(limit)}${extendedNote}: ${c(limit - spent)} left.`,
    };
  }
  return {
    ...base,
    decision: "continue",
    reason: `Spent ${c(spent)} of p80 ${c(limit)}${extendedNote}: ${c(limit - spent)} left.`,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A manager's extension as a form sends it (the story page and the sprint's approval queue). */
export const BUDGET_EXTENSION_FIELDS = {
  credits: z.coerce
    .number({ error: "Give a number of credits" })
    .finite()
    .positive("Give a positive number of credits")
    .max(1_000_000_000),
  reason: z
    .string()
    .transform((v) => withoutControlChars(v).trim())
    .pipe(z.string().min(1, "Say why the story needs more").max(500, "Keep it under 500 characters")),
};
