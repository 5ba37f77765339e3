// Drift: how far each finished story's actual spend landed from its estimate, and what a sprint's
// worth of those comparisons says. Pure arithmetic over plain numbers so the retrospective page, CSV
// export and recalibration all read the same figures. Stories missing an estimate or a spend are
// counted, never silently dropped (DESIGN.md: "inspect outliers, never rank people").

import type { DimensionId } from "~/domain/sizing-scheme";

export interface DriftStoryInput {
  /** Expected credits from the frozen estimate; null when the story was never estimated. */
  expected: number | null;
  /** p80 credits from the frozen estimate. */
  p80: number | null;
  /** The estimate's size band: inclusive low edge, exclusive high edge (null = open top). */
  bandLow: number | null;
  bandHigh: number | null;
  /** Actual credits spent; null when no spend has been recorded (0 is a real, measured zero). */
  actual: number | null;
  /** Level id per dimension, null for "?" or not estimated. */
  levels: Record<DimensionId, string | null>;
  /** Size band label, e.g. "M"; null when not estimated. */
  size: string | null;
}

export type Direction = "over" | "under" | "on";

export interface StoryDrift {
  /** actual / expected; null when either is missing or expected is 0 (or so tiny it overflows). */
  ratio: number | null;
  /** log2(ratio), clamped to ±LOG2_CLAMP so a zero spend stays a finite (very low) value. */
  log2Ratio: number | null;
  /** actual ∈ [bandLow, bandHigh); null when the actual or the band is missing. */
  inBand: boolean | null;
  /** actual ≤ p80; null when either is missing. */
  withinP80: boolean | null;
  /** More than 2× off either way: ratio > 2 or ratio < 0.5. */
  outlier: boolean | null;
  direction: Direction | null;
}

/** "On the estimate" tolerance: a ratio within ±5 % of 1. */
export const ON_ESTIMATE_TOLERANCE = 0.05;
/** 1024× either way is already "wildly off"; clamping keeps zero spend finite in spreads and bins. */
export const LOG2_CLAMP = 10;
export const OUTLIER_FACTOR = 2;

export function directionOf(ratio: number): Direction {
  // The epsilon keeps 0.95 and 1.05 themselves "on" despite binary rounding.
  if (Math.abs(ratio - 1) <= ON_ESTIMATE_TOLERANCE + 1e-12) return "on";
  return ratio > 1 ? "over" : "under";
}

export function clampedLog2(ratio: number): number {
  if (ratio <= 0) return -LOG2_CLAMP;
  return Math.min(LOG2_CLAMP, Math.max(-LOG2_CLAMP, Math.log2(ratio)));
}

export function storyDrift(s: DriftStoryInput): StoryDrift {
  const { expected, actual, p80, bandLow, bandHigh } = s;
  const raw = expected !== null && actual !== null && expected > 0 ? actual / expected : null;
  // A subnormal estimate can overflow the division; that is "no usable estimate", not Infinity.
  const ratio = raw !== null && Number.isFinite(raw) ? raw : null;
  return {
    ratio,
    log2Ratio: ratio === null ? null : clampedLog2(ratio),
    inBand: actual === null || bandLow === null ? null : actual >= bandLow && (bandHigh === null || actual < bandHigh),
    withinP80: actual === null || p80 === null ? null : actual <= p80,
    outlier: ratio === null ? null : ratio > OUTLIER_FACTOR || ratio < 1 / OUTLIER_FACTOR,
    direction: ratio === null ? null : directionOf(ratio),
  };
}

// ---------------------------------------------------------------------------------------------
// Small statistics helpers (exported because calibration uses the same definitions).

export function median(values: readonly number[]): number | null {
  return quantile(values, 0.5);
}

/** Linear-interpolation quantile (R type 7, what spreadsheets call PERCENTILE.INC). */
export function quantile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  return quantileOfSorted(sortedCopy(values), p);
}

/** Several quantiles of the same values, sorting them once. */
export function quantiles(values: readonly number[], ps: readonly number[]): (number | null)[] {
  if (values.length === 0) return ps.map(() => null);
  const sorted = sortedCopy(values);
  return ps.map((p) => quantileOfSorted(sorted, p));
}

/** `quantile` of values already sorted ascending (no copy, no sort). */
export function quantileOfSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

function sortedCopy(values: readonly number[]): number[] {
  return Float64Array.from(values).sort() as unknown as number[];
}

function share(flags: readonly (boolean | null)[]): number | null {
  const known = flags.filter((f): f is boolean => f !== null);
  return known.length === 0 ? null : known.filter(Boolean).length / known.length;
}

// ---------------------------------------------------------------------------------------------
// Plain words for a ratio.

const FRACTION_WORDS: [number, string][] = [
  [1 / 4, "a quarter"],
  [1 / 3, "a third"],
  [1 / 2, "half"],
  [2 / 3, "two thirds"],
  [3 / 4, "three quarters"],
  [2, "double"],
  [3, "triple"],
];

/** 1.6 → "1.6", 0.333 → "0.33", 12.4 → "12": enough digits to read, no false precision. */
export function formatRatio(ratio: number): string {
  if (ratio >= 10) return String(Math.round(ratio));
  if (ratio >= 1) return formatCsvNumber(Math.round(ratio * 10) / 10);
  return formatCsvNumber(Number(ratio.toPrecision(2)));
}

/**
 * "actual spend ran 1.6× the estimate", "actual spend ran at 0.5× the estimate — half",
 * "actual spend ran on the estimate" (within ±5 %).
 */
export function describeRatio(ratio: number): string {
  if (directionOf(ratio) === "on") return "actual spend ran on the estimate";
  const word = FRACTION_WORDS.find(([f]) => Math.abs(ratio / f - 1) <= ON_ESTIMATE_TOLERANCE)?.[1];
  const suffix = word ? ` — ${word}` : "";
  return ratio > 1
    ? `actual spend ran ${formatRatio(ratio)}× the estimate${suffix}`
    : `actual spend ran at ${formatRatio(ratio)}× the estimate${suffix}`;
}

// ---------------------------------------------------------------------------------------------
// Sprint (or multi-sprint) summary.

export interface DriftTotals {
  /** Stories with both an estimate and a spend: the like-for-like comparison. */
  matchedStories: number;
  matchedPlanned: number;
  matchedActual: number;
  /** Every estimate and every spend, whether or not the other side exists. */
  allPlanned: number;
  allActual: number;
}

export interface DriftSummary {
  stories: number;
  /** Stories with a ratio (estimate > 0 and a spend): the base of medians, spreads, bins. */
  compared: number;
  withoutEstimate: number;
  /** Estimated at 0 credits (or so little that dividing by it overflows): no ratio, but band and p80. */
  zeroEstimate: number;
  withoutSpend: number;
  outliers: number;
  totals: DriftTotals;
  /** Share of stories (with a band and a spend) whose actual fell inside the size band. */
  hitRate: number | null;
  /** Share of stories (with a p80 and a spend) whose actual was ≤ p80. */
  p80Coverage: number | null;
  medianRatio: number | null;
  medianRatioWords: string | null;
  /** Spread: interquartile range of log2(ratio). 1 means the middle half spans a factor of 2. */
  log2RatioIqr: number | null;
  breakdowns: Record<DimensionId | "size", DriftGroup[]>;
}

/**
 * The summary of `stories`. Each story's drift is worked out once (`drifts`, when the caller has
 * them already, e.g. retro rows) and shared by the totals and every breakdown; `order` gives the
 * breakdowns' group order (see `groupDrift`).
 */
export function summarizeDrift(
  stories: readonly DriftStoryInput[],
  options: { drifts?: readonly StoryDrift[]; order?: (by: DimensionId | "size") => readonly string[] } = {},
): DriftSummary {
  const drifts = options.drifts ?? stories.map(storyDrift);
  const ratios = drifts.flatMap((d) => (d.ratio === null ? [] : [d.ratio]));
  const logs = drifts.flatMap((d) => (d.log2Ratio === null ? [] : [d.log2Ratio]));
  const medianRatio = median(ratios);
  const [q1, q3] = quantiles(logs, [0.25, 0.75]) as [number | null, number | null];
  const order = options.order ?? (() => []);
  const matched = stories.filter((s) => s.expected !== null && s.actual !== null);
  const sum = (xs: readonly (number | null)[]) => xs.reduce<number>((a, x) => a + (x ?? 0), 0);
  return {
    stories: stories.length,
    compared: ratios.length,
    withoutEstimate: stories.filter((s) => s.expected === null).length,
    zeroEstimate: stories.filter(
      (s, k) => s.expected !== null && (s.expected <= 0 || (s.actual !== null && drifts[k]!.ratio === null)),
    ).length,
    withoutSpend: stories.filter((s) => s.actual === null).length,
    outliers: drifts.filter((d) => d.outlier === true).length,
    totals: {
      matchedStories: matched.length,
      matchedPlanned: sum(matched.map((s) => s.expected)),
      matchedActual: sum(matched.map((s) => s.actual)),
      allPlanned: sum(stories.map((s) => s.expected)),
      allActual: sum(stories.map((s) => s.actual)),
    },
    hitRate: share(drifts.map((d) => d.inBand)),
    p80Coverage: share(drifts.map((d) => d.withinP80)),
    medianRatio,
    medianRatioWords: medianRatio === null ? null : describeRatio(medianRatio),
    log2RatioIqr: q1 === null || q3 === null ? null : q3 - q1,
    breakdowns: {
      intensity: groupDrift(stories, "intensity", order("intensity"), drifts),
      autonomy: groupDrift(stories, "autonomy", order("autonomy"), drifts),
      risk: groupDrift(stories, "risk", order("risk"), drifts),
      size: groupDrift(stories, "size", order("size"), drifts),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Breakdowns by shape of work.

export interface DriftGroup {
  /** Level id or size label; null gathers stories with "?" or no estimate. */
  key: string | null;
  stories: number;
  compared: number;
  medianRatio: number | null;
  hitRate: number | null;
  direction: Direction | null;
}

/**
 * Groups by a dimension's level or by size. Groups come in `order` (e.g. the scheme's level ids)
 * first, then any other keys in first-seen order, then the null group when it has stories.
 */
export function groupDrift(
  stories: readonly DriftStoryInput[],
  by: DimensionId | "size",
  order: readonly string[] = [],
  /** The stories' drifts, index for index, when the caller has them (else worked out here). */
  drifts: readonly StoryDrift[] = stories.map(storyDrift),
): DriftGroup[] {
  const groups = new Map<string | null, StoryDrift[]>();
  for (const key of order) groups.set(key, []);
  stories.forEach((s, i) => {
    const key = by === "size" ? s.size : s.levels[by];
    const list = groups.get(key) ?? [];
    list.push(drifts[i]!);
    groups.set(key, list);
  });
  // Levels the caller asked for stay even when empty ("no frontier-max stories" is information).
  const keys: (string | null)[] = [...groups.keys()].filter((k) => k !== null);
  if ((groups.get(null)?.length ?? 0) > 0) keys.push(null);
  return keys.map((key) => {
    const drifts = groups.get(key)!;
    const ratios = drifts.flatMap((d) => (d.ratio === null ? [] : [d.ratio]));
    const medianRatio = median(ratios);
    return {
      key,
      stories: drifts.length,
      compared: ratios.length,
      medianRatio,
      hitRate: share(drifts.map((d) => d.inBand)),
      direction: medianRatio === null ? null : directionOf(medianRatio),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Histogram of log2(ratio): fixed edges so sprints compare at a glance.

export interface HistogramBin {
  /** Inclusive lower edge in log2 units; null for the open low end. */
  lowLog2: number | null;
  /** Exclusive upper edge in log2 units; null for the open high end. */
  highLog2: number | null;
  label: string;
  count: number;
}

/** Edges -3, -2.5, …, 3 (1/8× to 8×), plus an open bin at either end. */
export const HISTOGRAM_EDGES: readonly number[] = Array.from({ length: 13 }, (_, i) => -3 + i * 0.5);

export function driftHistogram(log2Ratios: readonly number[]): HistogramBin[] {
  const edges = HISTOGRAM_EDGES;
  const bins: HistogramBin[] = [];
  const label = (lo: number | null, hi: number | null) =>
    lo === null
      ? `< ${formatRatio(2 ** hi!)}×`
      : hi === null
        ? `≥ ${formatRatio(2 ** lo)}×`
        : `${formatRatio(2 ** lo)}×–${formatRatio(2 ** hi)}×`;
  for (let i = 0; i <= edges.length; i++) {
    const lowLog2 = i === 0 ? null : edges[i - 1]!;
    const highLog2 = i === edges.length ? null : edges[i]!;
    bins.push({ lowLog2, highLog2, label: label(lowLog2, highLog2), count: 0 });
  }
  for (const x of log2Ratios) {
    if (Number.isNaN(x)) continue;
    // Index of the first edge strictly above x = the bin x belongs to (half-open [lo, hi)).
    let i = edges.findIndex((e) => x < e);
    if (i === -1) i = edges.length;
    bins[i]!.count++;
  }
  return bins;
}

// ---------------------------------------------------------------------------------------------
// CSV helpers.

/** At most 4 decimals, no trailing zeros, never an exponent (1e21 → "1000000000000000000000"). */
export function formatCsvNumber(n: number): string {
  if (!Number.isFinite(n)) return "";
  // toFixed switches to exponent notation from 1e21 on; such numbers are integers anyway.
  if (Math.abs(n) >= 1e21) return BigInt(Math.round(n)).toString();
  const fixed = n.toFixed(4).replace(/\.?0+$/, "");
  return fixed === "-0" ? "0" : fixed;
}

/**
 * Where a spreadsheet may start reading a field: the cell's start, or any `,` or `;` in it (a
 * spreadsheet whose list separator is `;` splits `x;=cmd` into a second field `=cmd`, quotes or not),
 * after spaces and quotes. There a formula character (= + - @, tab or carriage return, which some
 * spreadsheets strip before looking, and their full-width forms) is defused with a `'` (OWASP, CSV
 * injection).
 */
const FORMULA_AT_FIELD_START = /(^|[,;])([ "]*)([=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/g;

/**
 * One RFC 4180 cell. Text that a spreadsheet could read as a formula (FORMULA_AT_FIELD_START) gets
 * a `'` before the formula character; numbers are written by formatCsvNumber and are never
 * prefixed, so -1.5 stays a number.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return formatCsvNumber(value);
  const text = String(value).replace(FORMULA_AT_FIELD_START, "$1$2'$3");
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
