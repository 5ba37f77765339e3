// The options of one import, read the same way from the upload form, the API's query string and
// (after the CLI turns its flags into the same names) the command line.

import { FORMAT_NAMES, type FormatName } from "~/domain/spend/entry";
import { parseMappingSpec } from "~/domain/spend/mapping-spec";
import type { GenericMapping } from "~/domain/spend/parse-context";

export interface ImportOptions {
  format: FormatName | undefined;
  skipInvalid: boolean;
  mapping: GenericMapping | undefined;
}

const TRUE = new Set(["1", "on", "true", "yes"]);

/** `format` ("auto" or empty = detect), `skipInvalid` (a checkbox or 1/true), `map` (field=Column,…). */
export function readImportOptions(
  params: URLSearchParams,
): { ok: true; options: ImportOptions } | { ok: false; error: string } {
  const format = (params.get("format") ?? "").trim();
  if (format !== "" && format !== "auto" && !(FORMAT_NAMES as readonly string[]).includes(format)) {
    return {
      ok: false,
      error: `Unknown format "${format.slice(0, 40)}": use one of ${FORMAT_NAMES.join(", ")}, or leave it to detection.`,
    };
  }
  const { mapping, problems } = parseMappingSpec(params.get("map"));
  if (problems.length > 0) return { ok: false, error: `Column mapping: ${problems.join("; ")}` };
  return {
    ok: true,
    options: {
      format: format === "" || format === "auto" ? undefined : (format as FormatName),
      skipInvalid: TRUE.has((params.get("skipInvalid") ?? "").toLowerCase()),
      mapping,
    },
  };
}

/** What each format is, for the format select and the docs. */
export const FORMAT_LABELS: Record<FormatName, string> = {
  "copilot-usage": "GitHub Copilot AI usage report (CSV)",
  "copilot-premium": "GitHub Copilot premium requests (CSV, before 2026-06)",
  "claude-jsonl": "Claude Code session log (JSONL)",
  ccusage: "ccusage session/daily report (JSON)",
  litellm: "LiteLLM spend logs (CSV)",
  "generic-csv": "Your own CSV (column mapping)",
};
