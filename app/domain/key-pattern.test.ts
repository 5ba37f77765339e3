import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileKeyPattern,
  DEFAULT_KEY_PATTERN,
  keyPatternProblem,
  MAX_KEY_INPUT,
  safeKeyPattern,
  type KeyMatcher,
} from "~/domain/key-pattern";
import { storyKeyIn } from "~/domain/spend/field-readers";
import { isStoryKey, splitLeadingKey } from "~/domain/story-import";

// Counts the matcher's steps without a clock. Every engine in RE2JS (one-pass, bit-state
// backtracker, lazy DFA, NFA) does its work by reading an instruction of the compiled program
// (prog.inst[pc], or the one-pass copy's) or a character of the input (charCodeAt / codePointAt,
// indexOf for literal prefixes and prefilters). A cached DFA transition costs one character read.
// So "instructions read + characters read" bounds the work from above, and is what we count.
interface StepCounter {
  /** The text as the engine will read it, counting each read. */
  input(text: string): string;
  steps(): number;
  reset(): void;
  restore(): void;
}

type Program = { inst: unknown[] };

function countSteps(matcher: KeyMatcher): StepCounter {
  let steps = 0;
  const re2 = (matcher.engine as unknown as { re2Input: { prog: Program; onepass: Program | null } }).re2Input;
  const programs = [re2.prog, re2.onepass].filter((p): p is Program => p !== null);
  const saved = programs.map((p) => p.inst);
  for (const program of programs) {
    program.inst = new Proxy(program.inst, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) steps++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  }
  return {
    input(text) {
      // A String object passes the engine's "is a string" check and reads through these methods.
      const counted = Object.assign(new String(text), {
        charCodeAt: (i: number) => (steps++, text.charCodeAt(i)),
        codePointAt: (i: number) => (steps++, text.codePointAt(i)),
        indexOf: (needle: string, from = 0) => {
          const at = text.indexOf(needle, from);
          steps += (at < 0 ? text.length - from : at - from) + needle.length;
          return at;
        },
      });
      return counted as unknown as string;
    },
    steps: () => steps,
    reset: () => void (steps = 0),
    restore: () => programs.forEach((p, i) => (p.inst = saved[i]!)),
  };
}

/** Steps to search `text` for a key and to check it as a whole key. */
function stepsFor(matcher: KeyMatcher, counter: StepCounter, text: string) {
  counter.reset();
  matcher.find(counter.input(text));
  matcher.matchesWhole(counter.input(text));
  return counter.steps();
}

// Steps per (instruction + 1) per (character + 1): each engine touches an instruction a small,
// fixed number of times per input position (the backtracker at most once per pair).
const STEPS_PER_CELL = 4;

// Patterns built from the shapes that make backtracking engines blow up: nested and adjacent
// open-ended repeats, overlapping alternatives, optional runs, counted repeats, on a tiny alphabet
// that the inputs share (so literal prefilters cannot skip the work).
const ATOMS = ["a", "b", "X", "-", "1", "[a-z]", "[ab]", "\\d", ".", "\\w", "[^X]"];
const patternArb: fc.Arbitrary<string> = fc
  .letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom(...ATOMS),
      fc
        .tuple(tie("node"), fc.constantFrom("*", "+", "?", "{0,7}", "{2,5}", "*?", "+?"))
        .map(([n, q]) => `(?:${n})${q}`),
      fc.array(tie("node"), { minLength: 2, maxLength: 4 }).map((parts) => parts.join("")),
      fc.array(tie("node"), { minLength: 2, maxLength: 3 }).map((parts) => `(${parts.join("|")})`),
    ),
  }))
  .node.filter((p) => keyPatternProblem(p) === null);
const unitArb = fc.string({ unit: fc.constantFrom("a", "b", "X", "-", "1", "A", "/"), minLength: 1, maxLength: 6 });

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
      "(?i)pay-\\d+",
    ]) {
      expect(keyPatternProblem(pattern), pattern).toBeNull();
    }
  });

  it("refuses what the linear-time engine cannot run, or a program too big, with a reason", () => {
    expect(keyPatternProblem("(a)\\1")).toMatch(/Back-references/);
    expect(keyPatternProblem("(?<k>a)\\k<k>")).toMatch(/Back-references/);
    expect(keyPatternProblem("(?=a)a")).toMatch(/Look-aheads/);
    expect(keyPatternProblem("(?<!a)b")).toMatch(/Look-aheads and look-behinds/);
    expect(keyPatternProblem("[A-Z")).toMatch(/^Not a valid regular expression \(missing closing \]/);
    expect(keyPatternProblem("a{1001}")).toMatch(/^Not a valid regular expression/);
    expect(keyPatternProblem("(?:[a-z]{50}){9}")).toMatch(/too large/);
    expect(keyPatternProblem("a".repeat(101))).toMatch(/100 characters/);
  });

  it("accepts the backtracking bombs: they are harmless on this engine", () => {
    for (const pattern of ["[a-z]*[a-z]*[a-z]{0,7}X", "(a+)+b", "(a|aa)*c", "(\\d{2})+", "\\d*\\d*\\d*x"]) {
      expect(keyPatternProblem(pattern), pattern).toBeNull();
    }
  });

  it("falls back to the default for a stored pattern that is broken or not acceptable", () => {
    expect(safeKeyPattern("(a)\\1")).toBe(DEFAULT_KEY_PATTERN);
    expect(safeKeyPattern(null)).toBe(DEFAULT_KEY_PATTERN);
    expect(safeKeyPattern("#\\d+")).toBe("#\\d+");
    expect(() => compileKeyPattern("(?=x)y")).toThrow(/Look-aheads/);
  });

  it("runs the issue's pattern on 150 long branch names in linear steps", () => {
    // The report: [a-z]*[a-z]*[a-z]{0,7}X and 150 API entries with 200-character branch names
    // blocked the process for ~5 s on RegExp (cubic: every start × two open repeats).
    const matcher = compileKeyPattern("[a-z]*[a-z]*[a-z]{0,7}X");
    const counter = countSteps(matcher);
    try {
      // The key is at the far end and the whole name is not one: both searches read it all.
      const branch = (n: number) => "a".repeat(n - 2) + "Xa";
      const cells = (n: number) => (matcher.engine.programSize() + 1) * (n + 1);
      let total = 0;
      for (let i = 0; i < 150; i++) total += stepsFor(matcher, counter, branch(MAX_KEY_INPUT));
      expect(total).toBeLessThan(150 * STEPS_PER_CELL * cells(MAX_KEY_INPUT));
      const n = stepsFor(matcher, counter, branch(500));
      const n4 = stepsFor(matcher, counter, branch(2000));
      expect(n).toBeGreaterThanOrEqual(500); // the counter does see the work
      expect(n4 / n).toBeLessThan(4.5);
    } finally {
      counter.restore();
    }
  });

  it("keeps the work linear in the input's length for any accepted pattern (property)", () => {
    let worst = 0;
    fc.assert(
      fc.property(patternArb, unitArb, fc.integer({ min: 20, max: 60 }), (pattern, unit, reps) => {
        const matcher = compileKeyPattern(pattern);
        const counter = countSteps(matcher);
        try {
          const m = matcher.engine.programSize() + 1;
          const short = unit.repeat(reps);
          const long = unit.repeat(reps * 4);
          // Warm the lazy DFA's cache first, so both lengths are measured the same way.
          stepsFor(matcher, counter, short);
          const a = stepsFor(matcher, counter, short);
          const b = stepsFor(matcher, counter, long);
          worst = Math.max(worst, b / (m * (long.length + 1)), a / (m * (short.length + 1)));
          // Linear: a fixed number of steps per instruction per character, whatever the length...
          expect(a).toBeLessThanOrEqual(STEPS_PER_CELL * m * (short.length + 1));
          expect(b).toBeLessThanOrEqual(STEPS_PER_CELL * m * (long.length + 1));
          // ...and four times the input costs at most about four times the steps (plus start-up).
          expect(b).toBeLessThanOrEqual(4 * a + 4 * STEPS_PER_CELL * m);
        } finally {
          counter.restore();
        }
      }),
      { numRuns: 300, seed: 12 },
    );
    expect(worst).toBeGreaterThan(0);
  });

  it("still finds keys in branch names and pasted lines", () => {
    expect(storyKeyIn("feature/PAY-412-refund", compileKeyPattern("[A-Z]+-\\d+"))).toBe("PAY-412");
    expect(storyKeyIn("main", compileKeyPattern(undefined))).toBeNull();
    expect(storyKeyIn("feature/x", compileKeyPattern("\\d*"))).toBeNull(); // an empty match is no key
    expect(splitLeadingKey("OPS-7 Rotate keys", "(PAY|OPS)-\\d+")).toEqual({ key: "OPS-7", title: "Rotate keys" });
    expect(isStoryKey("GH-12", "GH-\\d+|JIRA-\\d+")).toBe(true);
    expect(isStoryKey("GH-12x", "GH-\\d+|JIRA-\\d+")).toBe(false);
    expect(isStoryKey("xGH-12", "GH-\\d+|JIRA-\\d+")).toBe(false);
  });
});
