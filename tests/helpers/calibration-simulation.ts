// Simulated teams for the recalibration tests (app/domain/calibration.test.ts keeps short runs,
// tests/system/calibration-simulation.test.ts the long ones). Spend is drawn like real agent spend:
// actual = true expected cost × noise, the true cost = base cell × team bias × one level's effect ×
// drift^sprint × a mild risk factor; the noise is log-normal with a risk-dependent σ plus a heavy
// tail (3 % of stories cost another 5–30×). Every level is equally common. The *oracle* knows each
// story's true expected cost, so its error is the noise alone: the floor no estimate can beat.
import { scoreScheme, studentTQuantile, suggestRecalibration, type FinishedStory } from "~/domain/calibration";
import { median } from "~/domain/drift";
import { DEFAULT_SCHEME, type SizingScheme } from "~/domain/sizing-scheme";
import { mulberry32 } from "../../scripts/seed/random";

// The demo's generator: the simulations are the same on every run.
export { mulberry32 };

export function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export interface SimWorld {
  teamBias: number;
  /** One level whose stories run `factor` × the rest. */
  off?: { dimension: "intensity" | "autonomy"; level: number; factor: number };
  /** Factor per sprint on every story's cost (1.1 = +10 % a sprint). */
  driftPerSprint?: number;
  sigma?: readonly number[];
  riskFactor?: readonly number[];
  tailShare?: number;
}

const SIGMA = [0.3, 0.5, 0.8];
// Mild medians by risk: high-risk work retries more, so it also costs a bit more in the median.
const RISK_FACTOR = [0.9, 1, 1.15];
const TAIL_SHARE = 0.03;

export interface SimStory extends FinishedStory {
  actual: number;
  sprint: number;
  /** actual / true expected cost: what no estimate can know in advance. */
  noise: number;
  /** The story's true expected cost (what the oracle knows). */
  trueCost: number;
  /** The σ of its log-normal noise (natural log), and whether it drew the heavy tail. */
  logSd: number;
  tail: boolean;
}

export function drawStories(rand: () => number, n: number, world: SimWorld, sprint: number): SimStory[] {
  const s = DEFAULT_SCHEME;
  const sigma = world.sigma ?? SIGMA;
  const riskFactor = world.riskFactor ?? RISK_FACTOR;
  return Array.from({ length: n }, () => {
    const i = Math.floor(rand() * s.intensity.length);
    const a = Math.floor(rand() * s.autonomy.length);
    const r = Math.floor(rand() * s.risk.length);
    let noise = Math.exp(sigma[r]! * normal(rand));
    const tail = rand() < (world.tailShare ?? TAIL_SHARE);
    if (tail) noise *= 5 * 6 ** rand();
    const off = world.off;
    const levelFactor = off && (off.dimension === "intensity" ? i : a) === off.level ? off.factor : 1;
    const trueCost =
      s.base[i]![a]! * world.teamBias * levelFactor * riskFactor[r]! * (world.driftPerSprint ?? 1) ** sprint;
    return {
      intensity: s.intensity[i]!.id,
      autonomy: s.autonomy[a]!.id,
      risk: s.risk[r]!.id,
      actual: trueCost * noise,
      sprint,
      noise,
      trueCost,
      logSd: sigma[r]!,
      tail,
    };
  });
}

export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const sd = (xs: readonly number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const medianAbs = (xs: readonly number[]) => median(xs.map(Math.abs))!;

export interface StationaryResult {
  coverage: number[];
  /** Suggested scheme's median |log2(actual / expected)| ÷ the oracle's, per history. */
  errorVsOracle: number[];
  oldCoverage: number[];
  /** Per history, the same later stories under the near-oracle p80 of `nearOracleP80`. */
  nearOracleCoverage: number[];
  /** Per history, the error ÷ the oracle's of the fits *told the structure* (`toldStructureFit`). */
  told: Record<ToldRisk, number[]>;
}

export type ToldRisk = "ignored" | "fitted" | "known";

/**
 * A yardstick for the error goal: a fit *told* which level is off (if any), each story's true σ and
 * which stories are the heavy tail, that learns from the history only the team factor and that
 * level's factor (1/σ²-weighted least squares on the body). The risk medians it either ignores,
 * fits freely (one factor per risk level), or is told as well. What stands between it and the
 * oracle is the noise of those few estimates from 36 stories: an estimator that must also find the
 * level, the spreads and the tail cannot expect to do better than the variants that must learn the
 * risk medians too.
 */
export function toldStructureFit(
  history: readonly SimStory[],
  world: SimWorld,
  risk: ToldRisk,
): (s: SimStory) => number {
  const scheme = DEFAULT_SCHEME;
  const riskFactor = world.riskFactor ?? RISK_FACTOR;
  const off = world.off;
  const riskOf = (s: SimStory) => scheme.risk.findIndex((l) => l.id === s.risk);
  const cellOf = (s: SimStory) =>
    scheme.base[scheme.intensity.findIndex((l) => l.id === s.intensity)]![
      scheme.autonomy.findIndex((l) => l.id === s.autonomy)
    ]!;
  const isOff = (s: SimStory) =>
    off !== undefined &&
    (off.dimension === "intensity"
      ? scheme.intensity.findIndex((l) => l.id === s.intensity)
      : scheme.autonomy.findIndex((l) => l.id === s.autonomy)) === off.level;
  // log2 of what the fit takes as given: the cell, and the risk median when it is told it.
  const given = (s: SimStory) => Math.log2(cellOf(s) * (risk === "known" ? riskFactor[riskOf(s)]! : 1));
  const columns: ((s: SimStory) => number)[] = [() => 1];
  if (off) columns.push((s) => (isOff(s) ? 1 : 0));
  if (risk === "fitted") for (let r = 1; r < scheme.risk.length; r++) columns.push((s) => (riskOf(s) === r ? 1 : 0));
  const body = history.filter((s) => !s.tail);
  // Normal equations (a few columns): Σ w x xᵀ β = Σ w x y, solved by Gaussian elimination.
  const p = columns.length;
  const a = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  for (const s of body) {
    const w = 1 / s.logSd ** 2;
    const x = columns.map((c) => c(s));
    const y = Math.log2(s.actual) - given(s);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) a[i]![j]! += w * x[i]! * x[j]!;
      a[i]![p]! += w * x[i]! * y;
    }
  }
  const live = a.map((row, i) => row[i]! > 0);
  for (let i = 0; i < p; i++) {
    if (!live[i]) continue;
    for (let k = 0; k < p; k++) {
      if (k === i || !live[k]) continue;
      const f = a[k]![i]! / a[i]![i]!;
      for (let j = i; j <= p; j++) a[k]![j]! -= f * a[i]![j]!;
    }
  }
  const beta = a.map((row, i) => (live[i] ? row[p]! / row[i]! : 0));
  return (s) => 2 ** (given(s) + columns.reduce((acc, c, j) => acc + c(s) * beta[j]!, 0));
}

/**
 * A yardstick for the per-history spread of coverage: a p80 that knows each story's true expected
 * cost *up to the team factor*, each risk level's true σ (for its weights) and which stories are the
 * heavy tail, and learns only what a team's history must teach — the team factor (the 1/σ²-weighted
 * mean of the body's log ratios, the most precise estimate there is) and each risk level's spread
 * (its body stories' RMS around that factor) — from the same 36 stories. What varies from history
 * to history under it is the noise of those two estimates alone: no estimator that has to learn them
 * from 36 stories can expect a much smaller sd.
 */
export function nearOracleP80(history: readonly SimStory[], tailShare = TAIL_SHARE): (s: SimStory) => number {
  const body = history.filter((s) => !s.tail);
  const w = (s: SimStory) => 1 / s.logSd ** 2;
  const sumW = body.reduce((a, s) => a + w(s), 0);
  const factor = body.reduce((a, s) => a + w(s) * Math.log(s.noise), 0) / sumW;
  const spreads = new Map<number, { sd: number; n: number }>();
  for (const logSd of new Set(body.map((s) => s.logSd))) {
    const own = body.filter((s) => s.logSd === logSd).map((s) => Math.log(s.noise) - factor);
    spreads.set(logSd, { sd: Math.sqrt(own.reduce((a, x) => a + x * x, 0) / own.length), n: own.length });
  }
  // The tail lands above any p80, so the body must cover 0.8 / (1 − tail share).
  const level = 0.8 / (1 - tailShare);
  return (s) => {
    const spread = spreads.get(s.logSd);
    if (!spread || spread.n < 2) return s.trueCost * Math.exp(factor);
    const t = studentTQuantile(level, spread.n);
    return s.trueCost * Math.exp(factor + t * Math.sqrt(spread.sd ** 2 + 1 / sumW));
  };
}

/**
 * A run takes tens of seconds of pure computation. Vitest's worker gives up on its own RPC calls
 * after 60 s without a turn of the event loop (a CI run failed with "Timeout calling onTaskUpdate"
 * after several simulations in a row), so each history ends with a macrotask turn.
 */
const letTheWorkerAnswer = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Per history: 3 sprints × 12 stories, the suggestion fitted on them, scored on 2,000 later ones. */
export async function runStationary(
  worldOf: (h: number) => SimWorld,
  seed: number,
  histories: number,
  future = 2000,
): Promise<StationaryResult> {
  const result: StationaryResult = {
    coverage: [],
    errorVsOracle: [],
    oldCoverage: [],
    nearOracleCoverage: [],
    told: { ignored: [], fitted: [], known: [] },
  };
  for (let h = 0; h < histories; h++) {
    const rand = mulberry32(seed + h);
    const world = worldOf(h);
    const history = [0, 1, 2].flatMap((t) => drawStories(rand, 12, world, t));
    const later = drawStories(rand, future, world, 3);
    const { scheme } = suggestRecalibration(DEFAULT_SCHEME, history);
    const score = scoreScheme(scheme, later);
    const floor = medianAbs(later.map((s) => Math.log2(s.noise)));
    result.coverage.push(score.p80Coverage!);
    result.errorVsOracle.push(score.medianAbsLog2Error! / floor);
    for (const risk of ["ignored", "fitted", "known"] as const) {
      const estimate = toldStructureFit(history, world, risk);
      result.told[risk].push(medianAbs(later.map((s) => Math.log2(s.actual / estimate(s)))) / floor);
    }
    result.oldCoverage.push(scoreScheme(DEFAULT_SCHEME, later).p80Coverage!);
    const p80 = nearOracleP80(history, world.tailShare);
    result.nearOracleCoverage.push(mean(later.map((s) => (s.actual <= p80(s) ? 1 : 0))));
    await letTheWorkerAnswer();
  }
  return result;
}

export interface RollingResult {
  /** Per history: mean one-sprint-ahead p80 coverage over the re-applied sprints. */
  coverage: number[];
  errorVsOracle: number[];
  /** Share of suggestions that projected a trend. */
  projected: number;
}

/**
 * Per history: `sprints` sprints of 12 stories. From the third on, after every sprint closes the
 * suggestion is fitted on the last three sprints (the drift test reading up to the last six) and
 * applied; the next sprint is scored under it (on 500 stories drawn like that sprint's).
 */
export async function runRolling(
  world: SimWorld,
  seed: number,
  histories: number,
  sprints = 8,
): Promise<RollingResult> {
  const result: RollingResult = { coverage: [], errorVsOracle: [], projected: 0 };
  let suggestions = 0;
  let projected = 0;
  for (let h = 0; h < histories; h++) {
    const rand = mulberry32(seed + h);
    let scheme: SizingScheme = DEFAULT_SCHEME;
    const done: SimStory[] = [];
    const coverage: number[] = [];
    const error: number[] = [];
    for (let t = 0; t < sprints; t++) {
      done.push(...drawStories(rand, 12, world, t));
      if (t < 2) continue;
      const cal = suggestRecalibration(
        scheme,
        done.filter((s) => s.sprint > t - 6),
        { fitSprints: 3 },
      );
      scheme = cal.scheme;
      suggestions++;
      if ((cal.evidence.drift?.projection ?? 1) !== 1) projected++;
      const next = drawStories(rand, 500, world, t + 1);
      const score = scoreScheme(scheme, next);
      coverage.push(score.p80Coverage!);
      error.push(score.medianAbsLog2Error! / medianAbs(next.map((s) => Math.log2(s.noise))));
    }
    result.coverage.push(mean(coverage));
    result.errorVsOracle.push(mean(error));
    await letTheWorkerAnswer();
  }
  result.projected = projected / suggestions;
  return result;
}

/** Share of histories of `sprints` × 12 stories on which the drift test fires. */
export async function trendFiringRate(
  world: SimWorld,
  seed: number,
  histories: number,
  sprints: number,
): Promise<number> {
  let fired = 0;
  for (let h = 0; h < histories; h++) {
    const rand = mulberry32(seed + h);
    const stories = Array.from({ length: sprints }, (_, t) => drawStories(rand, 12, world, t)).flat();
    if (suggestRecalibration(DEFAULT_SCHEME, stories).evidence.drift?.detected) fired++;
    await letTheWorkerAnswer();
  }
  return fired / histories;
}

export interface TrendPower {
  /** Share of histories on which our drift test fires (what trendFiringRate measures). */
  ours: number;
  /** Share on which the best test there is fires: see `bestTrendTest`. */
  best: number;
  /** Its expected power, Φ(δ·√Sxx − z₀.₉₅) averaged over the histories' designs. */
  bestExpected: number;
}

/**
 * The most powerful test there is for "a trend of `slope` log2 a sprint" against "no trend", for a
 * team whose overall factor is unknown: by Neyman–Pearson, with Gaussian noise of known σ, the
 * one-sided z test of the 1/σ²-weighted slope of log(actual / true cost without drift). It is
 * given everything a real test must estimate: each story's σ, the level effects and risk medians,
 * even which stories are the heavy tail (left out). One-sided at 5 % — more lenient than our
 * two-sided 5 % test. Any real test has at most this power, so a goal above it is out of reach for
 * every estimator at this noise and this many stories.
 */
export function bestTrendTest(stories: readonly SimStory[], driftPerSprint: number): { z: number; expected: number } {
  const body = stories.filter((s) => !s.tail);
  const w = (s: SimStory) => 1 / (s.logSd / Math.LN2) ** 2;
  const sumW = body.reduce((a, s) => a + w(s), 0);
  const tBar = body.reduce((a, s) => a + w(s) * s.sprint, 0) / sumW;
  const sxx = body.reduce((a, s) => a + w(s) * (s.sprint - tBar) ** 2, 0);
  // log2(actual / true cost at sprint 0): the drift is the only thing left besides the noise.
  const y = (s: SimStory) => Math.log2(s.actual / (s.trueCost / driftPerSprint ** s.sprint));
  const slope = body.reduce((a, s) => a + w(s) * (s.sprint - tBar) * y(s), 0) / sxx;
  const z = slope * Math.sqrt(sxx);
  const delta = Math.log2(driftPerSprint);
  return { z, expected: normalCdf(delta * Math.sqrt(sxx) - Z95) };
}

const Z95 = 1.6449;

/** Our drift test and the best test there is (`bestTrendTest`), on the same histories. */
export async function trendPower(
  world: SimWorld,
  seed: number,
  histories: number,
  sprints: number,
): Promise<TrendPower> {
  let ours = 0;
  let best = 0;
  let expected = 0;
  const drift = world.driftPerSprint ?? 1;
  for (let h = 0; h < histories; h++) {
    const rand = mulberry32(seed + h);
    const stories = Array.from({ length: sprints }, (_, t) => drawStories(rand, 12, world, t)).flat();
    if (suggestRecalibration(DEFAULT_SCHEME, stories).evidence.drift?.detected) ours++;
    // Tested against the trend the drifting world has (on a steady world: its false-alarm rate).
    const b = bestTrendTest(stories, drift);
    if (b.z > Z95) best++;
    expected += b.expected;
    await letTheWorkerAnswer();
  }
  return { ours: ours / histories, best: best / histories, bestExpected: expected / histories };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export function describe(name: string, coverage: readonly number[], error: readonly number[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return (
    `${name}: p80 coverage mean ${pct(mean(coverage))} (sd ${pct(sd(coverage))}), ` +
    `median |log2 error| ${mean(error).toFixed(3)}× the oracle's`
  );
}
