import { describe, expect, it } from "vitest";
import { DEFAULT_KEY_PATTERN, keyPatternProblem, MAX_KEY_INPUT, safeKeyPattern } from "~/domain/key-pattern";
import { compileKeyPattern, storyKeyIn } from "~/domain/spend/values";
import { isStoryKey, splitLeadingKey } from "~/domain/story-import";

describe("key patterns a team may set", () => {
  it("accepts the patterns teams actually use", () => {
    for (const pattern of [
      DEFAULT_KEY_PATTERN,
      "[A-Z]+-\\d+",
      "(PAY|OPS|WEB)-\\d+",
      "(?:PAY|OPS)-[0-9]{1,6}",
      "#\\d+",
      "[A-Z]{2,10}-\\d+(?:-[a-z])?",
      "GH-\\d+|JIRA-\\d+",
    ]) {
      expect(keyPatternProblem(pattern), pattern).toBeNull();
    }
  });

  it("refuses patterns that can backtrack catastrophically, with a reason", () => {
    expect(keyPatternProblem("(a+)+b")).toMatch(/group can be made optional/);
    expect(keyPatternProblem("(a|aa)*c")).toMatch(/not repeated/);
    expect(keyPatternProblem("(\\d{2})+")).toMatch(/not repeated/);
    expect(keyPatternProblem("\\d*\\d*\\d*x")).toMatch(/very slow/);
    expect(keyPatternProblem("a?".repeat(25) + "a".repeat(25))).toMatch(/very slow/);
    expect(keyPatternProblem("(a|a)".repeat(30) + "b")).toMatch(/very slow/);
    expect(keyPatternProblem("(a)\\1")).toMatch(/Back-references/);
    expect(keyPatternProblem("(?=a)a")).toMatch(/Only plain groups/);
    expect(keyPatternProblem("[A-Z")).toBe("Not a valid regular expression");
  });

  it("falls back to the default for a stored pattern that is broken or unsafe", () => {
    expect(safeKeyPattern("(a+)+b")).toBe(DEFAULT_KEY_PATTERN);
    expect(safeKeyPattern(null)).toBe(DEFAULT_KEY_PATTERN);
    expect(safeKeyPattern("#\\d+")).toBe("#\\d+");
    expect(() => compileKeyPattern("(x+x+)+y")).toThrow(/not repeated/);
  });

  it("matches every accepted worst case quickly on the longest input it ever sees", () => {
    // Hostile inputs for the slowest shapes the check still allows; matching them must stay far
    // from the seconds a catastrophic pattern takes (a bound, not a benchmark: 1 s is 100× slack).
    const cases: [string, string][] = [
      ["\\d*\\d*x", "1".repeat(5000)],
      ["[A-Z][A-Z0-9]+-\\d+", "A".repeat(5000)],
      ["a?".repeat(10) + "a".repeat(10) + "b", "a".repeat(5000)],
    ];
    for (const [pattern, input] of cases) {
      expect(keyPatternProblem(pattern), pattern).toBeNull();
      const started = performance.now();
      storyKeyIn(input, compileKeyPattern(pattern));
      isStoryKey(input, pattern);
      splitLeadingKey(input, pattern);
      expect(performance.now() - started, pattern).toBeLessThan(1000);
    }
    expect(MAX_KEY_INPUT).toBeLessThanOrEqual(200);
  });

  it("still finds keys in branch names and pasted lines", () => {
    expect(storyKeyIn("feature/PAY-412-refund", compileKeyPattern("[A-Z]+-\\d+"))).toBe("PAY-412");
    expect(splitLeadingKey("OPS-7 Rotate keys", "(PAY|OPS)-\\d+")).toEqual({ key: "OPS-7", title: "Rotate keys" });
  });
});
