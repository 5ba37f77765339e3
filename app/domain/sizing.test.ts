import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bandFor,
  estimate,
  implied,
  summarizeRound,
  UNSURE,
  UnknownLevelError,
  validateScheme,
  type Card,
  type Vote,
} from "~/domain/sizing";
import { DEFAULT_SCHEME, type Band, type DimensionId, type Level, type SizingScheme } from "~/domain/sizing-scheme";

const DIMS: DimensionId[] = ["intensity", "autonomy", "risk"];

/** A structurally fresh copy to break in a test without touching the shared default. */
const copyDefault = (): SizingScheme => structuredClone(DEFAULT_SCHEME);

const vote = (
  voterId: string,
  intensity: Card | null,
  autonomy: Card | null,
  risk: Card | null,
  split = false,
): Vote => ({
  voterId,
  split,
  intensity,
  autonomy,
  risk,
});

// ---------------------------------------------------------------------------------------------------
// Generators

const levelsOf = (prefix: string, n: number): Level[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, label: `${prefix} ${i}`, description: "" }));

const amount = fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true });

/** Random schemes that satisfy every rule of validateScheme, built so by construction. */
const validScheme: fc.Arbitrary<SizingScheme> = fc
  .record({
    ni: fc.integer({ min: 1, max: 5 }),
    na: fc.integer({ min: 1, max: 5 }),
    nr: fc.integer({ min: 1, max: 4 }),
  })
  .chain(({ ni, na, nr }) =>
    fc
      .record({
        increments: fc.array(fc.array(amount, { minLength: na, maxLength: na }), { minLength: ni, maxLength: ni }),
        multipliers: fc.array(fc.double({ min: 1, max: 30, noNaN: true }), { minLength: nr, maxLength: nr }),
        edges: fc.uniqueArray(fc.double({ min: 0.01, max: 5000, noNaN: true }), { maxLength: 6 }),
      })
      .map(({ increments, multipliers, edges }): SizingScheme => {
        // Each cell = the larger of its upper and left neighbours plus a non-negative step: monotone.
        const base: number[][] = [];
        increments.forEach((row, i) => {
          base.push([]);
          row.forEach((step, j) => {
            const previous = Math.max(base[i - 1]?.[j] ?? 0, base[i]?.[j - 1] ?? 0);
            base[i]!.push(previous + step + (i === 0 && j === 0 ? 1 : 0));
          });
        });
        const lows = [0, ...[...edges].sort((a, b) => a - b)];
        const bands: Band[] = lows.map((low, k) => ({ label: `B${k}`, low, high: lows[k + 1] ?? null }));
        return {
          intensity: levelsOf("i", ni),
          autonomy: levelsOf("a", na),
          risk: levelsOf("r", nr),
          base,
          p80Multiplier: multipliers,
          bands,
        };
      }),
  );

const anyScheme = fc.oneof(fc.constant(DEFAULT_SCHEME), validScheme);

/** A scheme together with one numeric level index per dimension. */
const schemeWithIndices = anyScheme.chain((scheme) =>
  fc.record({
    scheme: fc.constant(scheme),
    i: fc.nat(scheme.intensity.length - 1),
    a: fc.nat(scheme.autonomy.length - 1),
    r: fc.nat(scheme.risk.length - 1),
  }),
);

const cardFor = (scheme: SizingScheme, d: DimensionId): fc.Arbitrary<Card | null> =>
  fc.oneof(fc.constantFrom(...scheme[d].map((l) => l.id)), fc.constant(UNSURE), fc.constant(null));

const votesFor = (scheme: SizingScheme) =>
  fc.array(
    fc.record({
      voterId: fc.uuid(),
      split: fc.boolean(),
      intensity: cardFor(scheme, "intensity"),
      autonomy: cardFor(scheme, "autonomy"),
      risk: cardFor(scheme, "risk"),
    }),
    { maxLength: 12 },
  );

const bandIndex = (scheme: SizingScheme, size: string) => scheme.bands.findIndex((b) => b.label === size);

// ---------------------------------------------------------------------------------------------------

describe("estimate", () => {
  it("reads the default table", () => {
    expect(estimate(DEFAULT_SCHEME, { intensity: "standard", autonomy: "delegate", risk: "medium" })).toEqual({
      expected: 150,
      p80: 375,
      size: "M",
      band: { label: "M", low: 100, high: 400 },
    });
    expect(estimate(DEFAULT_SCHEME, { intensity: "light", autonomy: "assist", risk: "low" })).toMatchObject({
      expected: 5,
      p80: 7.5,
      size: "XS",
    });
    expect(estimate(DEFAULT_SCHEME, { intensity: "frontier-max", autonomy: "autonomous", risk: "high" })).toMatchObject(
      {
        expected: 2000,
        p80: 10000,
        size: "XL",
      },
    );
  });

  it("puts a value on a band edge into the upper band", () => {
    // light × autonomous = 100 = the edge between S and M.
    expect(estimate(DEFAULT_SCHEME, { intensity: "light", autonomy: "autonomous", risk: "low" }).size).toBe("M");
    expect(estimate(DEFAULT_SCHEME, { intensity: "standard", autonomy: "autonomous", risk: "low" }).size).toBe("L");
  });

  it("never lets risk change the size", () => {
    const sizes = DEFAULT_SCHEME.risk.map(
      (r) => estimate(DEFAULT_SCHEME, { intensity: "frontier", autonomy: "pair", risk: r.id }).size,
    );
    expect(new Set(sizes)).toEqual(new Set(["M"]));
  });

  it("multiplies the cell by the risk level's median factor when the scheme has one", () => {
    const priced: SizingScheme = { ...DEFAULT_SCHEME, riskMedian: [0.5, 1, 1.5] };
    expect(estimate(priced, { intensity: "standard", autonomy: "delegate", risk: "low" })).toMatchObject({
      expected: 75,
      p80: 75 * 1.5,
      size: "S",
    });
    expect(estimate(priced, { intensity: "standard", autonomy: "delegate", risk: "high" })).toMatchObject({
      expected: 225,
      p80: 225 * 5,
      size: "M",
    });
  });

  it("throws UnknownLevelError on an unknown level id, including ?", () => {
    expect(() => estimate(DEFAULT_SCHEME, { intensity: "huge", autonomy: "pair", risk: "low" })).toThrow(
      UnknownLevelError,
    );
    expect(() => estimate(DEFAULT_SCHEME, { intensity: "light", autonomy: "pair", risk: UNSURE })).toThrow(
      UnknownLevelError,
    );
  });

  it("raising any dimension never lowers expected credits or the size", () => {
    fc.assert(
      fc.property(schemeWithIndices, fc.constantFrom(...DIMS), ({ scheme, i, a, r }, dimension) => {
        const at = (ii: number, aa: number, rr: number) =>
          estimate(scheme, {
            intensity: scheme.intensity[ii]!.id,
            autonomy: scheme.autonomy[aa]!.id,
            risk: scheme.risk[rr]!.id,
          });
        const raise = { intensity: [1, 0, 0], autonomy: [0, 1, 0], risk: [0, 0, 1] }[dimension];
        const [di, da, dr] = raise as [number, number, number];
        fc.pre(i + di < scheme.intensity.length && a + da < scheme.autonomy.length && r + dr < scheme.risk.length);
        const lower = at(i, a, r);
        const higher = at(i + di, a + da, r + dr);
        expect(higher.expected).toBeGreaterThanOrEqual(lower.expected);
        expect(bandIndex(scheme, higher.size)).toBeGreaterThanOrEqual(bandIndex(scheme, lower.size));
        if (dimension === "risk") expect(higher.size).toBe(lower.size);
      }),
    );
  });

  it("gives p80 ≥ expected", () => {
    fc.assert(
      fc.property(schemeWithIndices, ({ scheme, i, a, r }) => {
        const e = estimate(scheme, {
          intensity: scheme.intensity[i]!.id,
          autonomy: scheme.autonomy[a]!.id,
          risk: scheme.risk[r]!.id,
        });
        expect(e.p80).toBeGreaterThanOrEqual(e.expected);
      }),
    );
  });
});

describe("bandFor", () => {
  it("uses half-open bands", () => {
    expect(bandFor(DEFAULT_SCHEME, 0).label).toBe("XS");
    expect(bandFor(DEFAULT_SCHEME, 24.99).label).toBe("XS");
    expect(bandFor(DEFAULT_SCHEME, 25).label).toBe("S");
    expect(bandFor(DEFAULT_SCHEME, 1500).label).toBe("XL");
    expect(bandFor(DEFAULT_SCHEME, 1e12).label).toBe("XL");
  });

  it("rejects negative and NaN credits", () => {
    expect(() => bandFor(DEFAULT_SCHEME, -1)).toThrow(RangeError);
    expect(() => bandFor(DEFAULT_SCHEME, Number.NaN)).toThrow(RangeError);
  });

  it("bands partition [0, ∞): every non-negative number falls in exactly one band", () => {
    const schemeAndCredits = anyScheme.chain((scheme) =>
      fc.record({
        scheme: fc.constant(scheme),
        credits: fc.oneof(
          fc.constantFrom(...scheme.bands.flatMap((b) => (b.high === null ? [b.low] : [b.low, b.high]))),
          fc.double({ min: 0, max: 1e7, noNaN: true }),
        ),
      }),
    );
    fc.assert(
      fc.property(schemeAndCredits, ({ scheme, credits }) => {
        const containing = scheme.bands.filter((b) => credits >= b.low && (b.high === null || credits < b.high));
        expect(containing).toHaveLength(1);
        expect(bandFor(scheme, credits)).toBe(containing[0]);
      }),
    );
  });
});

describe("implied", () => {
  it("needs intensity and autonomy for expected and size, and risk too for p80", () => {
    expect(implied(DEFAULT_SCHEME, { intensity: "standard", autonomy: "delegate", risk: "medium" })).toEqual({
      expected: 150,
      p80: 375,
      size: "M",
    });
    expect(implied(DEFAULT_SCHEME, { intensity: "standard", autonomy: "delegate", risk: UNSURE })).toEqual({
      expected: 150,
      p80: null,
      size: "M",
    });
    expect(implied(DEFAULT_SCHEME, { intensity: "standard", autonomy: "delegate", risk: null })).toEqual({
      expected: 150,
      p80: null,
      size: "M",
    });
    expect(implied(DEFAULT_SCHEME, { intensity: UNSURE, autonomy: "delegate", risk: "low" })).toEqual({
      expected: null,
      p80: null,
      size: null,
    });
  });

  it("waits for the risk card too once the scheme prices risk into the median", () => {
    const priced: SizingScheme = { ...DEFAULT_SCHEME, riskMedian: [0.9, 1, 1.2] };
    expect(implied(priced, { intensity: "standard", autonomy: "delegate", risk: UNSURE })).toEqual({
      expected: null,
      p80: null,
      size: null,
    });
    expect(implied(priced, { intensity: "standard", autonomy: "delegate", risk: "high" })).toEqual({
      expected: 180,
      p80: 900,
      size: "M",
    });
    // Factors of 1 are the same as none.
    const ones: SizingScheme = { ...DEFAULT_SCHEME, riskMedian: [1, 1, 1] };
    expect(implied(ones, { intensity: "standard", autonomy: "delegate", risk: null }).expected).toBe(150);
  });

  it("throws on unknown ids even in a dimension it cannot use", () => {
    expect(() => implied(DEFAULT_SCHEME, { intensity: UNSURE, autonomy: "delegate", risk: "extreme" })).toThrow(
      UnknownLevelError,
    );
    expect(() => implied(DEFAULT_SCHEME, { intensity: "nope", autonomy: null, risk: null })).toThrow(UnknownLevelError);
  });
});

describe("summarizeRound", () => {
  it("counts, spreads and suggests the median per dimension", () => {
    const summary = summarizeRound(DEFAULT_SCHEME, [
      vote("ann", "standard", "delegate", "medium"),
      vote("bob", "standard", "pair", "high"),
      vote("cy", "frontier", "delegate", UNSURE),
    ]);
    expect(summary.voters).toBe(3);
    expect(summary.dimensions.intensity).toEqual({
      counts: { light: 0, standard: 2, frontier: 1, "frontier-max": 0, [UNSURE]: 0 },
      spread: 1,
      agreement: "close",
      suggestion: "standard",
    });
    expect(summary.dimensions.autonomy).toMatchObject({ spread: 1, agreement: "close", suggestion: "delegate" });
    // Even count with different middles: the higher level.
    expect(summary.dimensions.risk).toMatchObject({
      counts: { low: 0, medium: 1, high: 1, [UNSURE]: 1 },
      spread: 1,
      suggestion: "high",
    });
    expect(summary.suggestion).toEqual({
      split: false,
      intensity: "standard",
      autonomy: "delegate",
      risk: "high",
      estimate: { expected: 150, p80: 750, size: "M" },
    });
    expect(summary.perVoter).toEqual([
      { voterId: "ann", split: false, expected: 150, p80: 375, size: "M" },
      { voterId: "bob", split: false, expected: 50, p80: 250, size: "S" },
      { voterId: "cy", split: false, expected: 400, p80: null, size: "L" },
    ]);
  });

  it("names agreement by spread", () => {
    const agreement = (...levels: string[]) =>
      summarizeRound(
        DEFAULT_SCHEME,
        levels.map((l, k) => vote(`v${k}`, l, null, null)),
      ).dimensions.intensity.agreement;
    expect(agreement("frontier", "frontier")).toBe("unanimous");
    expect(agreement("light")).toBe("unanimous");
    expect(agreement("light", "standard")).toBe("close");
    expect(agreement("light", "frontier", "frontier")).toBe("wide");
    expect(agreement()).toBeNull();
  });

  it("suggests split only when strictly more than half of the voters played it", () => {
    const two = [vote("a", null, null, null, true), vote("b", "light", "assist", "low")];
    expect(summarizeRound(DEFAULT_SCHEME, two).suggestion.split).toBe(false);
    const three = [...two, vote("c", null, null, null, true)];
    expect(summarizeRound(DEFAULT_SCHEME, three).suggestion).toEqual({ split: true });
    // Someone who has not played anything yet is not a voter.
    expect(summarizeRound(DEFAULT_SCHEME, [...three, vote("d", null, null, null)]).voters).toBe(3);
  });

  it("ignores the dimension cards of a split vote", () => {
    const summary = summarizeRound(DEFAULT_SCHEME, [
      vote("a", "light", "assist", "low", true),
      vote("b", "frontier", "pair", "high"),
    ]);
    expect(summary.dimensions.intensity.counts.light).toBe(0);
    expect(summary.dimensions.intensity.suggestion).toBe("frontier");
    expect(summary.perVoter[0]).toEqual({ voterId: "a", split: true, expected: null, p80: null, size: null });
  });

  it("gives no suggestion for an all-? dimension", () => {
    const summary = summarizeRound(DEFAULT_SCHEME, [
      vote("a", "light", UNSURE, "low"),
      vote("b", "standard", UNSURE, "low"),
    ]);
    expect(summary.dimensions.autonomy).toMatchObject({ spread: null, agreement: null, suggestion: null });
    expect(summary.dimensions.autonomy.counts[UNSURE]).toBe(2);
    expect(summary.suggestion).toMatchObject({ split: false, intensity: "standard", autonomy: null, risk: "low" });
    expect(summary.suggestion).toMatchObject({ estimate: { expected: null, p80: null, size: null } });
  });

  it("throws on a card that is not a level of the scheme", () => {
    expect(() => summarizeRound(DEFAULT_SCHEME, [vote("a", "galactic", null, null)])).toThrow(UnknownLevelError);
  });

  it("? and split never break the maths", () => {
    const schemeAndVotes = anyScheme.chain((scheme) =>
      fc.record({ scheme: fc.constant(scheme), votes: votesFor(scheme) }),
    );
    fc.assert(
      fc.property(schemeAndVotes, ({ scheme, votes }) => {
        const summary = summarizeRound(scheme, votes);
        const numbersOk = (x: number | null) => x === null || Number.isFinite(x);
        for (const v of summary.perVoter) expect([v.expected, v.p80].every(numbersOk)).toBe(true);
        if (!summary.suggestion.split) {
          const { expected, p80 } = summary.suggestion.estimate;
          expect([expected, p80].every(numbersOk)).toBe(true);
        }
        for (const d of DIMS) {
          const { counts, spread } = summary.dimensions[d];
          expect(numbersOk(spread)).toBe(true);
          const played = votes.filter((v) => !v.split && v[d] !== null).length;
          expect(Object.values(counts).reduce((s, n) => s + n, 0)).toBe(played);
        }
      }),
    );
  });

  it("the suggestion is a median: at least half the numeric cards on each side of it", () => {
    const schemeAndVotes = anyScheme.chain((scheme) =>
      fc.record({ scheme: fc.constant(scheme), votes: votesFor(scheme) }),
    );
    fc.assert(
      fc.property(schemeAndVotes, ({ scheme, votes }) => {
        const summary = summarizeRound(scheme, votes);
        for (const d of DIMS) {
          const ids = scheme[d].map((l) => l.id);
          const indices = votes.flatMap((v) =>
            !v.split && v[d] !== null && v[d] !== UNSURE ? [ids.indexOf(v[d])] : [],
          );
          const suggestion = summary.dimensions[d].suggestion;
          if (indices.length === 0) {
            expect(suggestion).toBeNull();
            continue;
          }
          const m = ids.indexOf(suggestion!);
          expect(indices.filter((x) => x <= m).length * 2).toBeGreaterThanOrEqual(indices.length);
          expect(indices.filter((x) => x >= m).length * 2).toBeGreaterThanOrEqual(indices.length);
        }
      }),
    );
  });

  it("an all-? dimension yields no suggestion", () => {
    const schemeVotesDim = anyScheme.chain((scheme) =>
      fc.record({ scheme: fc.constant(scheme), votes: votesFor(scheme), dimension: fc.constantFrom(...DIMS) }),
    );
    fc.assert(
      fc.property(schemeVotesDim, ({ scheme, votes, dimension }) => {
        const unsure = votes.map((v) => ({ ...v, split: false, [dimension]: UNSURE }));
        const summary = summarizeRound(scheme, unsure);
        expect(summary.dimensions[dimension].suggestion).toBeNull();
        expect(summary.suggestion).toMatchObject({ split: false, [dimension]: null });
      }),
    );
  });
});

describe("validateScheme", () => {
  it("accepts the default scheme", () => {
    expect(validateScheme(DEFAULT_SCHEME)).toEqual([]);
  });

  it("accepts every generated valid scheme", () => {
    fc.assert(
      fc.property(validScheme, (scheme) => {
        expect(validateScheme(scheme)).toEqual([]);
      }),
    );
  });

  it("requires levels with unique, non-reserved ids", () => {
    const scheme = copyDefault();
    scheme.risk = [];
    scheme.p80Multiplier = [];
    scheme.autonomy[1]!.id = "assist";
    scheme.intensity[0]!.id = UNSURE;
    expect(validateScheme(scheme)).toEqual([
      { path: "intensity[0].id", message: '"?" is a deck card and cannot be used as a Model intensity level id' },
      { path: "autonomy[1].id", message: 'Autonomy level has two levels with the id "assist"' },
      { path: "risk", message: "Budget risk needs at least one level" },
    ]);
  });

  it("checks the cost table's shape", () => {
    const scheme = copyDefault();
    scheme.base.pop();
    expect(validateScheme(scheme)).toEqual([
      { path: "base", message: "The cost table needs one row per model intensity level (4), but has 3" },
    ]);
    const ragged = copyDefault();
    ragged.base[2]!.pop();
    expect(validateScheme(ragged)).toEqual([
      { path: "base[2]", message: "The Frontier row needs one cost per autonomy level (4), but has 3" },
    ]);
  });

  it("checks costs are positive, finite and never fall along either axis", () => {
    const scheme = copyDefault();
    scheme.base[0]![0] = 0;
    scheme.base[1]![3] = Number.POSITIVE_INFINITY;
    scheme.base[2]![1] = 45; // below Standard × Pair (50) above it
    scheme.base[3]![3] = 700; // below Frontier max × Delegate (800) and Frontier × Autonomous (1000)
    expect(validateScheme(scheme)).toEqual([
      { path: "base[0][0]", message: "Light × Assist must be a number of credits above 0" },
      { path: "base[1][3]", message: "Standard × Autonomous must be a number of credits above 0" },
      { path: "base[2][1]", message: "Frontier × Pair (45) must not cost less than Standard × Pair (50)" },
      {
        path: "base[3][3]",
        message: "Frontier max × Autonomous (700) must not cost less than Frontier × Autonomous (1000)",
      },
      {
        path: "base[3][3]",
        message: "Frontier max × Autonomous (700) must not cost less than Frontier max × Delegate (800)",
      },
    ]);
  });

  it("needs one multiplier of at least 1 per risk level, in any order", () => {
    const unordered = copyDefault();
    unordered.p80Multiplier = [3, 1, 2];
    expect(validateScheme(unordered)).toEqual([]);
    const low = copyDefault();
    low.p80Multiplier = [0.5, 2.5, Number.NaN];
    expect(validateScheme(low)).toEqual([
      { path: "p80Multiplier[0]", message: "The p80 multiplier for Low risk must be 1 or more" },
      { path: "p80Multiplier[2]", message: "The p80 multiplier for High risk must be 1 or more" },
    ]);
    const short = copyDefault();
    short.p80Multiplier = [1.5];
    expect(validateScheme(short)).toEqual([
      { path: "p80Multiplier", message: "Each budget risk level needs one p80 multiplier (3), but there are 1" },
    ]);
  });

  it("needs one median factor between 0.1 and 10 per risk level, when there are any", () => {
    expect(validateScheme({ ...copyDefault(), riskMedian: [0.9, 1, 1.15] })).toEqual([]);
    expect(validateScheme({ ...copyDefault(), riskMedian: [0, 1, Number.POSITIVE_INFINITY] })).toEqual([
      { path: "riskMedian[0]", message: "The median factor for Low risk must be between 0.1 and 10" },
      { path: "riskMedian[2]", message: "The median factor for High risk must be between 0.1 and 10" },
    ]);
    expect(validateScheme({ ...copyDefault(), riskMedian: [1] })).toEqual([
      { path: "riskMedian", message: "Each budget risk level needs one median factor (3), but there are 1" },
    ]);
  });

  it("checks bands start at 0, are contiguous, increasing, labelled and only the last open", () => {
    const gap = copyDefault();
    gap.bands[2]!.low = 120;
    expect(validateScheme(gap)).toEqual([
      { path: "bands[2].low", message: "Band M must start where band S ends (100)" },
    ]);

    const broken = copyDefault();
    broken.bands = [
      { label: "XS", low: 5, high: 25 },
      { label: "S", low: 25, high: 25 },
      { label: " ", low: 25, high: null },
      { label: "XS", low: 400, high: 1000 },
    ];
    expect(validateScheme(broken)).toEqual([
      { path: "bands[0].low", message: "The first band (XS) must start at 0 credits" },
      { path: "bands[1].high", message: "Band S must end above where it starts (25)" },
      { path: "bands[2].label", message: "Band #3 needs a label" },
      { path: "bands[2].high", message: "Only the last band can be open-ended; give band #3 an upper limit" },
      { path: "bands[3].label", message: 'Two bands are labelled "XS"' },
      { path: "bands[3].high", message: "The last band (XS) must be open-ended, with no upper limit" },
    ]);

    const none = copyDefault();
    none.bands = [];
    expect(validateScheme(none)).toEqual([{ path: "bands", message: "Add at least one size band" }]);
  });

  it("every scheme it accepts sizes every combination", () => {
    fc.assert(
      fc.property(schemeWithIndices, ({ scheme, i, a, r }) => {
        expect(validateScheme(scheme)).toEqual([]);
        const e = estimate(scheme, {
          intensity: scheme.intensity[i]!.id,
          autonomy: scheme.autonomy[a]!.id,
          risk: scheme.risk[r]!.id,
        });
        expect(Number.isFinite(e.expected) && Number.isFinite(e.p80)).toBe(true);
      }),
    );
  });
});
