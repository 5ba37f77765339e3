import { describe, expect, it } from "vitest";
import { describeSpendRatio, hasDrifted, outcomeProblems, spendRatio, StoryOutcomeSchema } from "~/domain/outcome";

describe("story outcome", () => {
  it("asks for causes only when spend drifted more than 2× either way", () => {
    expect(spendRatio(100, 250)).toBe(2.5);
    expect(spendRatio(0, 10)).toBeNull();
    expect(spendRatio(null, 10)).toBeNull();
    expect(hasDrifted(2.5)).toBe(true);
    expect(hasDrifted(0.4)).toBe(true);
    expect(hasDrifted(1.9)).toBe(false);
    expect(hasDrifted(null)).toBe(false);
    const input = StoryOutcomeSchema.parse({ bought: "A merged PR", reviewBurden: "light" });
    expect(input.causeTags).toEqual([]);
    expect(outcomeProblems(input, 3)).toEqual({ causeTags: expect.stringMatching(/3\.0× the estimate/) });
    expect(outcomeProblems({ ...input, causeTags: ["retries"] }, 3)).toEqual({});
    expect(outcomeProblems(input, 1.2)).toEqual({});
    expect(describeSpendRatio(12.4)).toBe("12× the estimate");
  });

  it("reads one or several checkboxes and refuses unknown tags and empty notes", () => {
    expect(StoryOutcomeSchema.parse({ bought: "x", reviewBurden: "none", causeTags: "scope-grew" }).causeTags).toEqual([
      "scope-grew",
    ]);
    expect(StoryOutcomeSchema.safeParse({ bought: "x", reviewBurden: "none", causeTags: ["blame-dana"] }).success).toBe(
      false,
    );
    expect(StoryOutcomeSchema.safeParse({ bought: "  ", reviewBurden: "none" }).success).toBe(false);
    expect(StoryOutcomeSchema.safeParse({ bought: "x", reviewBurden: "enormous" }).success).toBe(false);
  });
});
