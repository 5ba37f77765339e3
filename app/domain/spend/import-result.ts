// What one import reports, the same for the page, the CLI's `--json` line and the API's answer.
// Pure: the model fills it in, this file says how it is rounded and printed.

import type { ParseIssue } from "~/domain/spend/entry";

/** Errors listed per file (the header is line 1); the count of bad lines is always complete. */
export const MAX_LISTED_ERRORS = 20;

/** Why a line of a file that went in was left out. */
export type SkippedKind = "unreadable" | "not-spend";

export interface SkippedLineReport {
  line: number;
  kind: SkippedKind;
  reason: string;
}

/**
 * Per file, what a person checks before trusting the figures: the lines left out (listed up to
 * MAX_LISTED_ERRORS, always fully counted), and which models were priced from the file's own cost,
 * from the rate card, or not at all. Structured, so the page, the CLI's `--json` and the API show
 * the same thing without parsing warning sentences.
 */
export interface ImportDetails {
  skipped: { count: number; lines: SkippedLineReport[] };
  pricedFromFile: string[];
  pricedFromRateCard: string[];
}

export const NO_DETAILS: ImportDetails = {
  skipped: { count: 0, lines: [] },
  pricedFromFile: [],
  pricedFromRateCard: [],
};

/**
 * The two capped lists of left-out lines (each in line order, each up to the cap), merged into one
 * list in line order, cut to the cap: since each holds its own first lines, the merge holds the
 * file's first left-out lines.
 */
export function mergeSkipped(
  unreadable: readonly { line: number; reason: string }[],
  notSpend: readonly { line: number; reason: string }[],
  count: number,
): ImportDetails["skipped"] {
  const lines: SkippedLineReport[] = [
    ...unreadable.map((e) => ({ line: e.line, kind: "unreadable" as const, reason: e.reason })),
    ...notSpend.map((e) => ({ line: e.line, kind: "not-spend" as const, reason: e.reason })),
  ].sort((a, b) => a.line - b.line);
  return { count, lines: lines.slice(0, MAX_LISTED_ERRORS) };
}

/** Details as stored (rows written before they were kept, or by hand, may lack parts). */
export function readDetails(stored: unknown): ImportDetails {
  const value = (stored ?? {}) as Partial<ImportDetails>;
  const strings = (list: unknown) =>
    Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
  const skipped = value.skipped;
  return {
    skipped: {
      count: typeof skipped?.count === "number" ? skipped.count : 0,
      lines: Array.isArray(skipped?.lines) ? skipped.lines : [],
    },
    pricedFromFile: strings(value.pricedFromFile),
    pricedFromRateCard: strings(value.pricedFromRateCard),
  };
}

export interface ImportSummary extends ImportDetails {
  file: string;
  /** The format read (given or detected); null when the file was not recognised. */
  format: string | null;
  /** Entries the file yields: imported + updated + duplicates + overlapping + rejected. */
  rows: number;
  imported: number;
  /** Aggregated rows (Copilot, ccusage) whose key existed with other values: replaced. */
  updated: number;
  /** Already there with the same values (or repeated within the file). */
  duplicates: number;
  /** Share a session with another source's entries: not added (the first source wins). */
  overlapping: number;
  /** Bad lines; all rows when the file as a whole was rejected. */
  rejected: number;
  /** Imported entries with no story key and no session mapping. */
  unattributed: number;
  /** Imported or updated entries whose model is not on the rate card (tokens kept). */
  unpriced: number;
  /** Credits of the entries this run imported or updated. */
  credits: number;
  /** Those credits by the story key found in the data, whether or not the story exists yet. */
  byStoryKey: Record<string, number>;
  /** Models of the imported or updated entries the rate card does not know: kept unpriced. */
  unpricedModels: string[];
  /** Why the file was rejected, or (when it went in) its unreadable lines; the header is line 1. */
  errors: ParseIssue[];
}

export interface ImportResult extends ImportSummary {
  importId: number | null;
  status: "imported" | "rejected";
  /** What the file as a whole holds or risks (a blocks report, another path for the same days). */
  notes: string[];
  /** The notes, then the details in words: what the API and the CLI's stderr carry. */
  warnings: string[];
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/**
 * The details in sentences, for readers of `warnings` (API clients, the CLI's stderr). A Copilot
 * report always prices itself, so saying so would only be noise.
 */
export function describeDetails(
  s: Pick<
    ImportSummary,
    "format" | "rejected" | "skipped" | "pricedFromFile" | "pricedFromRateCard" | "unpriced" | "unpricedModels"
  >,
): string[] {
  const sentences: string[] = [];
  const listed = (kind: SkippedKind, max: number) =>
    s.skipped.lines
      .filter((l) => l.kind === kind)
      .slice(0, max)
      .map((l) => `line ${l.line}: ${l.reason}`)
      .join("; ");
  // `skipped` counts both kinds, `rejected` the unreadable ones. Imports logged before the details
  // were kept have `rejected` but an empty `skipped`: their warnings already say it in words.
  const unreadable = Math.min(s.rejected, s.skipped.count);
  if (unreadable > 0) {
    sentences.push(
      `${unreadable} unreadable line${plural(unreadable, " was", "s were")} skipped ` +
        `(${listed("unreadable", 5)}${unreadable > 5 ? "; …" : ""}).`,
    );
  }
  const notSpend = s.skipped.count - unreadable;
  if (notSpend > 0) {
    sentences.push(
      `${notSpend} line${plural(notSpend, " was", "s were")} not spend and ${plural(notSpend, "was", "were")} left out ` +
        `(${listed("not-spend", 3)}${notSpend > 3 ? "; …" : ""}).`,
    );
  }
  const copilot = s.format === "copilot-usage" || s.format === "copilot-premium";
  if (!copilot && s.pricedFromFile.length > 0) {
    sentences.push(`Priced from the file's own cost: ${s.pricedFromFile.join(", ")}.`);
  }
  if (!copilot && s.pricedFromRateCard.length > 0) {
    sentences.push(`Priced from the rate card: ${s.pricedFromRateCard.join(", ")}.`);
  }
  if (s.unpricedModels.length > 0) {
    sentences.push(
      `${s.unpriced} ${plural(s.unpriced, "entry uses a model", "entries use models")} not on the rate card ` +
        `(${s.unpricedModels.join(", ")}): their tokens are kept, and they are priced as soon as the model is added to the rate card.`,
    );
  }
  return sentences;
}

export function round4(value: number): number {
  const rounded = Number(value.toFixed(4));
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** The CLI's one JSON line per file: exactly these keys, in this order, credits to 4 decimals. */
export function summaryJson(summary: ImportSummary): string {
  const byStoryKey: Record<string, number> = {};
  for (const key of Object.keys(summary.byStoryKey).sort()) byStoryKey[key] = round4(summary.byStoryKey[key] ?? 0);
  return JSON.stringify({
    file: summary.file,
    format: summary.format,
    rows: summary.rows,
    imported: summary.imported,
    updated: summary.updated,
    duplicates: summary.duplicates,
    overlapping: summary.overlapping,
    rejected: summary.rejected,
    unattributed: summary.unattributed,
    unpriced: summary.unpriced,
    credits: round4(summary.credits),
    byStoryKey,
    skipped: {
      count: summary.skipped.count,
      lines: summary.skipped.lines.map((s) => ({ line: s.line, kind: s.kind, reason: s.reason })),
    },
    pricedFromFile: summary.pricedFromFile,
    pricedFromRateCard: summary.pricedFromRateCard,
    unpricedModels: summary.unpricedModels,
    errors: summary.errors.map((e) => ({ line: e.line, reason: e.reason })),
  });
}

/** One line for people: "4 imported · 1 updated · 2 duplicates …", leaving out zeros. */
export function describeCounts(
  s: Pick<ImportSummary, "imported" | "updated" | "duplicates" | "overlapping" | "rejected">,
): string {
  const parts: [number, string, string][] = [
    [s.imported, "imported", "imported"],
    [s.updated, "updated", "updated"],
    [s.duplicates, "duplicate", "duplicates"],
    [s.overlapping, "overlapping", "overlapping"],
    [s.rejected, "rejected", "rejected"],
  ];
  const shown = parts
    .filter(([n]) => n > 0)
    .map(([n, one, many]) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`);
  return shown.length ? shown.join(" · ") : "nothing to import";
}
