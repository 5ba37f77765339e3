// Insights' CPU (issue 15 item 8): quantiles sort once, and a summary reuses each story's drift.
import { describe, expect, it } from "vitest";
import {
  quantile,
  quantileOfSorted,
  quantiles,
  storyDrift,
  summarizeDrift,
  type DriftStoryInput,
} from "~/domain/drift";

const story = (expected: number | null, actual: number | null, size = "M"): DriftStoryInput => ({
  expected,
  p80: expected === null ? null : expected * 1.5,
  bandLow: 100,
  bandHigh: 400,
  actual,
  size,
  levels: { intensity: "standard", autonomy: "delegate", risk: "low" },
});

describe("quantiles", () => {
  it("equal quantile's answers for each p, from one sort, and leave the input alone", () => {
    const values = [5, -1, 3.5, 1e9, 0, 0, 7, -1e-9, 42];
    const copy = [...values];
    const ps = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
    expect(quantiles(values, ps)).toEqual(ps.map((p) => quantile(values, p)));
    expect(values).toEqual(copy);
    expect(quantiles([], [0.5, 0.9])).toEqual([null, null]);
    expect(quantileOfSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});

describe("summarizeDrift", () => {
  it("reuses the drifts it is given for the totals and every breakdown", () => {
    const stories = [story(150, 180), story(150, 600, "L"), story(null, 20), story(150, null)];
    const own = summarizeDrift(stories);
    expect(summarizeDrift(stories, { drifts: stories.map(storyDrift) })).toEqual(own);
    // Given drifts are what it reads (here: every story 4× its estimate), not recomputed ones.
    const fourTimes = stories.map((s) => storyDrift({ ...s, actual: s.expected === null ? null : s.expected * 4 }));
    const given = summarizeDrift(stories, { drifts: fourTimes });
    expect(given.medianRatio).toBe(4);
    expect(given.breakdowns.size.find((g) => g.key === "M")?.medianRatio).toBe(4);
  });
});
