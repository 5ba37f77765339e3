// The outcome note a story gets when it is done: what its spend bought, how heavy the review was,
// and — when the spend drifted far from the estimate — why. The retrospective reads these next to
// the numbers, so an outlier comes with its explanation instead of a ranking.

import { z } from "zod";
import { BlockText } from "~/domain/form-fields";

export const REVIEW_BURDENS = [
  { id: "none", label: "None", hint: "merged as it came" },
  { id: "light", label: "Light", hint: "small fixes" },
  { id: "moderate", label: "Moderate", hint: "a real review round or two" },
  { id: "heavy", label: "Heavy", hint: "large rework or rewritten by hand" },
] as const;

export type ReviewBurdenId = (typeof REVIEW_BURDENS)[number]["id"];

/** Why spend drifted. Tags describe the work, never the person. */
export const CAUSE_TAGS = [
  { id: "scope-grew", label: "Scope grew", direction: "over" },
  { id: "retries", label: "Retries and tool loops", direction: "over" },
  { id: "context", label: "Large context or exploration", direction: "over" },
  { id: "stale-context", label: "Stale context", direction: "over" },
  { id: "flaky-ci", label: "Flaky tests or CI loops", direction: "over" },
  { id: "unclear-spec", label: "Unclear spec", direction: "over" },
  { id: "review-rework", label: "Rework after review", direction: "over" },
  { id: "parallel-agents", label: "Parallel agents", direction: "over" },
  { id: "model-mismatch", label: "Model stronger or weaker than needed", direction: "both" },
  { id: "smaller-than-thought", label: "Smaller than it looked", direction: "under" },
  { id: "reused-work", label: "Reused earlier work", direction: "under" },
  { id: "done-by-hand", label: "Done mostly by hand", direction: "under" },
  { id: "worth-it", label: "Worth it", direction: "both" },
  { id: "other", label: "Other (see note)", direction: "both" },
] as const;

export type CauseTagId = (typeof CAUSE_TAGS)[number]["id"];

const CAUSE_IDS = CAUSE_TAGS.map((t) => t.id) as [CauseTagId, ...CauseTagId[]];
const BURDEN_IDS = REVIEW_BURDENS.map((b) => b.id) as [ReviewBurdenId, ...ReviewBurdenId[]];

/** Spend more than this many times off the estimate (either way) has drifted: causes are asked for. */
export const DRIFT_FACTOR = 2;

/** actual / expected, or null when there is no usable estimate or no spend. */
export function spendRatio(expected: number | null | undefined, actual: number | null | undefined): number | null {
  if (expected === null || expected === undefined || actual === null || actual === undefined || !(expected > 0))
    return null;
  const ratio = actual / expected;
  return Number.isFinite(ratio) ? ratio : null;
}

export function hasDrifted(ratio: number | null): boolean {
  return ratio !== null && (ratio > DRIFT_FACTOR || ratio < 1 / DRIFT_FACTOR);
}

/** "3.2× the estimate", "0.4× the estimate". */
export function describeSpendRatio(ratio: number): string {
  const digits = ratio >= 10 ? 0 : 1;
  return `${ratio.toFixed(digits)}× the estimate`;
}

const asArray = (value: unknown) => (value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value]);

export const StoryOutcomeSchema = z.object({
  bought: BlockText.min(
    1,
    "Say in a sentence what the spend bought (a merged PR, a spike's answer, nothing usable…).",
  ).max(2000, "Keep it under 2,000 characters."),
  reviewBurden: z.enum(BURDEN_IDS, { message: "Pick how heavy the review was." }),
  causeTags: z.preprocess(asArray, z.array(z.enum(CAUSE_IDS)).max(CAUSE_IDS.length)),
  note: BlockText.max(2000, "Keep the note under 2,000 characters.").default(""),
});

export type StoryOutcomeInput = z.infer<typeof StoryOutcomeSchema>;

/** The form's rule on top of the schema: a drifted story names at least one cause. */
export function outcomeProblems(input: StoryOutcomeInput, ratio: number | null): Record<string, string> {
  if (hasDrifted(ratio) && input.causeTags.length === 0) {
    return { causeTags: `Spend was ${describeSpendRatio(ratio!)}: pick at least one cause.` };
  }
  return {};
}
