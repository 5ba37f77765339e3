// Recalibration: turn the finished stories of recent sprints into a *suggested* new scheme that a
// manager applies (as a new version) after seeing the diff and the evidence. Three steps:
//   1. bias  — scale base[intensity][autonomy] by how far actuals ran from it;
//   2. risk  — set each risk level's p80 multiplier from what is left of the spread;
//   3. bands — move band edges to where each size's actuals actually land.
// Agent spend is heavy-tailed and a team has only a few dozen finished stories, so every estimate
// here is robust (medians, outlier-aware fits) and shrinks towards the pooled figure unless the
// data clearly says a group differs.

import { clampedLog2, median, storyDrift, summarizeDrift, type DriftStoryInput } from "~/domain/drift";
import type { Band, DimensionId, SizingScheme } from "~/domain/sizing-scheme";

export interface FinishedStory {
  /** Level ids from the story's estimate; null (or an id the scheme lacks) for "?". */
  intensity: string | null;
  autonomy: string | null;
  risk: string | null;
  /** Actual credits; stories without spend cannot inform a recalibration and are counted. */
  actual: number | null;
}

export interface CalibrationOptions {
  /** Fewest stories a group (cell, row, column, risk level, size) needs to get its own figure. */
  minSamples?: number;
  /** The quantile the p80 multiplier is meant to cover. */
  coverage?: number;
}

export interface GroupEvidence {
  id: string;
  samples: number;
  /** The group's own median actual/expected beyond what the levels above it explain. */
  rawFactor: number | null;
  /** rawFactor after shrinkage towards 1 (= "no different from the levels above"). */
  factor: number;
}

export interface CellEvidence {
  intensity: string;
  autonomy: string;
  samples: number;
  /** new base / old base. */
  factor: number;
  /** The most specific level that had enough samples to move this cell. */
  source: "cell" | "row/column" | "overall" | "unchanged";
}

export interface RiskEvidence {
  id: string;
  samples: number;
  /** Stories set aside as tail outliers (beyond 3 robust SDs) before fitting the log-normal. */
  tailHigh: number;
  tailLow: number;
  /** Log-normal fit of actual / new expected (natural log) on the rest. */
  logMean: number | null;
  logSd: number | null;
  /** Student-t quantile used for the predictive bound (level adjusted for the tail share). */
  t: number | null;
  multiplier: number;
  kept: boolean;
}

export interface BandEvidence {
  label: string;
  samples: number;
  medianActual: number | null;
}

export interface CalibrationEvidence {
  stories: number;
  /** Stories that could not inform the fit: a "?" or unknown level (or a zero base), or no spend. */
  skipped: { unknownLevels: number; noSpend: number };
  /** False when there were fewer than minSamples usable stories: the scheme is returned unchanged. */
  enough: boolean;
  overall: { samples: number; factor: number };
  intensity: GroupEvidence[];
  autonomy: GroupEvidence[];
  cells: CellEvidence[];
  risk: RiskEvidence[];
  bands: BandEvidence[];
}

export interface SchemeChange {
  /** Stable path, e.g. "base.standard.pair", "p80Multiplier.high", "bands.M.low". */
  path: string;
  label: string;
  from: number;
  to: number;
}

export interface Calibration {
  scheme: SizingScheme;
  evidence: CalibrationEvidence;
  diff: SchemeChange[];
}

const DEFAULT_MIN_SAMPLES = 8;
const DEFAULT_COVERAGE = 0.8;
/**
 * Residuals further than this many robust SDs from the median are treated as the heavy tail. At 3
 * the noisy MAD of a small sample flags ordinary values too often and the fit under-covers on clean
 * log-normal data; 3.5 stays within half a point of 80 % from 20 stories up.
 */
const TAIL_CUTOFF = 3.5;
/** MAD × 1.4826 estimates a normal SD. */
const MAD_TO_SD = 1.4826;
/** Variance of a sample median relative to a mean, for normal data (π/2). */
const MEDIAN_VARIANCE_FACTOR = Math.PI / 2;

interface Sample {
  i: number;
  a: number;
  r: number;
  actual: number;
}

export function suggestRecalibration(
  scheme: SizingScheme,
  stories: readonly FinishedStory[],
  options: CalibrationOptions = {},
): Calibration {
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
  const coverage = options.coverage ?? DEFAULT_COVERAGE;
  const { samples, skipped } = usableSamples(scheme, stories);
  const enough = samples.length >= minSamples;

  const bias = fitBias(scheme, samples, minSamples, enough);
  const base = scheme.base.map((row, i) =>
    row.map((old, a) => (enough ? roundSignificant(old * 2 ** bias.log2Factor[i]![a]!, 2) : old)),
  );
  const risk = fitRisk(scheme, base, samples, minSamples, coverage, enough);
  const bandFit = fitBands(scheme, samples, minSamples, enough ? 2 ** bias.overallLog2 : 1);

  const suggested: SizingScheme = {
    ...scheme,
    base,
    p80Multiplier: risk.map((r) => r.multiplier),
    bands: bandFit.bands,
  };
  return {
    scheme: suggested,
    evidence: {
      stories: samples.length,
      skipped,
      enough,
      overall: { samples: samples.length, factor: 2 ** bias.overallLog2 },
      intensity: bias.intensity,
      autonomy: bias.autonomy,
      cells: bias.cells.map(({ i, a, ...cell }) => ({ ...cell, factor: base[i]![a]! / scheme.base[i]![a]! })),
      risk,
      bands: bandFit.evidence,
    },
    diff: diffSchemes(scheme, suggested),
  };
}

function usableSamples(scheme: SizingScheme, stories: readonly FinishedStory[]) {
  const index = (levels: { id: string }[], id: string | null) =>
    id === null ? -1 : levels.findIndex((l) => l.id === id);
  const samples: Sample[] = [];
  const skipped = { unknownLevels: 0, noSpend: 0 };
  for (const s of stories) {
    const i = index(scheme.intensity, s.intensity);
    const a = index(scheme.autonomy, s.autonomy);
    const r = index(scheme.risk, s.risk);
    const cell = scheme.base[i]?.[a];
    if (r < 0 || cell === undefined || !(cell > 0)) skipped.unknownLevels++;
    // A zero spend has no log-ratio; it usually means the spend was never attributed.
    else if (s.actual === null || !(s.actual > 0) || !Number.isFinite(s.actual)) skipped.noSpend++;
    else samples.push({ i, a, r, actual: s.actual });
  }
  return { samples, skipped };
}

// ---------------------------------------------------------------------------------------------
// 1. Bias: log2 factor per cell = overall + row + column + cell, each level an empirical-Bayes
// shrunk median. A group moves away from its parent only when it has minSamples stories *and* the
// groups at that level disagree more than sampling noise explains; with a uniform team bias that
// collapses to the single overall factor, which is far steadier than 16 noisy cell medians.

interface BiasFit {
  overallLog2: number;
  log2Factor: number[][];
  intensity: GroupEvidence[];
  autonomy: GroupEvidence[];
  cells: (Omit<CellEvidence, "factor"> & { i: number; a: number })[];
}

function fitBias(scheme: SizingScheme, samples: Sample[], minSamples: number, enough: boolean): BiasFit {
  // Clamped at 1024× either way, so absurd inputs (a subnormal spend) cannot turn medians into NaN.
  const logRatio = samples.map((s) => clampedLog2(s.actual / scheme.base[s.i]![s.a]!));
  const overallLog2 = enough ? median(logRatio)! : 0;
  // Robust residual SD around the overall median, for the sampling variance of group medians.
  const sd = MAD_TO_SD * (median(logRatio.map((x) => Math.abs(x - overallLog2))) ?? 0);

  const nI = scheme.intensity.length;
  const nA = scheme.autonomy.length;
  const rowAdj = new Array<number>(nI).fill(0);
  const colAdj = new Array<number>(nA).fill(0);
  const cellAdj = scheme.base.map((row) => row.map(() => 0));
  const residual = (k: number) =>
    logRatio[k]! - overallLog2 - rowAdj[samples[k]!.i]! - colAdj[samples[k]!.a]! - cellAdj[samples[k]!.i]![samples[k]!.a]!;

  const level = <K>(keys: K[], keyOf: (s: Sample) => K, apply: (key: K, adj: number) => void) => {
    const groups = keys.map((key) => {
      const res = samples.flatMap((s, k) => (keyOf(s) === key ? [residual(k)] : []));
      return { key, n: res.length, raw: median(res) };
    });
    const adjusted = enough ? shrinkGroups(groups, sd, minSamples) : groups.map(() => 0);
    groups.forEach((g, k) => apply(g.key, adjusted[k]!));
    return groups.map((g, k) => ({ n: g.n, raw: g.raw, adj: adjusted[k]! }));
  };

  const rows = level(
    scheme.intensity.map((_, i) => i),
    (s) => s.i,
    (i, adj) => (rowAdj[i] = adj),
  );
  const cols = level(
    scheme.autonomy.map((_, a) => a),
    (s) => s.a,
    (a, adj) => (colAdj[a] = adj),
  );
  const cellKeys = scheme.base.flatMap((row, i) => row.map((_, a) => i * nA + a));
  const cells = level(
    cellKeys,
    (s) => s.i * nA + s.a,
    (key, adj) => (cellAdj[Math.floor(key / nA)]![key % nA] = adj),
  );

  const log2Factor = scheme.base.map((row, i) =>
    row.map((_, a) => overallLog2 + rowAdj[i]! + colAdj[a]! + cellAdj[i]![a]!),
  );
  const evidence = (levels: { id: string }[], fit: typeof rows): GroupEvidence[] =>
    levels.map((l, k) => ({
      id: l.id,
      samples: fit[k]!.n,
      rawFactor: fit[k]!.raw === null ? null : 2 ** fit[k]!.raw!,
      factor: 2 ** fit[k]!.adj,
    }));
  return {
    overallLog2,
    log2Factor,
    intensity: evidence(scheme.intensity, rows),
    autonomy: evidence(scheme.autonomy, cols),
    cells: cellKeys.map((key) => {
      const i = Math.floor(key / nA);
      const a = key % nA;
      const moved = (x: number) => Math.abs(x) > 1e-12;
      const source: CellEvidence["source"] = !enough
        ? "unchanged"
        : moved(cellAdj[i]![a]!)
          ? "cell"
          : moved(rowAdj[i]!) || moved(colAdj[a]!)
            ? "row/column"
            : "overall";
      return { i, a, intensity: scheme.intensity[i]!.id, autonomy: scheme.autonomy[a]!.id, samples: cells[key]!.n, source };
    }),
  };
}

/**
 * Empirical-Bayes (James–Stein style) shrinkage of group medians towards 0 ("no different from the
 * level above"). Groups below minSamples keep none of their deviation. The rest move only when
 * they disagree more than sampling noise explains (χ² test at 5 %): the plain moment estimate of
 * the between-group variance τ² comes out positive half the time even when all groups agree, and
 * every such spurious move costs accuracy. When they do disagree, each group keeps the share
 * τ² / (τ² + v) of its deviation, v being the sampling variance of its median.
 */
function shrinkGroups(groups: { n: number; raw: number | null }[], sd: number, minSamples: number): number[] {
  const eligible = groups.filter((g) => g.n >= minSamples && g.raw !== null);
  const variance = (n: number) => (MEDIAN_VARIANCE_FACTOR * sd * sd) / n;
  if (eligible.length === 0 || sd === 0) return groups.map(() => 0);
  const chi2 = eligible.reduce((acc, g) => acc + g.raw! ** 2 / variance(g.n), 0);
  // Deviations are measured from a centre fitted on the same stories: one degree of freedom less.
  if (chi2 <= chiSquare95(Math.max(1, eligible.length - 1))) return groups.map(() => 0);
  const tau2 = Math.max(0, eligible.reduce((acc, g) => acc + g.raw! ** 2 - variance(g.n), 0) / eligible.length);
  return groups.map((g) =>
    g.n >= minSamples && g.raw !== null && tau2 > 0 ? (g.raw * tau2) / (tau2 + variance(g.n)) : 0,
  );
}

/** 95th percentile of χ² with k degrees of freedom (Wilson–Hilferty; within 3 % for k ≥ 1). */
function chiSquare95(k: number): number {
  const c = 2 / (9 * k);
  return k * (1 - c + 1.6449 * Math.sqrt(c)) ** 3;
}

// ---------------------------------------------------------------------------------------------
// 2. Risk: the p80 multiplier is a *predictive* bound for the next story, not the 80th percentile
// of the last ones (which under-covers on a few dozen stories). Per risk level we set aside tail
// outliers, fit a log-normal to the rest and take the Student-t predictive quantile
//   exp(mean + t_{p', m−1} · sd · √(1 + 1/m)),
// where p' raises the target level by the tail share so the bound still covers 80 % of *all*
// stories, outliers included.

function fitRisk(
  scheme: SizingScheme,
  base: number[][],
  samples: Sample[],
  minSamples: number,
  coverage: number,
  enough: boolean,
): RiskEvidence[] {
  return scheme.risk.map((level, r) => {
    const logs = samples.filter((s) => s.r === r).map((s) => clampedLog2(s.actual / base[s.i]![s.a]!) * Math.LN2);
    const old = scheme.p80Multiplier[r] ?? 1;
    const kept: RiskEvidence = {
      id: level.id,
      samples: logs.length,
      tailHigh: 0,
      tailLow: 0,
      logMean: null,
      logSd: null,
      t: null,
      multiplier: old,
      kept: true,
    };
    if (!enough || logs.length < minSamples) return kept;
    const fit = predictiveQuantile(logs, coverage);
    if (fit === null) return kept;
    const { quantile, ...parameters } = fit;
    return {
      ...kept,
      ...parameters,
      // A p80 below the expected value reads as nonsense on a capacity chart; never suggest it.
      // Rounding up keeps the two-decimal multiplier on the covering side.
      multiplier: Math.max(1, Math.ceil(Math.exp(quantile) * 100) / 100),
      kept: false,
    };
  });
}

export interface PredictiveFit {
  tailHigh: number;
  tailLow: number;
  logMean: number;
  logSd: number;
  t: number;
  /** The predictive bound, in the same (log) units as the input. */
  quantile: number;
}

/**
 * A bound the *next* value falls under with probability `coverage`, from log values that are
 * log-normal apart from a heavy tail. Null when fewer than two values remain after the tail.
 */
export function predictiveQuantile(logs: readonly number[], coverage: number): PredictiveFit | null {
  if (logs.length < 2) return null;
  const center = median(logs)!;
  const scale = MAD_TO_SD * median(logs.map((x) => Math.abs(x - center)))!;
  const isHigh = (x: number) => scale > 0 && x - center > TAIL_CUTOFF * scale;
  const isLow = (x: number) => scale > 0 && center - x > TAIL_CUTOFF * scale;
  const body = logs.filter((x) => !isHigh(x) && !isLow(x));
  const tailLow = logs.filter(isLow).length;
  const tailHigh = logs.length - body.length - tailLow;
  const m = body.length;
  if (m < 2) return null;
  const mean = body.reduce((a, x) => a + x, 0) / m;
  const sd = Math.sqrt(body.reduce((a, x) => a + (x - mean) ** 2, 0) / (m - 1));
  // Low outliers are below any sensible bound and high ones above it, so the body must cover
  // (coverage − low share) / (body share).
  const n = logs.length;
  const level = Math.min(0.999, Math.max(0.5, (coverage - tailLow / n) / (m / n)));
  const t = studentTQuantile(level, m - 1);
  return { tailHigh, tailLow, logMean: mean, logSd: sd, t, quantile: mean + t * sd * Math.sqrt(1 + 1 / m) };
}

// ---------------------------------------------------------------------------------------------
// 3. Bands: an edge between two sizes goes to the geometric midpoint of their median actuals.
// Where a size has too few stories the old edge is scaled by the overall bias; if data-driven
// edges would cross, the one with the thinner evidence falls back too.

function fitBands(scheme: SizingScheme, samples: Sample[], minSamples: number, overallFactor: number) {
  const bands = scheme.bands;
  const actuals = bands.map(() => [] as number[]);
  for (const s of samples) {
    const k = bandIndex(bands, scheme.base[s.i]![s.a]!);
    if (k >= 0) actuals[k]!.push(s.actual);
  }
  const evidence: BandEvidence[] = bands.map((b, k) => ({
    label: b.label,
    samples: actuals[k]!.length,
    medianActual: median(actuals[k]!),
  }));
  // edges[k] is the low edge of band k + 1 (internal edges only).
  const edges = bands.slice(1).map((b, k) => {
    const fallback = b.low * overallFactor;
    const lo = evidence[k]!;
    const hi = evidence[k + 1]!;
    const midpoint =
      lo.medianActual !== null && hi.medianActual !== null && lo.medianActual < hi.medianActual
        ? Math.sqrt(lo.medianActual * hi.medianActual)
        : Number.NaN;
    // Extreme spends can underflow or overflow the midpoint; then the data says nothing usable.
    const fromData = lo.samples >= minSamples && hi.samples >= minSamples && midpoint > 0 && Number.isFinite(midpoint);
    return {
      value: fromData ? midpoint : fallback,
      fallback,
      fromData,
      support: Math.min(lo.samples, hi.samples),
    };
  });
  for (;;) {
    const k = edges.findIndex((e, j) => j > 0 && e.value <= edges[j - 1]!.value);
    if (k < 0) break;
    // Scaled old edges are increasing among themselves, so some data edge is involved: revert it.
    const pair = [edges[k - 1]!, edges[k]!].filter((e) => e.fromData);
    if (pair.length === 0) break; // only if the old bands were not increasing to begin with
    const weakest = pair.reduce((a, b) => (b.support < a.support ? b : a));
    weakest.value = weakest.fallback;
    weakest.fromData = false;
  }
  // Round for readability, but never so far that two edges meet.
  const values = edges.map((e) => e.value);
  const increasing = (xs: number[]) => xs.every((v, k) => k === 0 || v > xs[k - 1]!);
  const finalEdges =
    [2, 4].map((digits) => values.map((v) => roundSignificant(v, digits))).find(increasing) ?? values;
  const newBands: Band[] = bands.map((b, k) => ({
    label: b.label,
    low: k === 0 ? 0 : finalEdges[k - 1]!,
    high: k === bands.length - 1 ? null : finalEdges[k]!,
  }));
  return { bands: newBands, evidence };
}

function bandIndex(bands: readonly Band[], credits: number): number {
  return bands.findIndex((b) => credits >= b.low && (b.high === null || credits < b.high));
}

// ---------------------------------------------------------------------------------------------
// Diff and scoring.

export function diffSchemes(from: SizingScheme, to: SizingScheme): SchemeChange[] {
  const changes: SchemeChange[] = [];
  const push = (path: string, label: string, a: number | null | undefined, b: number | null | undefined) => {
    if (a != null && b != null && a !== b) changes.push({ path, label, from: a, to: b });
  };
  from.intensity.forEach((il, i) =>
    from.autonomy.forEach((al, a) =>
      push(`base.${il.id}.${al.id}`, `${il.label} × ${al.label}`, from.base[i]?.[a], to.base[i]?.[a]),
    ),
  );
  from.risk.forEach((rl, r) =>
    push(`p80Multiplier.${rl.id}`, `p80 multiplier, ${rl.label} risk`, from.p80Multiplier[r], to.p80Multiplier[r]),
  );
  from.bands.forEach((b, k) => {
    if (k > 0) push(`bands.${b.label}.low`, `Edge ${from.bands[k - 1]!.label} / ${b.label}`, b.low, to.bands[k]?.low);
  });
  return changes;
}

export interface SchemeScore {
  stories: number;
  skipped: number;
  /** Share of stories whose actual ≤ p80 (expected × the risk level's multiplier). */
  p80Coverage: number | null;
  /** Share of stories whose actual fell in the band of their expected value. */
  hitRate: number | null;
  /** Median |log2(actual / expected)|: 1 means a typical story is 2× off one way or the other. */
  medianAbsLog2Error: number | null;
}

/** How the given stories would have scored had they been estimated with `scheme`. */
export function scoreScheme(scheme: SizingScheme, stories: readonly FinishedStory[]): SchemeScore {
  const inputs: DriftStoryInput[] = [];
  for (const s of stories) {
    const i = scheme.intensity.findIndex((l) => l.id === s.intensity);
    const a = scheme.autonomy.findIndex((l) => l.id === s.autonomy);
    const r = scheme.risk.findIndex((l) => l.id === s.risk);
    const expected = scheme.base[i]?.[a];
    const multiplier = scheme.p80Multiplier[r];
    if (expected === undefined || multiplier === undefined || s.actual === null) continue;
    const band = scheme.bands[bandIndex(scheme.bands, expected)];
    inputs.push({
      expected,
      p80: expected * multiplier,
      bandLow: band?.low ?? null,
      bandHigh: band?.high ?? null,
      actual: s.actual,
      levels: { intensity: s.intensity, autonomy: s.autonomy, risk: s.risk } satisfies Record<DimensionId, string | null>,
      size: band?.label ?? null,
    });
  }
  const summary = summarizeDrift(inputs);
  const errors = inputs.flatMap((x) => {
    const l = storyDrift(x).log2Ratio;
    return l === null ? [] : [Math.abs(l)];
  });
  return {
    stories: inputs.length,
    skipped: stories.length - inputs.length,
    p80Coverage: summary.p80Coverage,
    hitRate: summary.hitRate,
    medianAbsLog2Error: median(errors),
  };
}

// ---------------------------------------------------------------------------------------------
// Numbers.

function roundSignificant(x: number, digits: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

/** Student-t CDF via the regularized incomplete beta function. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Inverse Student-t CDF by bisection on the CDF: slow-ish (≈ 60 CDF calls) but never wrong. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`studentTQuantile(${p}, ${df})`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let k = 0; k < 100 && hi - lo > 1e-12 * Math.max(1, hi); k++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let k = 1; k < 9; k++) sum += c[k]! / (z + k);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(x, a, b)) / a
    : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  // Modified Lentz's method (Numerical Recipes §6.4).
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}
