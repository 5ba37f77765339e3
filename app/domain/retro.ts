// The retrospective's rows and what is read off them: one row per story committed to a sprint with
// its frozen estimate and its actual spend, the table's URL state (sort and filters), the CSV
// export, per-sprint trends, the distribution of actuals per size and the dashboard headline.
// Pure: the model hands in plain rows (spend already summed per story in SQL), the route renders.
// The table and the CSV read the same rows through `retroCsvValues`, so they cannot disagree.

import { z } from "zod";
import { BlockText, Id, queryFlag, queryText, sortParam } from "~/domain/form-fields";
import {
  csvCell,
  describeRatio,
  formatCsvNumber,
  median,
  quantiles,
  storyDrift,
  summarizeDrift,
  type DriftStoryInput,
  type DriftSummary,
  type StoryDrift,
} from "~/domain/drift";
import { CAUSE_TAGS } from "~/domain/outcome";
import { DIMENSIONS, type DimensionId, type SizingScheme } from "~/domain/sizing-scheme";

export interface RetroLevels {
  intensity: string;
  autonomy: string;
  risk: string;
}

export interface RetroNote {
  bought: string;
  reviewBurden: string;
  causeTags: string[];
  note: string;
  updatedAt: string;
}

/** A committed story as the retrospective reads it (estimate as committed, spend as summed). */
export interface RetroStory {
  storyId: number;
  key: string | null;
  title: string;
  /** done / carried / returned once the sprint closed; null while it is open. */
  outcome: "done" | "carried" | "returned" | null;
  levels: RetroLevels | null;
  size: string | null;
  expected: number | null;
  p80: number | null;
  bandLow: number | null;
  bandHigh: number | null;
  schemeVersion: number | null;
  /** Sum of the priced credits attributed to the story; null when nothing priced was attributed. */
  actual: number | null;
  /** Attributed entries, and how many of them are unpriced (their credits are unknown). */
  entries: number;
  unpriced: number;
}

export interface RetroRow extends RetroStory {
  drift: StoryDrift;
}

export function driftInput(s: RetroStory): DriftStoryInput {
  return {
    expected: s.expected,
    p80: s.p80,
    bandLow: s.bandLow,
    bandHigh: s.bandHigh,
    actual: s.actual,
    levels: {
      intensity: s.levels?.intensity ?? null,
      autonomy: s.levels?.autonomy ?? null,
      risk: s.levels?.risk ?? null,
    },
    size: s.size,
  };
}

/** Natural order ("PAY-9" before "PAY-10"); stories without a key come after keyed ones. */
const collator = new Intl.Collator("en", { numeric: true, sensitivity: "variant" });

export function compareKeyTitle(
  a: Pick<RetroStory, "key" | "title" | "storyId">,
  b: Pick<RetroStory, "key" | "title" | "storyId">,
): number {
  if (a.key !== b.key) {
    if (a.key === null) return 1;
    if (b.key === null) return -1;
    const byKey = collator.compare(a.key, b.key);
    if (byKey !== 0) return byKey;
  }
  return collator.compare(a.title, b.title) || a.storyId - b.storyId;
}

/** The rows in the canonical order (key, then title): the CSV's order and the table's default. */
export function retroRows(stories: readonly RetroStory[]): RetroRow[] {
  return stories.map((s) => ({ ...s, drift: storyDrift(driftInput(s)) })).sort(compareKeyTitle);
}

// ---------------------------------------------------------------------------------------------
// Summary and breakdowns

export interface RetroSummary extends DriftSummary {
  /** Stories with attributed entries none of which could be priced yet. */
  unpricedOnly: number;
  /** Stories with some unpriced entries (their actual is a lower bound). */
  withUnpriced: number;
}

/** The drift summary, with breakdown groups in the scheme's level and band order. */
export function summarizeRetro(rows: readonly RetroRow[], scheme: SizingScheme | null): RetroSummary {
  const order = (d: DimensionId | "size") =>
    scheme ? (d === "size" ? scheme.bands.map((b) => b.label) : scheme[d].map((l) => l.id)) : [];
  // Each row carries its drift already: the summary and its breakdowns reuse it.
  const summary = summarizeDrift(rows.map(driftInput), { drifts: rows.map((r) => r.drift), order });
  return {
    ...summary,
    unpricedOnly: rows.filter((r) => r.actual === null && r.entries > 0).length,
    withUnpriced: rows.filter((r) => r.unpriced > 0).length,
  };
}

/** "the middle half of stories spans 2.8×" from the IQR of log2(ratio). */
export function describeSpread(log2Iqr: number | null): string | null {
  if (log2Iqr === null) return null;
  const factor = 2 ** log2Iqr;
  return `the middle half of stories spans ${factor >= 10 ? Math.round(factor) : formatCsvNumber(Math.round(factor * 10) / 10)}×`;
}

/** Outliers (more than 2× off either way), furthest off first. */
export function outlierRows(rows: readonly RetroRow[]): RetroRow[] {
  return rows
    .filter((r) => r.drift.outlier === true)
    .sort((a, b) => Math.abs(b.drift.log2Ratio ?? 0) - Math.abs(a.drift.log2Ratio ?? 0) || compareKeyTitle(a, b));
}

// ---------------------------------------------------------------------------------------------
// Table state in the URL: whitelisted sort columns, filters that fall back instead of failing.

export const RETRO_SORTS = [
  "key",
  "title",
  "size",
  "intensity",
  "autonomy",
  "risk",
  "expected",
  "actual",
  "ratio",
  "inBand",
] as const;
export type RetroSort = (typeof RETRO_SORTS)[number];
export const BAND_FILTERS = ["in", "out", "unknown"] as const;
export const MISSING_FILTERS = ["estimate", "spend"] as const;

const optionalText = queryText;

export const RetroQuerySchema = z.object({
  sort: sortParam(RETRO_SORTS),
  q: optionalText(100),
  size: optionalText(20),
  level: z
    .string()
    .optional()
    .transform((v) => {
      const [dimension, level] = (v ?? "").split(":");
      return dimension && level && DIMENSIONS.some((d) => d.id === dimension)
        ? { dimension: dimension as DimensionId, level }
        : null;
    })
    .catch(null),
  band: z.enum(BAND_FILTERS).optional().catch(undefined),
  missing: z.enum(MISSING_FILTERS).optional().catch(undefined),
  outliers: queryFlag,
});

export type RetroQuery = z.infer<typeof RetroQuerySchema>;

export function parseRetroQuery(params: URLSearchParams): RetroQuery {
  return RetroQuerySchema.parse(Object.fromEntries(params));
}

export function isFiltered(q: RetroQuery): boolean {
  return Boolean(q.q || q.size || q.level || q.band || q.missing || q.outliers);
}

/** Level and band order for sorting: by the scheme's order, unknown ids after known ones. */
export interface RetroOrder {
  levels: Record<DimensionId, readonly string[]>;
}

export function schemeOrder(scheme: SizingScheme | null): RetroOrder {
  return {
    levels: {
      intensity: scheme?.intensity.map((l) => l.id) ?? [],
      autonomy: scheme?.autonomy.map((l) => l.id) ?? [],
      risk: scheme?.risk.map((l) => l.id) ?? [],
    },
  };
}

export function applyRetroQuery(rows: readonly RetroRow[], q: RetroQuery, order: RetroOrder): RetroRow[] {
  const needle = q.q?.toLowerCase();
  const filtered = rows.filter((r) => {
    if (needle && !`${r.key ?? ""} ${r.title}`.toLowerCase().includes(needle)) return false;
    if (q.size && (q.size === "none" ? r.size !== null : r.size !== q.size)) return false;
    if (q.level && r.levels?.[q.level.dimension] !== q.level.level) return false;
    if (q.band === "in" && r.drift.inBand !== true) return false;
    if (q.band === "out" && r.drift.inBand !== false) return false;
    if (q.band === "unknown" && r.drift.inBand !== null) return false;
    if (q.missing === "estimate" && r.expected !== null) return false;
    if (q.missing === "spend" && r.actual !== null) return false;
    if (q.outliers && r.drift.outlier !== true) return false;
    return true;
  });
  if (!q.sort) return filtered; // already in key/title order
  const { id, desc } = q.sort;
  const levelRank = (d: DimensionId, v: string | undefined) => {
    if (v === undefined) return null;
    const i = order.levels[d].indexOf(v);
    return i === -1 ? order.levels[d].length : i;
  };
  const value = (r: RetroRow): string | number | null => {
    switch (id) {
      case "key":
        return null; // handled by compareKeyTitle below
      case "title":
        return r.title;
      case "size":
        // Sizes sort by where their band starts, so XS < S < M whatever the labels.
        return r.bandLow;
      case "intensity":
      case "autonomy":
      case "risk":
        return levelRank(id, r.levels?.[id]);
      case "expected":
        return r.expected;
      case "actual":
        return r.actual;
      case "ratio":
        return r.drift.ratio;
      case "inBand":
        return r.drift.inBand === null ? null : r.drift.inBand ? 1 : 0;
    }
  };
  const sign = desc ? -1 : 1;
  return [...filtered].sort((a, b) => {
    if (id === "key") return sign * compareKeyTitle(a, b);
    const va = value(a);
    const vb = value(b);
    // Missing values stay at the bottom in either direction: "no estimate" is not "smallest".
    if (va === null || vb === null) return va === vb ? compareKeyTitle(a, b) : va === null ? 1 : -1;
    const c = typeof va === "string" ? collator.compare(va, vb as string) : va - (vb as number);
    return c !== 0 ? sign * c : compareKeyTitle(a, b);
  });
}

// ---------------------------------------------------------------------------------------------
// CSV

export const RETRO_CSV_HEADER =
  "key,title,size,intensity,autonomy,risk,expected_credits,band_low,band_high,actual_credits,ratio,in_band";

export type CsvValue = string | number | boolean | null;

/** One row's values in CSV column order, before escaping. The table shows the same values. */
export function retroCsvValues(r: RetroRow): CsvValue[] {
  const estimated = r.expected !== null;
  return [
    r.key,
    r.title,
    r.size,
    r.levels?.intensity ?? null,
    r.levels?.autonomy ?? null,
    r.levels?.risk ?? null,
    r.expected,
    estimated ? r.bandLow : null,
    // Half-open [low, high); the open top band has no high edge.
    estimated ? r.bandHigh : null,
    r.actual,
    r.drift.ratio,
    r.drift.inBand,
  ];
}

/**
 * The export: UTF-8 without a byte-order mark (the caller encodes), CRLF line ends as RFC 4180
 * asks, one row per committed story in key/title order whatever the table's sort or filters.
 */
export function retroCsv(rows: readonly RetroRow[]): string {
  const lines = [RETRO_CSV_HEADER];
  for (const r of [...rows].sort(compareKeyTitle)) lines.push(retroCsvValues(r).map(csvCell).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** The CSV's text for one value (numbers ≤ 4 decimals, booleans true/false, empty for none). */
export function csvText(value: CsvValue): string {
  if (value === null) return "";
  if (typeof value === "number") return formatCsvNumber(value);
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Inspection notes: cause tags. The retrospective asks with the six causes teams name most; the
// note itself is the story's outcome note (story_outcomes), so a story page and the retrospective
// show and edit one note. Ids shared with the outcome form's tags where the meaning is the same.

export const RETRO_CAUSE_TAGS = [
  { id: "unclear-spec", label: "Vague task" },
  { id: "stale-context", label: "Stale context" },
  { id: "model-mismatch", label: "Wrong model" },
  { id: "retries", label: "Retry or CI loops" },
  { id: "scope-grew", label: "Scope grew" },
  { id: "worth-it", label: "Worth it" },
] as const;

export type RetroCauseTagId = (typeof RETRO_CAUSE_TAGS)[number]["id"];

/** Every tag id a note may carry: the retrospective's and the outcome form's. */
export const KNOWN_CAUSE_TAGS: readonly { id: string; label: string }[] = [
  ...RETRO_CAUSE_TAGS,
  ...CAUSE_TAGS.filter((t) => !RETRO_CAUSE_TAGS.some((r) => r.id === t.id)),
];

export function causeTagLabel(id: string): string {
  return KNOWN_CAUSE_TAGS.find((t) => t.id === id)?.label ?? id;
}

const KNOWN_TAG_IDS = KNOWN_CAUSE_TAGS.map((t) => t.id) as [string, ...string[]];
const asArray = (value: unknown) => (value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value]);

export const RetroNoteSchema = z.object({
  storyId: Id,
  bought: BlockText.min(
    1,
    "Say in a sentence what the spend bought (a merged PR, a spike's answer, nothing usable…).",
  ).max(2000, "Keep it under 2,000 characters."),
  reviewBurden: z.enum(["none", "light", "moderate", "heavy"], { message: "Pick how heavy the review was." }),
  causeTags: z.preprocess(
    asArray,
    z
      .array(z.enum(KNOWN_TAG_IDS))
      .max(KNOWN_TAG_IDS.length)
      .transform((tags) => [...new Set(tags)]),
  ),
  note: BlockText.max(2000, "Keep the note under 2,000 characters.").default(""),
});

export type RetroNoteInput = z.infer<typeof RetroNoteSchema>;

/** An outlier names why it drifted ("worth it" counts: it says the drift was fine). */
export function retroNoteProblems(input: RetroNoteInput, outlier: boolean): Record<string, string> {
  return outlier && input.causeTags.length === 0 ? { causeTags: "Pick at least one cause, or “Worth it”." } : {};
}

// ---------------------------------------------------------------------------------------------
// Across sprints

export interface SprintTrend {
  sprintId: number;
  name: string;
  end: string;
  stories: number;
  compared: number;
  hitRate: number | null;
  p80Coverage: number | null;
  /** Median log2(actual / expected): 0 = unbiased, 1 = typically 2× over, −1 = half. */
  bias: number | null;
  medianRatio: number | null;
}

export function sprintTrend(sprint: { id: number; name: string; end: string }, rows: readonly RetroRow[]): SprintTrend {
  const summary = summarizeDrift(rows.map(driftInput), { drifts: rows.map((r) => r.drift) });
  const logs = rows.flatMap((r) => (r.drift.log2Ratio === null ? [] : [r.drift.log2Ratio]));
  return {
    sprintId: sprint.id,
    name: sprint.name,
    end: sprint.end,
    stories: summary.stories,
    compared: summary.compared,
    hitRate: summary.hitRate,
    p80Coverage: summary.p80Coverage,
    bias: median(logs),
    medianRatio: summary.medianRatio,
  };
}

export interface SizeDistribution {
  size: string;
  /** Stories of this size with a measured actual. */
  n: number;
  min: number | null;
  q1: number | null;
  median: number | null;
  q3: number | null;
  max: number | null;
  bandLow: number | null;
  bandHigh: number | null;
}

/** Five-number summary of actual credits per size, in band order (sizes without data kept). */
export function sizeDistribution(
  rows: readonly RetroRow[],
  bands: readonly { label: string; low: number; high: number | null }[],
): SizeDistribution[] {
  const labels = [
    ...bands.map((b) => b.label),
    ...new Set(rows.flatMap((r) => (r.size && !bands.some((b) => b.label === r.size) ? [r.size] : []))),
  ];
  return labels.map((size) => {
    const actuals = rows.flatMap((r) => (r.size === size && r.actual !== null ? [r.actual] : []));
    const band = bands.find((b) => b.label === size);
    const [q1, med, q3] = quantiles(actuals, [0.25, 0.5, 0.75]);
    return {
      size,
      n: actuals.length,
      min: actuals.length ? Math.min(...actuals) : null,
      q1: q1!,
      median: med!,
      q3: q3!,
      max: actuals.length ? Math.max(...actuals) : null,
      bandLow: band?.low ?? null,
      bandHigh: band?.high ?? null,
    };
  });
}

export interface DriftHeadline {
  sprintId: number;
  name: string;
  text: string;
  hitRate: number | null;
  compared: number;
}

/** "Sprint 14: actual spend ran 1.4× the estimate; 62 % in band". */
export function driftHeadline(sprint: { id: number; name: string }, rows: readonly RetroRow[]): DriftHeadline {
  const s = summarizeDrift(rows.map(driftInput), { drifts: rows.map((r) => r.drift) });
  const parts = [s.medianRatioWords ?? "no story has both an estimate and a spend yet"];
  if (s.hitRate !== null) parts.push(`${Math.round(s.hitRate * 100)} % in band`);
  return {
    sprintId: sprint.id,
    name: sprint.name,
    text: `${sprint.name}: ${parts.join("; ")}`,
    hitRate: s.hitRate,
    compared: s.compared,
  };
}

/** Percent for display: 0.615 → "62 %"; null → "—". */
export function formatShare(share: number | null): string {
  return share === null ? "—" : `${Math.round(share * 100)} %`;
}

/** Bias in plain words for a trend row. */
export function describeBias(bias: number | null): string {
  return bias === null ? "—" : describeRatio(2 ** bias);
}
