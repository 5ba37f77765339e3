// Recalibration: turn the finished stories of recent sprints into a *suggested* new scheme that a
// manager applies (as a new version) after seeing the diff and the evidence. Four steps:
//   1. levels — fit overall, intensity, autonomy and risk effects on log(actual / expected) with
//      partial pooling, and scale base[intensity][autonomy] by them;
//   drift    — test for a trend across sprints and, when it is there, project one sprint ahead;
//   2. risk  — set each risk level's p80 multiplier from what is left of the spread;
//   3. bands — move band edges to where each size's actuals actually land.
// Agent spend is heavy-tailed and a team has only a few dozen finished stories, so the tail is set
// aside before fitting and every level effect shrinks towards "no different" unless the data
// clearly says a level differs. docs/calibration.md explains the method in plain words.

import { clampedLog2, median, storyDrift, summarizeDrift, type DriftStoryInput } from "~/domain/drift";
import type { Band, DimensionId, SizingScheme } from "~/domain/sizing-scheme";
import { riskMedianAt } from "~/domain/sizing";

export interface FinishedStory {
  /** Level ids from the story's estimate; null (or an id the scheme lacks) for "?". */
  intensity: string | null;
  autonomy: string | null;
  risk: string | null;
  /** Actual credits; stories without spend cannot inform a recalibration and are counted. */
  actual: number | null;
  /** Position of the sprint the story finished in (larger = later): what the drift test reads. */
  sprint?: number | null;
}

export interface CalibrationOptions {
  /** Fewest stories a fit (or a risk level's own spread) needs. */
  minSamples?: number;
  /** The quantile the p80 multiplier is meant to cover. */
  coverage?: number;
  /**
   * Only the stories of the latest `fitSprints` sprints feed the level effects and the spread; the
   * drift test reads every story given. Default: all.
   */
  fitSprints?: number;
}

export interface GroupEvidence {
  id: string;
  samples: number;
  /** The level's own (unpooled) actual/expected beyond the overall factor and the other levels. */
  rawFactor: number | null;
  /** After partial pooling: the factor the suggestion uses (1 = no different from the rest). */
  factor: number;
  /** 90 % interval of `factor`. */
  low: number;
  high: number;
  /** How sure the pooling is that this level really differs (0–1). */
  differs: number;
}

export interface CellEvidence {
  intensity: string;
  autonomy: string;
  samples: number;
  /** new base / old base. */
  factor: number;
  /** What moved this cell: its row or column's own effect, or only the overall factor. */
  source: "row/column" | "overall" | "unchanged";
}

export interface RiskEvidence {
  id: string;
  samples: number;
  /** Stories set aside as tail outliers (beyond 3.5 robust SDs) before fitting the log-normal. */
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
  /** The whole team's factor (projection included), with its 90 % interval. */
  overall: { samples: number; factor: number; low: number; high: number };
  intensity: GroupEvidence[];
  autonomy: GroupEvidence[];
  /** Risk levels' median effects: the suggested scheme's risk median factors. */
  riskEffect: GroupEvidence[];
  /** Null when the stories span fewer than DRIFT_MIN_SPRINTS sprints. */
  drift: DriftEvidence | null;
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

interface Sample {
  i: number;
  a: number;
  r: number;
  t: number | null;
  actual: number;
}

export function suggestRecalibration(
  scheme: SizingScheme,
  stories: readonly FinishedStory[],
  options: CalibrationOptions = {},
): Calibration {
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
  const coverage = options.coverage ?? DEFAULT_COVERAGE;
  const { samples: all, skipped } = usableSamples(scheme, stories);
  const sprints = [...new Set(all.flatMap((s) => (s.t === null ? [] : [s.t])))].sort((x, y) => x - y);
  const from = options.fitSprints === undefined ? -Infinity : (sprints.at(-options.fitSprints) ?? -Infinity);
  const samples = all.filter((s) => s.t === null || s.t >= from);
  const enough = samples.length >= minSamples;
  const levelCounts = [scheme.intensity.length, scheme.autonomy.length, scheme.risk.length];
  // What the scheme expected of each story: its cell × its risk level's median factor.
  const oldExpected = (s: Sample) => scheme.base[s.i]![s.a]! * riskMedianAt(scheme, s.r);
  const toObs = (s: Sample): Obs => ({ ...s, y: clampedLog2(s.actual / oldExpected(s)) });

  // Drift first, on every story with a sprint; the fit below then holds the slope fixed.
  const timed = all.filter((s) => s.t !== null);
  let drift: DriftEvidence | null = null;
  let slope = 0;
  let slopeSe = 0;
  const tNext = (sprints.at(-1) ?? 0) + 1;
  if (enough && sprints.length >= DRIFT_MIN_SPRINTS && timed.length >= minSamples) {
    const trend = fitModel(timed.map(toObs), levelCounts, "fit");
    // The spreads behind the weights come from residuals of a fit with ~one parameter per level:
    // scale the standard error up by the degrees of freedom that fit used, or noise fires the test.
    const params = 2 + levelCounts.reduce((a, k) => a + k - 1, 0);
    const df = Math.max(1, trend.body - params);
    trend.slopeSe *= Math.sqrt(trend.body / df);
    const z = trend.slopeSe > 0 && Number.isFinite(trend.slopeSe) ? trend.slope / trend.slopeSe : 0;
    const detected = Math.abs(z) > studentTQuantile(0.975, df);
    if (Math.abs(z) > PROJECT_Z) {
      slope = trend.slope;
      slopeSe = trend.slopeSe;
    }
    drift = {
      sprints: sprints.length,
      stories: timed.length,
      perSprint: 2 ** trend.slope,
      low: 2 ** (trend.slope - Z90 * trend.slopeSe),
      high: 2 ** (trend.slope + Z90 * trend.slopeSe),
      z,
      detected,
      projection: 1,
    };
  }

  const fit = enough ? fitModel(samples.map(toObs), levelCounts, slope) : null;
  // Projected to the next sprint when there is a trend: the fit is centred on its stories' mean sprint.
  const ahead = fit && slope !== 0 ? slope * (tNext - fit.tBar) : 0;
  if (drift) drift.projection = 2 ** ahead;
  const overallLog2 = fit ? fit.overall + ahead : 0;
  const log2Factor = scheme.base.map((row, i) =>
    row.map((_, a) => (fit ? overallLog2 + fit.effect[0]![i]! + fit.effect[1]![a]! : 0)),
  );
  const base = scheme.base.map((row, i) =>
    row.map((old, a) => (fit ? roundSignificant(old * 2 ** log2Factor[i]![a]!, 2) : old)),
  );
  const riskMedian = scheme.risk.map((_, r) =>
    fit ? roundSignificant(riskMedianAt(scheme, r) * 2 ** fit.effect[2]![r]!, 2) : riskMedianAt(scheme, r),
  );
  // Variance (log2²) of each story's new expected value, for the p80's predictive bound.
  const cellVar = (s: Sample) =>
    fit
      ? fit.overallVar +
        fit.effectVar[0]![s.i]! +
        fit.effectVar[1]![s.a]! +
        fit.effectVar[2]![s.r]! +
        (slopeSe * (tNext - fit.tBar)) ** 2
      : 0;
  const risk = fitRisk(
    scheme,
    (s) => base[s.i]![s.a]! * riskMedian[s.r]!,
    samples,
    minSamples,
    coverage,
    enough,
    (s) => (s.t === null || slope === 0 ? 0 : slope * (tNext - s.t)),
    cellVar,
  );
  const bandFit = fitBands(scheme, samples, oldExpected, minSamples, enough ? 2 ** overallLog2 : 1);

  const suggested: SizingScheme = {
    ...scheme,
    base,
    p80Multiplier: risk.map((r) => r.multiplier),
    // All 1 is the same as none: a scheme without median factors gets them only when one moves.
    ...(scheme.riskMedian || riskMedian.some((f) => f !== 1) ? { riskMedian } : {}),
    bands: bandFit.bands,
  };
  const levelEvidence = (d: number, levels: { id: string }[]): GroupEvidence[] =>
    levels.map((l, k) => {
      const m = fit?.effect[d]![k] ?? 0;
      const sd = Math.sqrt(fit?.effectVar[d]![k] ?? 0);
      const rawLog2 = fit?.raw[d]![k] ?? null;
      return {
        id: l.id,
        samples: fit?.samples[d]![k] ?? samples.filter((s) => (d === 0 ? s.i : d === 1 ? s.a : s.r) === k).length,
        rawFactor: rawLog2 === null ? null : 2 ** rawLog2,
        factor: 2 ** m,
        low: 2 ** (m - Z90 * sd),
        high: 2 ** (m + Z90 * sd),
        differs: fit?.differs[d]![k] ?? 0,
      };
    });
  const intensity = levelEvidence(0, scheme.intensity);
  const autonomy = levelEvidence(1, scheme.autonomy);
  const moved = (x: number) => Math.abs(Math.log2(x)) > 0.005;
  const overallSd = Math.sqrt(fit?.overallVar ?? 0);
  return {
    scheme: suggested,
    evidence: {
      stories: samples.length,
      skipped,
      enough,
      overall: {
        samples: samples.length,
        factor: 2 ** overallLog2,
        low: 2 ** (overallLog2 - Z90 * overallSd),
        high: 2 ** (overallLog2 + Z90 * overallSd),
      },
      intensity,
      autonomy,
      riskEffect: levelEvidence(2, scheme.risk),
      drift,
      cells: scheme.base.flatMap((row, i) =>
        row.map((old, a) => ({
          intensity: scheme.intensity[i]!.id,
          autonomy: scheme.autonomy[a]!.id,
          samples: samples.filter((s) => s.i === i && s.a === a).length,
          factor: base[i]![a]! / old,
          source: !enough
            ? ("unchanged" as const)
            : moved(intensity[i]!.factor) || moved(autonomy[a]!.factor)
              ? ("row/column" as const)
              : ("overall" as const),
        })),
      ),
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
    else
      samples.push({
        i,
        a,
        r,
        t: typeof s.sprint === "number" && Number.isFinite(s.sprint) ? s.sprint : null,
        actual: s.actual,
      });
  }
  return { samples, skipped };
}

// ---------------------------------------------------------------------------------------------
// 1. Level effects. On y = log2(actual / expected) of every usable story we fit
//      y = overall + intensity[i] + autonomy[a] + risk[r] (+ slope · sprint) + noise,
// with noise whose spread depends on the risk level (weighted least squares, weights 1 / σ²_risk,
// the heavy tail set aside). Each dimension's level effects are partially pooled (empirical Bayes)
// under a sparse prior: a level is either no different from the rest (probability ½) or differs by
// an amount drawn from N(0, τ²), τ fitted by maximum marginal likelihood on that dimension's
// levels. A level that clearly differs keeps nearly all its deviation after a few sprints; noisy
// deviations of the others are pulled back to zero. A uniform team bias lands in `overall` alone.
// The matrix takes overall + intensity + autonomy, the risk median factors take the risk effects.
// Weights 1 / σ²_risk for both the drift test and the matrix: since the scheme prices each risk
// level's median on its own, the matrix no longer has to stand for the mix of risk levels, and the
// weighted fit is the more precise one (median error vs the oracle 1.065× → 1.05× in simulation).

interface ModelFit {
  overall: number;
  overallVar: number;
  /** [dimension][level]: posterior mean, variance, unpooled estimate, P(differs), stories. */
  effect: number[][];
  effectVar: number[][];
  raw: (number | null)[][];
  differs: number[][];
  samples: number[][];
  /** log2 per sprint; 0 when not fitted. */
  slope: number;
  slopeSe: number;
  /** The weighted mean sprint position the overall factor is centred on. */
  tBar: number;
  /** Stories outside the tail (the ones the fit used). */
  body: number;
}

interface Obs {
  i: number;
  a: number;
  r: number;
  t: number | null;
  y: number;
}

/** Prior probability that a level is no different from the rest of its dimension. */
const PRIOR_SAME = 0.5;
/**
 * Pseudo-stories of the pooled spread mixed into each risk level's own spread. The matrix takes a
 * light pooling: the risk levels' spreads really differ (low-risk work is steady), and the closer
 * its weights follow them the more precise the factors (simulation: median error vs the oracle,
 * uniform bias 1.049–1.052× → 1.048–1.051×, one level off 1.143–1.148× → 1.131–1.136×). The drift
 * test keeps a heavy one: its standard error assumes the weights are known, and noisier weights make
 * it fire on noise (6.3 % of steady teams at 7 sprints with the light pooling, against the 5 % it
 * promises).
 */
const SPREAD_POOLING = { fit: 2, trend: 8 };
/** Backfitting sweeps per round; the effects settle well within this. */
const SWEEPS = 15;
const TAU_GRID = Array.from({ length: 61 }, (_, k) => k * 0.05);

function fitModel(obs: readonly Obs[], levelCounts: readonly number[], slopeMode: "fit" | "none" | number): ModelFit {
  const n = obs.length;
  const keyOf = (o: Obs, d: number) => (d === 0 ? o.i : d === 1 ? o.a : o.r);
  const effect = levelCounts.map((k) => new Array<number>(k).fill(0));
  const effectVar = levelCounts.map((k) => new Array<number>(k).fill(0));
  const raw = levelCounts.map((k) => new Array<number | null>(k).fill(null));
  const differs = levelCounts.map((k) => new Array<number>(k).fill(0));
  const samples = levelCounts.map((k, d) => {
    const counts = new Array<number>(k).fill(0);
    for (const o of obs) counts[keyOf(o, d)]!++;
    return counts;
  });
  const fitSlope = slopeMode === "fit";
  const spreadPooling = fitSlope ? SPREAD_POOLING.trend : SPREAD_POOLING.fit;
  let slope = typeof slopeMode === "number" ? slopeMode : 0;
  let overall = median(obs.map((o) => o.y)) ?? 0;
  const tOf = (o: Obs) => o.t ?? 0;
  const fitted = (o: Obs, tBar: number, skip = -1) =>
    overall + effect.reduce((acc, eff, d) => (d === skip ? acc : acc + eff[keyOf(o, d)]!), 0) + slope * (tOf(o) - tBar);

  let w = new Array<number>(n).fill(1);
  let tBar = 0;
  let slopeSe = Infinity;
  for (let round = 0; round < 3; round++) {
    // Spread and tail from the current residuals, then the weights.
    const res = obs.map((o) => o.y - fitted(o, tBar));
    const centre = median(res) ?? 0;
    const scale = MAD_TO_SD * (median(res.map((x) => Math.abs(x - centre))) ?? 0);
    const tail = res.map((x) => scale > 0 && Math.abs(x - centre) > TAIL_CUTOFF * scale);
    // Variances from the body's own squared residuals: the risk levels' spreads differ, so the MAD
    // of the pooled residuals understates their variance (and would make the drift test fire on noise).
    const sd = (xs: number[]) => {
      const c = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, x) => a + (x - c) ** 2, 0) / Math.max(1, xs.length - 1));
    };
    const bodyRes = res.filter((_, k) => !tail[k]);
    const pooled = Math.max(bodyRes.length > 1 ? sd(bodyRes) : scale, 1e-8);
    const sigma2 = levelCounts[2] ? new Array<number>(levelCounts[2]).fill(pooled * pooled) : [];
    for (let r = 0; r < sigma2.length; r++) {
      const own = res.filter((_, k) => obs[k]!.r === r && !tail[k]);
      if (own.length < 2) continue;
      const s = sd(own);
      sigma2[r] = Math.max(
        1e-16,
        (own.length * s * s + spreadPooling * pooled * pooled) / (own.length + spreadPooling),
      );
    }
    w = obs.map((o, k) => (tail[k] ? 0 : 1 / sigma2[o.r]!));
    const sumW = w.reduce((a, b) => a + b, 0);
    if (!(sumW > 0)) break;
    tBar = obs.reduce((acc, o, k) => acc + w[k]! * tOf(o), 0) / sumW;

    for (let sweep = 0; sweep < SWEEPS; sweep++) {
      overall = obs.reduce((acc, o, k) => acc + w[k]! * (o.y - fitted(o, tBar) + overall), 0) / sumW;
      for (let d = 0; d < levelCounts.length; d++) {
        const num = new Array<number>(levelCounts[d]!).fill(0);
        const den = new Array<number>(levelCounts[d]!).fill(0);
        obs.forEach((o, k) => {
          num[keyOf(o, d)]! += w[k]! * (o.y - fitted(o, tBar, d));
          den[keyOf(o, d)]! += w[k]!;
        });
        const groups = num.map((x, l) => (den[l]! > 0 ? { d: x / den[l]!, v: 1 / den[l]! } : null));
        const pooledEffects = poolLevels(groups);
        pooledEffects.forEach((p, l) => {
          effect[d]![l] = p.mean;
          effectVar[d]![l] = p.variance;
          differs[d]![l] = p.differs;
          raw[d]![l] = groups[l]?.d ?? null;
        });
      }
      if (fitSlope) {
        let sxy = 0;
        let sxx = 0;
        obs.forEach((o, k) => {
          const dt = tOf(o) - tBar;
          sxy += w[k]! * dt * (o.y - fitted(o, tBar) + slope * dt);
          sxx += w[k]! * dt * dt;
        });
        slope = sxx > 0 ? sxy / sxx : 0;
        slopeSe = sxx > 0 ? 1 / Math.sqrt(sxx) : Infinity;
      }
    }
  }
  const sumW = w.reduce((a, b) => a + b, 0);
  return {
    overall,
    overallVar: sumW > 0 ? 1 / sumW : Infinity,
    effect,
    effectVar,
    raw,
    differs,
    samples,
    slope,
    slopeSe,
    tBar,
    body: w.filter((x) => x > 0).length,
  };
}

/**
 * Posterior of each level's effect under the sparse prior, given its unpooled estimate d (relative
 * to the rest) and that estimate's sampling variance v. τ² is fitted on the dimension's levels.
 */
function poolLevels(groups: ({ d: number; v: number } | null)[]) {
  const known = groups.filter((g): g is { d: number; v: number } => g !== null && Number.isFinite(g.v));
  const logDensity = (x: number, variance: number) =>
    -0.5 * Math.log(2 * Math.PI * variance) - (x * x) / (2 * variance);
  const logMix = (g: { d: number; v: number }, tau2: number) => {
    const same = Math.log(PRIOR_SAME) + logDensity(g.d, g.v);
    const diff = Math.log(1 - PRIOR_SAME) + logDensity(g.d, g.v + tau2);
    const top = Math.max(same, diff);
    return { total: top + Math.log(Math.exp(same - top) + Math.exp(diff - top)), diff };
  };
  let tau2 = 0;
  let best = -Infinity;
  for (const tau of TAU_GRID) {
    const ll = known.reduce((acc, g) => acc + logMix(g, tau * tau).total, 0);
    if (ll > best + 1e-12) {
      best = ll;
      tau2 = tau * tau;
    }
  }
  return groups.map((g) => {
    if (g === null || !Number.isFinite(g.v) || tau2 === 0) return { mean: 0, variance: 0, differs: 0 };
    const m = logMix(g, tau2);
    const p = Math.exp(m.diff - m.total);
    const shrink = tau2 / (tau2 + g.v);
    const slabMean = shrink * g.d;
    const slabVar = shrink * g.v;
    const mean = p * slabMean;
    return { mean, variance: p * (slabVar + slabMean * slabMean) - mean * mean, differs: p };
  });
}

// ---------------------------------------------------------------------------------------------
// Drift: a trend in actual/expected across sprints, tested as the slope of the same model with a
// sprint term (weighted by each risk level's spread; two-sided t test at 5 % for "detected"). When
// the slope is clear enough the suggestion projects the overall factor to the next sprint and
// widens the p80 by the slope's uncertainty.

export interface DriftEvidence {
  /** Sprints (with usable finished stories) and stories the trend was fitted on. */
  sprints: number;
  stories: number;
  /** Factor per sprint on actual/expected (1.1 = +10 % a sprint) and its 90 % interval. */
  perSprint: number;
  low: number;
  high: number;
  /** Slope ÷ its standard error. */
  z: number;
  detected: boolean;
  /** Factor the one-sprint-ahead projection put on every cell (1 when not projected). */
  projection: number;
}

/**
 * The suggestion projects ahead on weaker evidence than the page reports a trend (|z| > 1.28, one
 * sided 10 %): in the simulations a missed trend costs coverage, while a projected non-trend on four
 * or more sprints costs stationary teams almost nothing.
 */
const PROJECT_Z = 1.2816;
/** Fewest sprints a trend is tested on (on three, a chance slope projected two sprints ahead is costly). */
export const DRIFT_MIN_SPRINTS = 4;
const Z90 = 1.6449;

// ---------------------------------------------------------------------------------------------
// 2. Risk: the p80 multiplier is a *predictive* bound for the next story, not the 80th percentile
// of the last ones (which under-covers on a few dozen stories). Per risk level we set aside tail
// outliers, fit a log-normal to the rest and take the Student-t predictive quantile
//   exp(mean + t_{p', m−1} · sd · √(1 + 1/m)),
// where p' raises the target level by the tail share so the bound still covers 80 % of *all*
// stories, outliers included.

function fitRisk(
  scheme: SizingScheme,
  /** The story's new expected credits: its new cell × its risk level's new median factor. */
  newExpected: (s: Sample) => number,
  samples: Sample[],
  minSamples: number,
  coverage: number,
  enough: boolean,
  /** log2 to add to a story's ratio to bring it to the next sprint (the drift projection). */
  shiftOf: (s: Sample) => number,
  /** Sampling variance (log2²) of the story's new expected value. */
  cellVar: (s: Sample) => number,
): RiskEvidence[] {
  const logsOf = (r: number) =>
    samples.filter((s) => s.r === r).map((s) => (clampedLog2(s.actual / newExpected(s)) + shiftOf(s)) * Math.LN2);
  return scheme.risk.map((level, r) => {
    const own = samples.filter((s) => s.r === r);
    const logs = logsOf(r);
    // The matrix was fitted on these very stories, so their residuals understate how far the next
    // story lands: add the expected value's own uncertainty to the predictive spread.
    const extra = own.length ? (own.reduce((acc, s) => acc + cellVar(s), 0) / own.length) * Math.LN2 ** 2 : 0;
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
    const fit = predictiveQuantile(logs, coverage, extra);
    if (fit === null) return kept;
    const { quantile, ...parameters } = fit;
    return {
      ...kept,
      ...parameters,
      // A p80 below the expected value reads as nonsense on a capacity chart; never suggest it.
      // Rounding up keeps the two-decimal multiplier on the covering side.
      multiplier: Math.max(1, Math.ceil(Math.exp(quantile) * 100 - 1e-6) / 100),
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
export function predictiveQuantile(logs: readonly number[], coverage: number, extraVariance = 0): PredictiveFit | null {
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
  return {
    tailHigh,
    tailLow,
    logMean: mean,
    logSd: sd,
    t,
    quantile: mean + t * Math.sqrt(sd * sd * (1 + 1 / m) + extraVariance),
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Bands: an edge between two sizes goes to the geometric midpoint of their median actuals.
// Where a size has too few stories the old edge is scaled by the overall bias; if data-driven
// edges would cross, the one with the thinner evidence falls back too.

function fitBands(
  scheme: SizingScheme,
  samples: Sample[],
  /** The story's expected credits under the old scheme: what put it in its size band. */
  expectedOf: (s: Sample) => number,
  minSamples: number,
  overallFactor: number,
) {
  const bands = scheme.bands;
  const actuals = bands.map(() => [] as number[]);
  for (const s of samples) {
    const k = bandIndex(bands, expectedOf(s));
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
  const finalEdges = [2, 4].map((digits) => values.map((v) => roundSignificant(v, digits))).find(increasing) ?? values;
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
    push(`riskMedian.${rl.id}`, `Median factor, ${rl.label} risk`, riskMedianAt(from, r), riskMedianAt(to, r)),
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
    const cell = scheme.base[i]?.[a];
    const multiplier = scheme.p80Multiplier[r];
    if (cell === undefined || multiplier === undefined || s.actual === null) continue;
    const expected = cell * riskMedianAt(scheme, r);
    const band = scheme.bands[bandIndex(scheme.bands, expected)];
    inputs.push({
      expected,
      p80: expected * multiplier,
      bandLow: band?.low ?? null,
      bandHigh: band?.high ?? null,
      actual: s.actual,
      levels: { intensity: s.intensity, autonomy: s.autonomy, risk: s.risk } satisfies Record<
        DimensionId,
        string | null
      >,
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
