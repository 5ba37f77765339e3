import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  csvCell,
  describeRatio,
  driftHistogram,
  formatCsvNumber,
  groupDrift,
  storyDrift,
  summarizeDrift,
  type DriftStoryInput,
} from "~/domain/drift";

function story(over: Partial<DriftStoryInput> = {}): DriftStoryInput {
  return {
    expected: 100,
    p80: 250,
    bandLow: 100,
    bandHigh: 400,
    actual: 100,
    levels: { intensity: "standard", autonomy: "delegate", risk: "medium" },
    size: "M",
    ...over,
  };
}

const credits = fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });
const storyArb: fc.Arbitrary<DriftStoryInput> = fc.record({
  expected: maybe(fc.oneof(fc.constant(0), credits)),
  p80: maybe(credits),
  bandLow: maybe(credits),
  bandHigh: maybe(credits),
  actual: maybe(fc.oneof(fc.constant(0), credits)),
  levels: fc.record({
    intensity: maybe(fc.constantFrom("light", "standard")),
    autonomy: maybe(fc.constantFrom("pair", "delegate")),
    risk: maybe(fc.constantFrom("low", "high")),
  }),
  size: maybe(fc.constantFrom("S", "M")),
});

function finiteOrNull(value: unknown, path = "summary"): void {
  if (typeof value === "number") expect(Number.isFinite(value), path).toBe(true);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) finiteOrNull(v, `${path}.${k}`);
}

describe("storyDrift", () => {
  it("computes ratio, band, p80 and outlier flags", () => {
    expect(storyDrift(story({ actual: 160 }))).toEqual({
      ratio: 1.6,
      log2Ratio: Math.log2(1.6),
      inBand: true,
      withinP80: true,
      outlier: false,
      direction: "over",
    });
    expect(storyDrift(story({ actual: 40 })).outlier).toBe(true);
    expect(storyDrift(story({ actual: 201 })).outlier).toBe(true);
    expect(storyDrift(story({ actual: 200 })).outlier).toBe(false);
    expect(storyDrift(story({ actual: 251 })).withinP80).toBe(false);
  });

  it("has no ratio without an estimate, with a zero estimate, or without spend", () => {
    expect(storyDrift(story({ expected: null })).ratio).toBeNull();
    expect(storyDrift(story({ expected: 0 })).ratio).toBeNull();
    expect(storyDrift(story({ actual: null }))).toMatchObject({ ratio: null, inBand: null, withinP80: null });
  });

  it("treats the band as half-open and the top band as open", () => {
    expect(storyDrift(story({ actual: 400 })).inBand).toBe(false);
    expect(storyDrift(story({ actual: 100 })).inBand).toBe(true);
    expect(storyDrift(story({ bandLow: 1500, bandHigh: null, actual: 1e9 })).inBand).toBe(true);
  });

  it("keeps a zero spend finite in log space", () => {
    expect(storyDrift(story({ actual: 0 }))).toMatchObject({ ratio: 0, log2Ratio: -10, outlier: true });
  });

  it("ratio × expected = actual", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e7, noNaN: true }), credits, (expected, actual) => {
        const { ratio } = storyDrift(story({ expected, actual }));
        expect(ratio).not.toBeNull();
        // Relative precision, with an absolute floor where subnormal numbers lose digits.
        expect(Math.abs(ratio! * expected - actual)).toBeLessThanOrEqual(Math.max(1e-12 * actual, 1e-300));
      }),
    );
  });

  it("inBand agrees with the half-open band edges", () => {
    fc.assert(
      fc.property(credits, credits, maybe(credits), (actual, low, high) => {
        const { inBand } = storyDrift(story({ actual, bandLow: low, bandHigh: high }));
        expect(inBand).toBe(actual >= low && (high === null || actual < high));
      }),
    );
  });
});

describe("summarizeDrift", () => {
  it("summarises a sprint and counts what it cannot compare", () => {
    const s = summarizeDrift([
      story({ actual: 160 }),
      story({ actual: 80 }),
      story({ expected: 50, bandLow: 25, bandHigh: 100, p80: 125, actual: 100, size: "S" }),
      story({ expected: null, p80: null, bandLow: null, bandHigh: null, size: null, actual: 30 }),
      story({ actual: null }),
    ]);
    expect(s).toMatchObject({
      stories: 5,
      compared: 3,
      withoutEstimate: 1,
      withoutSpend: 1,
      zeroEstimate: 0,
      outliers: 0,
      totals: { matchedStories: 3, matchedPlanned: 250, matchedActual: 340, allPlanned: 350, allActual: 370 },
      hitRate: 1 / 3,
      p80Coverage: 1,
      medianRatio: 1.6,
      medianRatioWords: "actual spend ran 1.6× the estimate",
    });
    // Sorted log2 ratios [log2 0.8, log2 1.6, 1]; quartiles interpolate halfway between neighbours.
    const logs = [Math.log2(0.8), Math.log2(1.6), 1];
    expect(s.log2RatioIqr).toBeCloseTo((logs[1]! + logs[2]!) / 2 - (logs[0]! + logs[1]!) / 2);
    expect(s.breakdowns.size.map((g) => [g.key, g.stories, g.direction])).toEqual([
      ["M", 3, "over"],
      ["S", 1, "over"],
      [null, 1, null],
    ]);
  });

  it("is all zeros and nulls for no stories", () => {
    const s = summarizeDrift([]);
    expect(s).toMatchObject({ stories: 0, compared: 0, hitRate: null, p80Coverage: null, medianRatio: null });
    expect(s.log2RatioIqr).toBeNull();
  });

  it("never produces NaN or Infinity, and rates stay in [0, 1]", () => {
    fc.assert(
      fc.property(fc.array(storyArb, { maxLength: 30 }), (stories) => {
        const s = summarizeDrift(stories);
        finiteOrNull(s);
        for (const rate of [s.hitRate, s.p80Coverage, ...s.breakdowns.risk.map((g) => g.hitRate)]) {
          if (rate !== null) expect(rate).toBeGreaterThanOrEqual(0);
          if (rate !== null) expect(rate).toBeLessThanOrEqual(1);
        }
        expect(s.withoutEstimate + s.zeroEstimate + s.compared + s.withoutSpend).toBeGreaterThanOrEqual(s.stories);
      }),
    );
  });

  it("handles zero estimates and zero spend without NaN", () => {
    const s = summarizeDrift([story({ expected: 0, actual: 0 }), story({ actual: 0 })]);
    finiteOrNull(s);
    expect(s).toMatchObject({ zeroEstimate: 1, compared: 1, medianRatio: 0, outliers: 1 });
  });
});

describe("describeRatio", () => {
  it("puts the median ratio into words", () => {
    expect(describeRatio(1.6)).toBe("actual spend ran 1.6× the estimate");
    expect(describeRatio(0.5)).toBe("actual spend ran at 0.5× the estimate — half");
    expect(describeRatio(1.04)).toBe("actual spend ran on the estimate");
    expect(describeRatio(0.95)).toBe("actual spend ran on the estimate");
    expect(describeRatio(2.03)).toBe("actual spend ran 2× the estimate — double");
    expect(describeRatio(0.34)).toBe("actual spend ran at 0.34× the estimate — a third");
    expect(describeRatio(0.8)).toBe("actual spend ran at 0.8× the estimate");
    expect(describeRatio(23.4)).toBe("actual spend ran 23× the estimate");
  });
});

describe("groupDrift", () => {
  it("follows the given level order, keeps empty listed levels, puts unknowns last", () => {
    const groups = groupDrift(
      [
        story({ actual: 50, levels: { intensity: "light", autonomy: "pair", risk: "high" } }),
        story({ actual: 300, levels: { intensity: "light", autonomy: "pair", risk: "high" } }),
        story({ actual: 98, levels: { intensity: null, autonomy: "pair", risk: "low" } }),
        story({ actual: 100, levels: { intensity: "exotic", autonomy: "pair", risk: "low" } }),
      ],
      "intensity",
      ["light", "standard"],
    );
    expect(groups.map((g) => [g.key, g.stories, g.medianRatio, g.hitRate, g.direction])).toEqual([
      ["light", 2, 1.75, 0.5, "over"],
      ["standard", 0, null, null, null],
      ["exotic", 1, 1, 1, "on"],
      [null, 1, 0.98, 0, "on"],
    ]);
  });
});

describe("driftHistogram", () => {
  it("has fixed half-open bins from 1/8× to 8× with open ends", () => {
    const bins = driftHistogram([-10, -3, 0, 0.49, 0.5, 3, 2.99, 10]);
    expect(bins).toHaveLength(14);
    expect(bins[0]).toMatchObject({ lowLog2: null, highLog2: -3, count: 1, label: "< 0.13×" });
    expect(bins[1]).toMatchObject({ lowLog2: -3, highLog2: -2.5, count: 1 });
    expect(bins.find((b) => b.lowLog2 === 0)).toMatchObject({ count: 2, label: "1×–1.4×" });
    expect(bins.find((b) => b.lowLog2 === 0.5)!.count).toBe(1);
    expect(bins.find((b) => b.lowLog2 === 2.5)!.count).toBe(1);
    expect(bins[13]).toMatchObject({ lowLog2: 3, highLog2: null, count: 2, label: "≥ 8×" });
  });

  it("counts every value exactly once", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -20, max: 20, noNaN: true })), (xs) => {
        expect(driftHistogram(xs).reduce((a, b) => a + b.count, 0)).toBe(xs.length);
      }),
    );
  });
});

describe("CSV helpers", () => {
  it("formats numbers with at most 4 decimals, no trailing zeros, no exponent", () => {
    expect(formatCsvNumber(1.5)).toBe("1.5");
    expect(formatCsvNumber(2)).toBe("2");
    expect(formatCsvNumber(1 / 3)).toBe("0.3333");
    expect(formatCsvNumber(0.00001)).toBe("0");
    expect(formatCsvNumber(-0.00001)).toBe("0");
    expect(formatCsvNumber(1e-7)).toBe("0");
    expect(formatCsvNumber(123456789012.5)).toBe("123456789012.5");
    expect(formatCsvNumber(1e21)).toBe("1000000000000000000000");
    expect(formatCsvNumber(-2.25)).toBe("-2.25");
    expect(formatCsvNumber(Number.NaN)).toBe("");
  });

  it("never writes an exponent or more than 4 decimals", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const text = formatCsvNumber(n);
        expect(text).toMatch(/^-?\d+(\.\d{0,3}[1-9])?$/);
        expect(Math.abs(Number(text) - n)).toBeLessThanOrEqual(0.00005 + Math.abs(n) * 1e-15);
      }),
    );
  });

  it("quotes per RFC 4180 and defuses formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("=SUM(A1:A9)")).toBe("'=SUM(A1:A9)");
    // A spreadsheet whose list separator is ";" (or ",") starts a new field there: guarded too.
    expect(csvCell(";=cmd|' /C calc'!A0")).toBe(";'=cmd|' /C calc'!A0");
    expect(csvCell("Refund; -2 credits")).toBe("Refund; '-2 credits");
    expect(csvCell('a;"=1+1"')).toBe(`"a;""'=1+1"""`);
    expect(csvCell("x,@SUM(A1)")).toBe(`"x,'@SUM(A1)"`);
    expect(csvCell("a;\t=1")).toBe("a;'\t=1");
    expect(csvCell("\uFF1D1+1")).toBe("'\uFF1D1+1");
    // Separators followed by plain text, and numbers, are left alone.
    expect(csvCell("a; b, c")).toBe('"a; b, c"');
    expect(csvCell(-1.5)).toBe("-1.5");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@cmd")).toBe("'@cmd");
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvCell(-1.5)).toBe("-1.5");
    expect(csvCell(null)).toBe("");
  });

  it("round-trips any text through an RFC 4180 reader", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const cell = csvCell(text);
        const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
        // The text comes back as written, with a ' defusing each formula character where a
        // spreadsheet could start a field (the cell's start or after , or ;, past spaces and quotes).
        expect(unquoted).toBe(text.replace(/(^|[,;])([ "]*)([=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/g, "$1$2'$3"));
        if (!cell.startsWith('"')) expect(cell).not.toMatch(/[",\r\n]/);
      }),
    );
  });
});
