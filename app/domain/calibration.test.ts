import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  diffSchemes,
  predictiveQuantile,
  scoreScheme,
  studentTCdf,
  studentTQuantile,
  suggestRecalibration,
  type FinishedStory,
} from "~/domain/calibration";
import { quantile } from "~/domain/drift";
import { DEFAULT_SCHEME, type SizingScheme } from "~/domain/sizing-scheme";
import {
  describe as describeRun,
  mean,
  mulberry32,
  normal,
  runRolling,
  runStationary,
} from "../../tests/helpers/calibration-simulation";

// Short runs of the simulations; tests/system/calibration-simulation.test.ts holds the long ones
// (300 histories each, two seeds) with the goals of issue 19.

describe("suggestRecalibration on simulated agent spend (short runs)", () => {
  it("recovers a uniformly biased team from three sprints of 12 stories", { timeout: 300_000 }, async () => {
    const r = await runStationary(() => ({ teamBias: 1.6 }), 6_000, 40, 500);
    console.info(describeRun("team 1.6×", r.coverage, r.errorVsOracle));
    expect(mean(r.coverage)).toBeGreaterThan(0.76);
    expect(mean(r.coverage)).toBeLessThan(0.85);
    expect(mean(r.errorVsOracle)).toBeLessThan(1.1);
    // The defaults were visibly off before.
    expect(mean(r.oldCoverage)).toBeLessThan(0.76);
  });

  it("moves a level that runs 2.5× the rest", { timeout: 300_000 }, async () => {
    const r = await runStationary(
      (h) => ({ teamBias: 1, off: { dimension: h % 2 ? "intensity" : "autonomy", level: (h >> 1) % 4, factor: 2.5 } }),
      7_000,
      40,
      500,
    );
    console.info(describeRun("one level 2.5×", r.coverage, r.errorVsOracle));
    expect(mean(r.coverage)).toBeGreaterThan(0.76);
    expect(mean(r.errorVsOracle)).toBeLessThan(1.25);
  });

  it("keeps up with +10 % a sprint when re-applied every sprint", { timeout: 300_000 }, async () => {
    const r = await runRolling({ teamBias: 1.3, driftPerSprint: 1.1 }, 8_000, 30);
    console.info(describeRun("rolling, +10 %/sprint", r.coverage, r.errorVsOracle));
    expect(mean(r.coverage)).toBeGreaterThan(0.74);
    expect(r.projected).toBeGreaterThan(0.4);
  });
});

// ---------------------------------------------------------------------------------------------

function story(intensity: string, autonomy: string, risk: string, actual: number | null): FinishedStory {
  return { intensity, autonomy, risk, actual };
}

function cellOf(scheme: SizingScheme, intensity: string, autonomy: string): number {
  const i = scheme.intensity.findIndex((l) => l.id === intensity);
  const a = scheme.autonomy.findIndex((l) => l.id === autonomy);
  return scheme.base[i]![a]!;
}

describe("suggestRecalibration", () => {
  it("returns the scheme unchanged, with the reason, when there is too little history", () => {
    const cal = suggestRecalibration(DEFAULT_SCHEME, [
      story("standard", "pair", "low", 80),
      story("standard", "pair", "low", 90),
    ]);
    expect(cal.scheme).toEqual(DEFAULT_SCHEME);
    expect(cal.diff).toEqual([]);
    expect(cal.evidence).toMatchObject({ enough: false, stories: 2 });
  });

  it("counts the stories it cannot use", () => {
    const cal = suggestRecalibration(DEFAULT_SCHEME, [
      story("standard", "pair", "low", 80),
      story("?", "pair", "low", 80),
      { intensity: null, autonomy: "pair", risk: "low", actual: 80 },
      story("standard", "pair", "low", null),
      story("standard", "pair", "low", 0),
    ]);
    expect(cal.evidence).toMatchObject({ stories: 1, skipped: { unknownLevels: 2, noSpend: 2 } });
  });

  it("scales every cell by one factor when the whole team is uniformly off", () => {
    // Every cell sees the same spread of outcomes around 1.6× its base: nothing to tell cells apart.
    const spread = [-1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2].map((z) => 1.6 * Math.exp(0.5 * z));
    const stories = DEFAULT_SCHEME.intensity.flatMap((il) =>
      DEFAULT_SCHEME.autonomy.flatMap((al) =>
        spread.map((f) => story(il.id, al.id, "medium", f * cellOf(DEFAULT_SCHEME, il.id, al.id))),
      ),
    );
    const cal = suggestRecalibration(DEFAULT_SCHEME, stories);
    expect(cal.evidence.overall.factor).toBeCloseTo(1.6 * Math.exp(0.5 * 0.25), 6);
    expect(new Set(cal.evidence.cells.map((c) => c.source))).toEqual(new Set(["overall"]));
    expect(cal.diff.filter((d) => d.path.startsWith("base."))).toHaveLength(16);
  });

  it("moves a row on its own when its stories clearly disagree with the rest", () => {
    const rand = mulberry32(11);
    const stories: FinishedStory[] = [];
    for (const il of DEFAULT_SCHEME.intensity) {
      for (const al of DEFAULT_SCHEME.autonomy.slice(0, 3)) {
        const base = cellOf(DEFAULT_SCHEME, il.id, al.id);
        const truth = il.id === "frontier-max" ? 3 : 1;
        for (let k = 0; k < 10; k++)
          stories.push(story(il.id, al.id, "medium", base * truth * Math.exp(0.4 * normal(rand))));
      }
    }
    const cal = suggestRecalibration(DEFAULT_SCHEME, stories);
    const factor = (i: string, a: string) => cellOf(cal.scheme, i, a) / cellOf(DEFAULT_SCHEME, i, a);
    expect(factor("frontier-max", "delegate")).toBeGreaterThan(2.4);
    expect(factor("frontier-max", "delegate")).toBeLessThan(3.6);
    expect(factor("standard", "delegate")).toBeGreaterThan(0.8);
    expect(factor("standard", "delegate")).toBeLessThan(1.25);
    expect(cal.evidence.cells.find((c) => c.intensity === "frontier-max" && c.autonomy === "pair")!.source).not.toBe(
      "overall",
    );
  });

  it("prices a risk level that clearly costs more in the median into its median factor", () => {
    const rand = mulberry32(12);
    const stories: FinishedStory[] = [];
    for (const il of DEFAULT_SCHEME.intensity) {
      for (const al of DEFAULT_SCHEME.autonomy) {
        for (const rl of DEFAULT_SCHEME.risk) {
          const truth = rl.id === "high" ? 2 : 1;
          for (let k = 0; k < 3; k++)
            stories.push(
              story(il.id, al.id, rl.id, cellOf(DEFAULT_SCHEME, il.id, al.id) * truth * Math.exp(0.3 * normal(rand))),
            );
        }
      }
    }
    const cal = suggestRecalibration(DEFAULT_SCHEME, stories);
    const [low, medium, high] = cal.scheme.riskMedian!;
    expect(high! / medium!).toBeGreaterThan(1.7);
    expect(high! / medium!).toBeLessThan(2.3);
    expect(low! / medium!).toBeCloseTo(1, 1);
    expect(cal.evidence.riskEffect.find((g) => g.id === "high")!.differs).toBeGreaterThan(0.9);
    expect(cal.diff.map((c) => c.path)).toContain("riskMedian.high");
    // Scored with the factors, the high-risk stories land on their estimate again.
    const highStories = stories.filter((s) => s.risk === "high");
    expect(scoreScheme(cal.scheme, highStories).medianAbsLog2Error!).toBeLessThan(0.35);
    expect(scoreScheme({ ...cal.scheme, riskMedian: undefined }, highStories).medianAbsLog2Error!).toBeGreaterThan(0.6);
  });

  it("puts band edges between where each size's actuals land", () => {
    // Each size's stories land at exactly 2× its cell: the edges follow, as geometric midpoints.
    const stories: FinishedStory[] = [];
    for (const [il, al] of [
      ["light", "assist"], // 5 → XS
      ["light", "delegate"], // 40 → S
      ["standard", "delegate"], // 150 → M
      ["frontier", "delegate"], // 400 → L
      ["frontier-max", "autonomous"], // 2000 → XL
    ] as const) {
      for (let k = 0; k < 8; k++) stories.push(story(il, al, "low", 2 * cellOf(DEFAULT_SCHEME, il, al)));
    }
    const cal = suggestRecalibration(DEFAULT_SCHEME, stories);
    expect(cal.evidence.bands.map((b) => b.medianActual)).toEqual([10, 80, 300, 800, 4000]);
    expect(cal.scheme.bands.map((b) => [b.label, b.low, b.high])).toEqual([
      ["XS", 0, 28],
      ["S", 28, 150],
      ["M", 150, 490],
      ["L", 490, 1800],
      ["XL", 1800, null],
    ]);
  });

  it("falls back to the old edge × the overall factor for sizes without enough stories", () => {
    const stories = Array.from({ length: 12 }, () => story("standard", "pair", "low", 100));
    const cal = suggestRecalibration(DEFAULT_SCHEME, stories);
    expect(cal.evidence.overall.factor).toBe(2);
    expect(cal.scheme.bands.map((b) => b.low)).toEqual([0, 50, 200, 800, 3000]);
    // No spread at all: the multiplier bottoms out at 1 rather than going below the expected.
    expect(cal.scheme.p80Multiplier).toEqual([1, 2.5, 5]);
    expect(cal.evidence.risk.map((r) => r.kept)).toEqual([false, true, true]);
  });

  it("keeps absurd spends finite instead of turning the scheme into NaN", () => {
    // Found by the property below: a subnormal spend underflowed log2 to -Infinity.
    const stories = Array.from({ length: 8 }, () => story("standard", "pair", "low", Number.MIN_VALUE));
    const { scheme } = suggestRecalibration(DEFAULT_SCHEME, stories);
    for (const x of [...scheme.base.flat(), ...scheme.bands.flatMap((b) => [b.low, b.high ?? 1])])
      expect(Number.isFinite(x)).toBe(true);
    expect(cellOf(scheme, "standard", "pair")).toBe(0.049); // 50 / 1024, two significant digits
  });

  it("always suggests a well-formed scheme and a diff that matches it", () => {
    const levelStory = fc.record({
      intensity: fc.constantFrom(...DEFAULT_SCHEME.intensity.map((l) => l.id), "?"),
      autonomy: fc.constantFrom(...DEFAULT_SCHEME.autonomy.map((l) => l.id)),
      risk: fc.constantFrom(...DEFAULT_SCHEME.risk.map((l) => l.id)),
      actual: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null, freq: 8 }),
    });
    fc.assert(
      fc.property(fc.array(levelStory, { maxLength: 120 }), (stories) => {
        const { scheme, evidence, diff } = suggestRecalibration(DEFAULT_SCHEME, stories);
        expect(evidence.stories + evidence.skipped.unknownLevels + evidence.skipped.noSpend).toBe(stories.length);
        for (const x of scheme.base.flat()) expect(Number.isFinite(x) && x > 0).toBe(true);
        for (const m of scheme.p80Multiplier) expect(Number.isFinite(m) && m >= 1).toBe(true);
        for (const f of scheme.riskMedian ?? []) expect(Number.isFinite(f) && f > 0).toBe(true);
        expect(scheme.bands[0]!.low).toBe(0);
        expect(scheme.bands.at(-1)!.high).toBeNull();
        scheme.bands.forEach((b, k) => {
          if (k > 0) expect(b.low).toBe(scheme.bands[k - 1]!.high);
          if (b.high !== null) expect(b.high).toBeGreaterThan(b.low);
        });
        expect(diff).toEqual(diffSchemes(DEFAULT_SCHEME, scheme));
        for (const change of diff) expect(change.from).not.toBe(change.to);
      }),
      { numRuns: 200 },
    );
  });
});

describe("diffSchemes", () => {
  it("lists each changed value old → new", () => {
    const next: SizingScheme = {
      ...DEFAULT_SCHEME,
      base: DEFAULT_SCHEME.base.map((row, i) => row.map((x, a) => (i === 1 && a === 1 ? 80 : x))),
      p80Multiplier: [1.5, 2.5, 4],
      bands: DEFAULT_SCHEME.bands.map((b) =>
        b.label === "M" ? { ...b, low: 120 } : b.label === "S" ? { ...b, high: 120 } : b,
      ),
    };
    expect(diffSchemes(DEFAULT_SCHEME, next)).toEqual([
      { path: "base.standard.pair", label: "Standard × Pair", from: 50, to: 80 },
      { path: "p80Multiplier.high", label: "p80 multiplier, High risk", from: 5, to: 4 },
      { path: "bands.M.low", label: "Edge S / M", from: 100, to: 120 },
    ]);
  });
});

describe("scoreScheme", () => {
  it("scores stories as if they had been estimated with the scheme", () => {
    const score = scoreScheme(DEFAULT_SCHEME, [
      story("standard", "pair", "low", 50), // expected 50, p80 75, band S [25, 100)
      story("standard", "pair", "low", 100), // 2× off, above p80, out of band
      story("standard", "pair", "high", 200), // p80 250
      story("?", "pair", "low", 50),
      story("standard", "pair", "low", null),
    ]);
    expect(score).toEqual({ stories: 3, skipped: 2, p80Coverage: 2 / 3, hitRate: 1 / 3, medianAbsLog2Error: 1 });
  });
});

describe("Student t", () => {
  it("matches published quantiles", () => {
    // Values from standard t tables.
    expect(studentTQuantile(0.8, 1)).toBeCloseTo(1.3764, 4);
    expect(studentTQuantile(0.8, 5)).toBeCloseTo(0.9195, 4);
    expect(studentTQuantile(0.8, 29)).toBeCloseTo(0.8542, 4);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.2281, 4);
    expect(studentTQuantile(0.99, 2)).toBeCloseTo(6.9646, 4);
    expect(studentTQuantile(0.8, 1e6)).toBeCloseTo(0.8416, 4);
    expect(studentTQuantile(0.2, 29)).toBeCloseTo(-0.8542, 4);
  });

  it("inverts the CDF", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 500 }), (p, df) => {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 8);
      }),
    );
  });
});

describe("predictiveQuantile", () => {
  it("covers the next value 80 % of the time where the raw 80th percentile under-covers", () => {
    // Standard normal logs, 10 stories per fit: coverage of the true distribution is Φ(bound).
    const rand = mulberry32(3);
    const phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    const predictive: number[] = [];
    const raw: number[] = [];
    for (let k = 0; k < 4000; k++) {
      const xs = Array.from({ length: 10 }, () => normal(rand));
      predictive.push(phi(predictiveQuantile(xs, 0.8)!.quantile));
      raw.push(phi(quantile(xs, 0.8)!));
    }
    expect(mean(predictive)).toBeGreaterThan(0.785);
    expect(mean(predictive)).toBeLessThan(0.815);
    expect(mean(raw)).toBeLessThan(0.76);
  });

  it("sets a heavy tail aside instead of letting it blow up the spread", () => {
    const body = Array.from({ length: 29 }, (_, k) => (k - 14) / 30);
    const fit = predictiveQuantile([...body, Math.log(30)], 0.8)!;
    expect(fit).toMatchObject({ tailHigh: 1, tailLow: 0 });
    expect(Math.exp(fit.quantile)).toBeLessThan(1.5);
  });
});

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for a test's normal CDF. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
