// Arithmetic on a sizing scheme: turning three cards into credits and a size, summarising a round of
// poker votes, and validating a scheme a team has edited. Pure: plain values in, plain values out.
//
// Unknown level ids throw an UnknownLevelError everywhere (estimate, implied, summarizeRound): votes
// and estimates are validated against their frozen scheme version when they are stored, so an
// unknown id here is a bug or corrupt data, and a silent null would hide it behind "can't say".

import { DIMENSIONS, type Band, type DimensionId, type Level, type SizingScheme } from "~/domain/sizing-scheme";

/** The per-dimension "can't say" card. Ignored by all arithmetic. */
export const UNSURE = "?";

/**
 * One dimension's card: a level id of the scheme or `UNSURE` ("?"). Both are strings, so the type is
 * `string`; the alias documents the intent. Level ids may therefore never be "?" (see validateScheme).
 */
export type Card = string;

/** One voter's vote in a round. */
export interface Vote {
  voterId: string;
  /** The whole-vote "too big — split the story" card. When true, the dimension cards are ignored. */
  split: boolean;
  /** null = not voted in that dimension (yet). */
  intensity: Card | null;
  autonomy: Card | null;
  risk: Card | null;
}

/** A fully numeric combination of level ids. */
export interface Levels {
  intensity: string;
  autonomy: string;
  risk: string;
}

/** Cards per dimension where any may be unknown (`?`) or missing (null). */
export type PartialCards = Record<DimensionId, Card | null>;

export interface Estimate {
  expected: number;
  p80: number;
  /** The band's label, e.g. "M". */
  size: string;
  band: Band;
}

/** What a possibly incomplete set of cards implies; null where the cards do not determine it. */
export interface Implied {
  expected: number | null;
  p80: number | null;
  size: string | null;
}

export type Agreement = "unanimous" | "close" | "wide";

export interface DimensionSummary {
  /** Count per level id of the scheme (zeros included) and per `?`. */
  counts: Record<string, number>;
  /** Highest minus lowest level index among numeric cards; null without numeric cards. */
  spread: number | null;
  agreement: Agreement | null;
  /** Median level id of the numeric cards (upper median on ties); null without numeric cards. */
  suggestion: string | null;
}

export type Suggestion = { split: true } | ({ split: false; estimate: Implied } & Record<DimensionId, string | null>);

export interface VoterImplied extends Implied {
  voterId: string;
  split: boolean;
}

export interface RoundSummary {
  /** Votes that played anything: `split` or at least one dimension card. */
  voters: number;
  splitCount: number;
  dimensions: Record<DimensionId, DimensionSummary>;
  suggestion: Suggestion;
  perVoter: VoterImplied[];
}

export interface SchemeError {
  /** Where in the scheme, e.g. "bands[2].low" or "base[1][3]". */
  path: string;
  /** Plain English, meant for the person editing the scheme. */
  message: string;
}

export class UnknownLevelError extends Error {
  constructor(
    readonly dimension: DimensionId,
    readonly levelId: string,
  ) {
    super(`Unknown ${dimension} level ${JSON.stringify(levelId)}`);
    this.name = "UnknownLevelError";
  }
}

const DIMENSION_IDS: DimensionId[] = DIMENSIONS.map((d) => d.id);

/** Index of a level id in its dimension; throws UnknownLevelError (also for "?"). */
export function levelIndex(scheme: SizingScheme, dimension: DimensionId, levelId: string): number {
  const index = scheme[dimension].findIndex((level) => level.id === levelId);
  if (index < 0) throw new UnknownLevelError(dimension, levelId);
  return index;
}

/** The band containing `credits` (bands are half-open [low, high), the last open-ended). */
export function bandFor(scheme: SizingScheme, credits: number): Band {
  if (!(credits >= 0)) throw new RangeError(`Credits must be a non-negative number, got ${credits}`);
  const band = scheme.bands.find((b) => credits >= b.low && (b.high === null || credits < b.high));
  if (!band) throw new RangeError(`No size band contains ${credits} credits; is the scheme valid?`);
  return band;
}

/** The cost table's cell for a model intensity × autonomy combination (before any risk factor). */
export function baseCredits(scheme: SizingScheme, intensity: string, autonomy: string): number {
  const credits = scheme.base[levelIndex(scheme, "intensity", intensity)]?.[levelIndex(scheme, "autonomy", autonomy)];
  if (credits === undefined) throw new RangeError(`Cost table has no cell for ${intensity} × ${autonomy}`);
  return credits;
}

/** Median cost factor of a risk level by its index: 1 when the scheme has none (see SizingScheme). */
export function riskMedianAt(scheme: SizingScheme, riskIndex: number): number {
  return scheme.riskMedian?.[riskIndex] ?? 1;
}

/** Whether the scheme's risk levels change expected credits at all (any median factor ≠ 1). */
export function riskChangesExpected(scheme: SizingScheme): boolean {
  return scheme.risk.some((_, r) => riskMedianAt(scheme, r) !== 1);
}

/** Expected credits of a fully numeric combination: the cost table's cell × the risk median factor. */
export function expectedCredits(scheme: SizingScheme, intensity: string, autonomy: string, risk: string): number {
  return baseCredits(scheme, intensity, autonomy) * riskMedianAt(scheme, levelIndex(scheme, "risk", risk));
}

/** p80 multiplier of a risk level. */
export function p80Multiplier(scheme: SizingScheme, risk: string): number {
  const multiplier = scheme.p80Multiplier[levelIndex(scheme, "risk", risk)];
  if (multiplier === undefined) throw new RangeError(`No p80 multiplier for risk ${risk}`);
  return multiplier;
}

/** Expected and p80 credits and the size of a fully numeric combination. Throws on unknown ids. */
export function estimate(scheme: SizingScheme, levels: Levels): Estimate {
  const expected = expectedCredits(scheme, levels.intensity, levels.autonomy, levels.risk);
  const band = bandFor(scheme, expected);
  return { expected, p80: expected * p80Multiplier(scheme, levels.risk), size: band.label, band };
}

const isNumeric = (card: Card | null): card is string => card !== null && card !== UNSURE;

/**
 * What incomplete cards still imply. Size depends only on expected credits; while every risk median
 * factor is 1, risk never changes those, so intensity + autonomy are enough for expected and size.
 * Once the scheme prices risk into the median, expected and size wait for the risk card too. p80
 * always needs risk.
 */
export function implied(scheme: SizingScheme, cards: PartialCards): Implied {
  const { intensity, autonomy, risk } = cards;
  if (isNumeric(risk)) levelIndex(scheme, "risk", risk); // unknown ids throw even when unused
  if (!isNumeric(intensity) || !isNumeric(autonomy) || (!isNumeric(risk) && riskChangesExpected(scheme))) {
    if (isNumeric(intensity)) levelIndex(scheme, "intensity", intensity);
    if (isNumeric(autonomy)) levelIndex(scheme, "autonomy", autonomy);
    return { expected: null, p80: null, size: null };
  }
  const cell = baseCredits(scheme, intensity, autonomy);
  const expected = isNumeric(risk) ? cell * riskMedianAt(scheme, levelIndex(scheme, "risk", risk)) : cell;
  return {
    expected,
    p80: isNumeric(risk) ? expected * p80Multiplier(scheme, risk) : null,
    size: bandFor(scheme, expected).label,
  };
}

function agreementFor(spread: number | null): Agreement | null {
  if (spread === null) return null;
  return spread === 0 ? "unanimous" : spread === 1 ? "close" : "wide";
}

function summarizeDimension(scheme: SizingScheme, dimension: DimensionId, cards: Card[]): DimensionSummary {
  const levels = scheme[dimension];
  const counts: Record<string, number> = Object.fromEntries([...levels.map((l) => [l.id, 0]), [UNSURE, 0]]);
  const indices: number[] = [];
  for (const card of cards) {
    if (card !== UNSURE) indices.push(levelIndex(scheme, dimension, card));
    counts[card] = (counts[card] ?? 0) + 1;
  }
  if (indices.length === 0) return { counts, spread: null, agreement: null, suggestion: null };
  indices.sort((a, b) => a - b);
  const spread = indices[indices.length - 1]! - indices[0]!;
  // floor(n/2) is the middle for odd n and the upper of the two middles for even n, so a tie goes
  // to the higher level: the suggestion errs towards budgeting more, not less.
  const median = indices[Math.floor(indices.length / 2)]!;
  return { counts, spread, agreement: agreementFor(spread), suggestion: levels[median]!.id };
}

/**
 * Summary of a revealed round: per-dimension counts, spread, agreement and median; the suggested
 * consensus (`split` when strictly more than half of the voters played it); and what each voter's
 * cards imply. Split votes count as voters but their dimension cards are ignored. Votes with no card
 * at all are not counted as voters (they have not voted yet).
 */
export function summarizeRound(scheme: SizingScheme, votes: Vote[]): RoundSummary {
  const cast = votes.filter((v) => v.split || DIMENSION_IDS.some((d) => v[d] !== null));
  const numericVotes = cast.filter((v) => !v.split);
  const splitCount = cast.length - numericVotes.length;

  const cardsIn = (d: DimensionId) => numericVotes.flatMap((v) => (v[d] === null ? [] : [v[d]]));
  const dimensions = Object.fromEntries(
    DIMENSION_IDS.map((d) => [d, summarizeDimension(scheme, d, cardsIn(d))]),
  ) as Record<DimensionId, DimensionSummary>;

  let suggestion: Suggestion;
  if (splitCount * 2 > cast.length) {
    suggestion = { split: true };
  } else {
    const levels = {
      intensity: dimensions.intensity.suggestion,
      autonomy: dimensions.autonomy.suggestion,
      risk: dimensions.risk.suggestion,
    };
    suggestion = { split: false, ...levels, estimate: implied(scheme, levels) };
  }

  const perVoter = votes.map((v): VoterImplied => {
    const empty = { expected: null, p80: null, size: null };
    return { voterId: v.voterId, split: v.split, ...(v.split ? empty : implied(scheme, v)) };
  });

  return { voters: cast.length, splitCount, dimensions, suggestion, perVoter };
}

// ---------------------------------------------------------------------------------------------------
// Scheme validation (for the scheme editor)

const dimensionLabel = (d: DimensionId) => DIMENSIONS.find((x) => x.id === d)?.label ?? d;
const levelName = (level: Level | undefined, index: number) => level?.label.trim() || level?.id || `#${index + 1}`;
const bandName = (band: Band, index: number) => band.label.trim() || `#${index + 1}`;
const isPositiveNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x > 0;
/** Reserved by the deck: a level with one of these ids could not be told apart from the extra card. */
const RESERVED_IDS = new Set([UNSURE, "split"]);

function validateLevels(scheme: SizingScheme, dimension: DimensionId): SchemeError[] {
  const errors: SchemeError[] = [];
  const levels = scheme[dimension];
  const label = dimensionLabel(dimension);
  if (levels.length === 0) errors.push({ path: dimension, message: `${label} needs at least one level` });
  const seen = new Set<string>();
  levels.forEach((level, i) => {
    const path = `${dimension}[${i}].id`;
    if (level.id.trim() === "") {
      errors.push({ path, message: `${label} level ${levelName(level, i)} needs an id` });
    } else if (RESERVED_IDS.has(level.id)) {
      errors.push({ path, message: `"${level.id}" is a deck card and cannot be used as a ${label} level id` });
    } else if (seen.has(level.id)) {
      errors.push({ path, message: `${label} has two levels with the id "${level.id}"` });
    }
    seen.add(level.id);
  });
  return errors;
}

function validateBase(scheme: SizingScheme): SchemeError[] {
  const { base, intensity, autonomy } = scheme;
  if (base.length !== intensity.length) {
    return [
      {
        path: "base",
        message: `The cost table needs one row per model intensity level (${intensity.length}), but has ${base.length}`,
      },
    ];
  }
  const errors: SchemeError[] = [];
  base.forEach((row, i) => {
    if (row.length !== autonomy.length) {
      errors.push({
        path: `base[${i}]`,
        message: `The ${levelName(intensity[i], i)} row needs one cost per autonomy level (${autonomy.length}), but has ${row.length}`,
      });
    }
  });
  if (errors.length > 0) return errors;

  const cellName = (i: number, j: number) => `${levelName(intensity[i], i)} × ${levelName(autonomy[j], j)}`;
  base.forEach((row, i) =>
    row.forEach((cost, j) => {
      const path = `base[${i}][${j}]`;
      if (!isPositiveNumber(cost)) {
        errors.push({ path, message: `${cellName(i, j)} must be a number of credits above 0` });
        return;
      }
      // Costs may not fall as a dimension rises; otherwise raising a card could shrink the estimate.
      const above = base[i - 1]?.[j];
      if (isPositiveNumber(above) && cost < above) {
        errors.push({
          path,
          message: `${cellName(i, j)} (${cost}) must not cost less than ${cellName(i - 1, j)} (${above})`,
        });
      }
      const left = row[j - 1];
      if (isPositiveNumber(left) && cost < left) {
        errors.push({
          path,
          message: `${cellName(i, j)} (${cost}) must not cost less than ${cellName(i, j - 1)} (${left})`,
        });
      }
    }),
  );
  return errors;
}

function validateMultipliers(scheme: SizingScheme): SchemeError[] {
  const { p80Multiplier: multipliers, risk } = scheme;
  if (multipliers.length !== risk.length) {
    return [
      {
        path: "p80Multiplier",
        message: `Each budget risk level needs one p80 multiplier (${risk.length}), but there are ${multipliers.length}`,
      },
    ];
  }
  return multipliers.flatMap((m, i) =>
    // Below 1 the p80 would be under the expected value, which a p80 never is.
    typeof m === "number" && Number.isFinite(m) && m >= 1
      ? []
      : [
          {
            path: `p80Multiplier[${i}]`,
            message: `The p80 multiplier for ${levelName(risk[i], i)} risk must be 1 or more`,
          },
        ],
  );
}

/** Far enough either way for any real team; beyond it the factor is a typo, not a calibration. */
const RISK_MEDIAN_RANGE = { min: 0.1, max: 10 };

function validateRiskMedians(scheme: SizingScheme): SchemeError[] {
  const { riskMedian: factors, risk } = scheme;
  if (factors === undefined) return [];
  if (factors.length !== risk.length) {
    return [
      {
        path: "riskMedian",
        message: `Each budget risk level needs one median factor (${risk.length}), but there are ${factors.length}`,
      },
    ];
  }
  return factors.flatMap((f, i) =>
    typeof f === "number" && Number.isFinite(f) && f >= RISK_MEDIAN_RANGE.min && f <= RISK_MEDIAN_RANGE.max
      ? []
      : [
          {
            path: `riskMedian[${i}]`,
            message: `The median factor for ${levelName(risk[i], i)} risk must be between ${RISK_MEDIAN_RANGE.min} and ${RISK_MEDIAN_RANGE.max}`,
          },
        ],
  );
}

function validateBands(scheme: SizingScheme): SchemeError[] {
  const { bands } = scheme;
  if (bands.length === 0) return [{ path: "bands", message: "Add at least one size band" }];
  const errors: SchemeError[] = [];
  const labels = new Set<string>();
  bands.forEach((band, i) => {
    const name = bandName(band, i);
    const label = band.label.trim();
    if (label === "") errors.push({ path: `bands[${i}].label`, message: `Band ${name} needs a label` });
    else if (labels.has(label))
      errors.push({ path: `bands[${i}].label`, message: `Two bands are labelled "${label}"` });
    labels.add(label);

    const lowOk = typeof band.low === "number" && Number.isFinite(band.low) && band.low >= 0;
    if (!lowOk) {
      errors.push({ path: `bands[${i}].low`, message: `Band ${name} must start at a number of credits, 0 or more` });
    } else if (i === 0 && band.low !== 0) {
      errors.push({ path: "bands[0].low", message: `The first band (${name}) must start at 0 credits` });
    }
    const previous = bands[i - 1];
    if (lowOk && previous && typeof previous.high === "number" && band.low !== previous.high) {
      errors.push({
        path: `bands[${i}].low`,
        message: `Band ${name} must start where band ${bandName(previous, i - 1)} ends (${previous.high})`,
      });
    }

    const isLast = i === bands.length - 1;
    if (isLast && band.high !== null) {
      errors.push({
        path: `bands[${i}].high`,
        message: `The last band (${name}) must be open-ended, with no upper limit`,
      });
    } else if (!isLast && band.high === null) {
      errors.push({
        path: `bands[${i}].high`,
        message: `Only the last band can be open-ended; give band ${name} an upper limit`,
      });
    } else if (band.high !== null && !Number.isFinite(band.high)) {
      errors.push({ path: `bands[${i}].high`, message: `Band ${name} must end at a number of credits` });
    } else if (band.high !== null && lowOk && band.high <= band.low) {
      errors.push({ path: `bands[${i}].high`, message: `Band ${name} must end above where it starts (${band.low})` });
    }
  });
  return errors;
}

/** Every problem with a scheme, in editor order; empty when the scheme is usable. */
export function validateScheme(scheme: SizingScheme): SchemeError[] {
  return [
    ...DIMENSION_IDS.flatMap((d) => validateLevels(scheme, d)),
    ...validateBase(scheme),
    ...validateMultipliers(scheme),
    ...validateRiskMedians(scheme),
    ...validateBands(scheme),
  ];
}
