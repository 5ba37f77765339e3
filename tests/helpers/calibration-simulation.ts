// Simulated teams for the recalibration tests (app/domain/calibration.test.ts keeps short runs,
// tests/system/calibration-simulation.test.ts the long ones). Spend is drawn like real agent spend:
// actual = true expected cost × noise, the true cost = base cell × team bias × one level's effect ×
// drift^sprint × a mild risk factor; the noise is log-normal with a risk-dependent σ plus a heavy
// tail (3 % of stories cost another 5–30×). Every level is equally common. The *oracle* knows each
// story's true expected cost, so its error is the noise alone: the floor no estimate can beat.
import { scoreScheme, suggestRecalibration, type FinishedStory } from "~/domain/calibration";
import { median } from "~/domain/drift";
import { DEFAULT_SCHEME, type SizingScheme } from "~/domain/sizing-scheme";

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    if (rand() < (world.tailShare ?? TAIL_SHARE)) noise *= 5 * 6 ** rand();
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
  const result: StationaryResult = { coverage: [], errorVsOracle: [], oldCoverage: [] };
  for (let h = 0; h < histories; h++) {
    const rand = mulberry32(seed + h);
    const world = worldOf(h);
    const history = [0, 1, 2].flatMap((t) => drawStories(rand, 12, world, t));
    const later = drawStories(rand, future, world, 3);
    const { scheme } = suggestRecalibration(DEFAULT_SCHEME, history);
    const score = scoreScheme(scheme, later);
    result.coverage.push(score.p80Coverage!);
    result.errorVsOracle.push(score.medianAbsLog2Error! / medianAbs(later.map((s) => Math.log2(s.noise))));
    result.oldCoverage.push(scoreScheme(DEFAULT_SCHEME, later).p80Coverage!);
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

export function describe(name: string, coverage: readonly number[], error: readonly number[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return (
    `${name}: p80 coverage mean ${pct(mean(coverage))} (sd ${pct(sd(coverage))}), ` +
    `median |log2 error| ${mean(error).toFixed(3)}× the oracle's`
  );
}
