// The rolling recalibration: after every closed sprint, a fresh suggestion fitted on the finished
// stories of the recent sprints (each story tagged with its sprint's position, so the drift test
// can read the trend), and a backtest — for each sprint closed since the current scheme version,
// the suggestion fitted on the sprints *before* it, scored on it, against the current scheme — so a
// manager sees whether applying it would have paid off. Stored as one frozen document when a sprint
// closes (app/models/calibration.server.ts); the insights page only reads it.
import {
  scoreScheme,
  suggestRecalibration,
  type Calibration,
  type FinishedStory,
  type SchemeScore,
} from "~/domain/calibration";
import type { RetroRow } from "~/domain/retro";
import { validateScheme, type SchemeError } from "~/domain/sizing";
import type { SizingScheme } from "~/domain/sizing-scheme";

export interface ClosedSprintInput {
  sprint: { id: number; name: string };
  /** When the sprint closed (ISO text); the backtest reads the sprints closed after the version. */
  closedAt: string;
  rows: readonly RetroRow[];
}

export interface BacktestSprint {
  sprintId: number;
  name: string;
  current: SchemeScore;
  suggested: SchemeScore;
}

export interface StoredSuggestion {
  schemeVersion: number;
  /** The sprints whose finished stories fed the fit, oldest first. */
  sprints: { id: number; name: string }[];
  finished: number;
  calibration: Calibration;
  /** In-sample: the fit's own stories under the current and the suggested scheme. */
  overall: { current: SchemeScore; suggested: SchemeScore };
  backtest: { sprints: BacktestSprint[]; current: SchemeScore | null; suggested: SchemeScore | null };
  /** Whether applying is worth it, and the reason in words. */
  worthIt: boolean;
  verdict: string;
  /** "spend per estimated credit has risen ~10 % a sprint for 4 sprints", or null. */
  driftWords: string | null;
  problems: SchemeError[];
  /** Names this suggestion on this scheme version (what the apply form carries). */
  token: string;
}

/** How many recent closed sprints feed the fit and the drift test. */
export const SUGGESTION_SPRINTS = 6;
const BACKTEST_SPRINTS = 6;

function finished(rows: readonly RetroRow[], position: number): FinishedStory[] {
  return rows
    .filter((r) => r.outcome === "done" && r.levels !== null)
    .map((r) => ({ ...r.levels!, actual: r.actual, sprint: position }));
}

export function buildSuggestion(
  scheme: { version: number; scheme: SizingScheme; createdAt: string },
  closed: readonly ClosedSprintInput[],
): StoredSuggestion {
  const all = closed.map((c, k) => ({ ...c, stories: finished(c.rows, k) }));
  const window = all.slice(-SUGGESTION_SPRINTS);
  const stories = window.flatMap((c) => c.stories);
  const calibration = suggestRecalibration(scheme.scheme, stories);

  // Rolling-origin backtest over the sprints closed since the current version.
  const since = all
    .map((c, k) => ({ c, k }))
    .filter(({ c }) => c.closedAt > scheme.createdAt)
    .slice(-BACKTEST_SPRINTS);
  const backtest: BacktestSprint[] = [];
  for (const { c, k } of since) {
    const before = all.slice(Math.max(0, k - SUGGESTION_SPRINTS), k).flatMap((p) => p.stories);
    if (!c.stories.length || !before.length) continue;
    const fit = suggestRecalibration(scheme.scheme, before);
    if (!fit.evidence.enough) continue;
    backtest.push({
      sprintId: c.sprint.id,
      name: c.sprint.name,
      current: scoreScheme(scheme.scheme, c.stories),
      suggested: scoreScheme(fit.scheme, c.stories),
    });
  }
  const tested = backtest.length ? since.filter(({ c }) => backtest.some((b) => b.sprintId === c.sprint.id)) : [];
  const testedStories = tested.flatMap(({ c }) => c.stories);
  const backtestTotals = tested.length
    ? {
        current: scoreScheme(scheme.scheme, testedStories),
        // Each sprint scored under the suggestion fitted before it, pooled.
        suggested: pooledScore(backtest.map((b) => b.suggested)),
      }
    : { current: null, suggested: null };

  const overall = { current: scoreScheme(scheme.scheme, stories), suggested: scoreScheme(calibration.scheme, stories) };
  const problems = validateScheme(calibration.scheme);
  const { worthIt, verdict } = judge(calibration, overall, backtestTotals, problems);
  return {
    schemeVersion: scheme.version,
    sprints: window.map((c) => ({ id: c.sprint.id, name: c.sprint.name })),
    finished: stories.length,
    calibration,
    overall,
    backtest: { sprints: backtest, ...backtestTotals },
    worthIt,
    verdict,
    driftWords: describeDrift(calibration),
    problems,
    token: `v${scheme.version}-${fnv1a(JSON.stringify(calibration.scheme))}`,
  };
}

/** Story-weighted pool of per-sprint scores (medians pooled as a weighted mean: close enough to read). */
function pooledScore(scores: readonly SchemeScore[]): SchemeScore {
  const n = scores.reduce((a, s) => a + s.stories, 0);
  const avg = (f: (s: SchemeScore) => number | null) => {
    const known = scores.filter((s) => f(s) !== null && s.stories > 0);
    const w = known.reduce((a, s) => a + s.stories, 0);
    return w ? known.reduce((a, s) => a + f(s)! * s.stories, 0) / w : null;
  };
  return {
    stories: n,
    skipped: scores.reduce((a, s) => a + s.skipped, 0),
    p80Coverage: avg((s) => s.p80Coverage),
    hitRate: avg((s) => s.hitRate),
    medianAbsLog2Error: avg((s) => s.medianAbsLog2Error),
  };
}

/** Closer to 80 % coverage by 5 points, or a typical miss 5 % smaller, without the other getting worse. */
function better(current: SchemeScore, suggested: SchemeScore): { better: boolean; worse: boolean } {
  const gap = (s: SchemeScore) => (s.p80Coverage === null ? null : Math.abs(s.p80Coverage - 0.8));
  const gc = gap(current);
  const gs = gap(suggested);
  const mc = current.medianAbsLog2Error;
  const ms = suggested.medianAbsLog2Error;
  const coverageBetter = gc !== null && gs !== null && gs < gc - 0.05;
  const coverageWorse = gc !== null && gs !== null && gs > gc + 0.05;
  const missBetter = mc !== null && ms !== null && ms < mc * 0.95;
  const missWorse = mc !== null && ms !== null && ms > mc * 1.05;
  return {
    better: (coverageBetter && !missWorse) || (missBetter && !coverageWorse),
    worse: coverageWorse || missWorse,
  };
}

function judge(
  calibration: Calibration,
  overall: { current: SchemeScore; suggested: SchemeScore },
  backtest: { current: SchemeScore | null; suggested: SchemeScore | null },
  problems: SchemeError[],
): { worthIt: boolean; verdict: string } {
  if (!calibration.evidence.enough) return { worthIt: false, verdict: "Not enough finished stories with spend yet." };
  if (calibration.diff.length === 0 || problems.length)
    return { worthIt: false, verdict: "The current scheme already fits the evidence." };
  if (backtest.current && backtest.suggested) {
    const b = better(backtest.current, backtest.suggested);
    return b.better
      ? {
          worthIt: true,
          verdict: "Fitted on the sprints before each, it would have scored better on the sprints since this version.",
        }
      : {
          worthIt: false,
          verdict: b.worse
            ? "Fitted on the sprints before each, it would have scored worse on the sprints since this version."
            : "Fitted on the sprints before each, it would not have scored clearly better on the sprints since this version.",
        };
  }
  const b = better(overall.current, overall.suggested);
  return b.better
    ? {
        worthIt: true,
        verdict: "No sprint has closed since this version yet; on the recent sprints' own stories it scores better.",
      }
    : { worthIt: false, verdict: "On the recent sprints' own stories it would not score clearly better." };
}

/** "spend per estimated credit has risen ~10 % a sprint for 4 sprints"; null without a detected trend. */
export function describeDrift(calibration: Calibration): string | null {
  const d = calibration.evidence.drift;
  if (!d || !d.detected) return null;
  const pct = Math.round(Math.abs(d.perSprint - 1) * 100);
  return `spend per estimated credit has ${d.perSprint > 1 ? "risen" : "fallen"} ~${pct} % a sprint for ${d.sprints} sprints`;
}

/** 32-bit FNV-1a as hex: a short, stable name for a JSON text (not a security measure). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** A calibration factor as the insights page shows it: "1.24×", "0.5×", whole from 10 up ("12×"). */
export function formatFactor(factor: number): string {
  return `${factor >= 10 ? Math.round(factor) : Number(factor.toFixed(2))}×`;
}
