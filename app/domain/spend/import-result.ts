// What one import reports, the same for the page, the CLI's `--json` line and the API's answer.
// Pure: the model fills it in, this file says how it is rounded and printed.

import type { ParseIssue } from "~/domain/spend/entry";

/** Errors listed per file (the header is line 1); the count of bad lines is always complete. */
export const MAX_LISTED_ERRORS = 20;

export interface ImportSummary {
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
  errors: ParseIssue[];
}

export interface ImportResult extends ImportSummary {
  importId: number | null;
  status: "imported" | "rejected";
  unpricedModels: string[];
  warnings: string[];
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
