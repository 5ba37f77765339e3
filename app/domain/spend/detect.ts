// Which spend format a file is, from its first bytes: JSON documents and JSONL logs by their first
// object, CSV files by their header names (and, for Copilot, the first row's unit).

import type { FormatName } from "~/domain/spend/entry";
import { mappingProblem, resolveMapping } from "~/domain/spend/generic-csv";
import { guessDelimiter, splitCsvLine } from "~/domain/spend/csv-records";
import { headerIndex, isRecord } from "~/domain/spend/field-readers";

const CCUSAGE_KEYS = ["sessions", "daily", "weekly", "monthly", "blocks", "projects", "totals", "modelBreakdowns"];
const CCUSAGE_TYPES = ["daily", "weekly", "monthly", "session", "blocks"];

/** LiteLLM's `/spend/logs` rows (request_id + spend) or `/global/spend/logs` days (date + spend). */
function looksLikeLitellmJson(head: string): boolean {
  const firstObject = head.slice(0, 4096);
  if (/"request_id"\s*:/.test(firstObject) && /"(?:spend|startTime)"\s*:/.test(firstObject)) return true;
  return /^\[\s*\{\s*"date"\s*:\s*"[^"]*"\s*,\s*"spend"\s*:/.test(head);
}
const CLAUDE_KEYS = ["sessionId", "uuid", "parentUuid", "leafUuid", "message", "requestId", "isSidechain"];

/** The first lines of `head` (up to `count`), without line breaks. */
function firstLines(head: string, count: number): string[] {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < count && start < head.length) {
    const end = head.indexOf("\n", start);
    const line = head.slice(start, end === -1 ? head.length : end).replace(/\r$/, "");
    if (line.trim() !== "") lines.push(line);
    if (end === -1) break;
    start = end + 1;
  }
  return lines;
}

function detectJson(head: string): FormatName | null {
  const first = firstLines(head, 1)[0] ?? "";
  let firstValue: unknown;
  try {
    firstValue = JSON.parse(first);
  } catch {
    firstValue = undefined;
  }
  if (looksLikeLitellmJson(head)) return "litellm";
  if (Array.isArray(firstValue)) return "ccusage";
  if (isRecord(firstValue)) {
    // The documented envelope: { "type": "daily", "data": [...], "summary": {...} }.
    if (typeof firstValue.type === "string" && CCUSAGE_TYPES.includes(firstValue.type) && "data" in firstValue) {
      return "ccusage";
    }
    if (CCUSAGE_KEYS.some((key) => key in firstValue)) return "ccusage";
    if (typeof firstValue.type === "string" || CLAUDE_KEYS.some((key) => key in firstValue)) return "claude-jsonl";
    return null;
  }
  // The first line is not a whole value: a pretty-printed or single-line document cut by the head.
  if (head.startsWith("[")) return "ccusage";
  if (/^\{\s*"type"\s*:\s*"(?:daily|weekly|monthly|session|blocks)"/.test(head)) return "ccusage";
  if (/^\{\s*"(?:sessions|daily|weekly|monthly|blocks|projects|session|entries|data)"\s*:/.test(head)) {
    return "ccusage";
  }
  // A pretty-printed document (a lone "{" on its first line) is never a transcript, whose lines are
  // whole objects: `ccusage session --id … --json` starts `{\n  "sessionId": …`.
  if (/^\{[ \t]*\r?\n/.test(head) && /"(?:entries|totalCost|totalTokens|modelBreakdowns)"\s*:/.test(head)) {
    return "ccusage";
  }
  if (/^\{\s*"(?:type|parentUuid|isSidechain|userType|cwd|sessionId|uuid|leafUuid|summary)"\s*:/.test(head)) {
    return "claude-jsonl";
  }
  if (/"modelBreakdowns"\s*:|"totalCost"\s*:/.test(head)) return "ccusage";
  return null;
}

function detectCsv(head: string): FormatName | null {
  const [headerLine, firstRow] = firstLines(head, 2);
  if (!headerLine) return null;
  const delimiter = guessDelimiter(headerLine);
  const header = splitCsvLine(headerLine, delimiter);
  if (header.length < 2) return null;
  const columns = headerIndex(header);
  const has = (...names: string[]) => names.some((name) => columns.has(name));

  if (has("quantity") && has("unittype") && has("date", "usagedate")) {
    if (has("exceedsquota", "exceedsmonthlyquota")) return "copilot-premium";
    if (has("aicquantity", "aicgrossamount", "cacheread", "cachewrite")) return "copilot-usage";
    const unitColumn = columns.get("unittype");
    if (firstRow !== undefined && unitColumn !== undefined) {
      const unit = (splitCsvLine(firstRow, delimiter)[unitColumn] ?? "").toLowerCase();
      if (unit.startsWith("request")) return "copilot-premium";
      if (unit.includes("credit")) return "copilot-usage";
    }
    return has("repository") ? "copilot-usage" : "copilot-premium";
  }
  // A daily premium-request report without a unit column (`date, username, model, quantity,
  // exceeds_quota, total_monthly_quota`): GitHub's tooling and the report viewer read it as requests.
  if (has("quantity") && has("date") && has("exceedsquota") && has("model")) return "copilot-premium";
  // The legacy "premium request analytics" CSV: Timestamp, User, Model, Requests Used, ….
  if (has("timestamp") && has("requestsused")) return "copilot-premium";
  if (has("requestid") && (has("spend") || (has("starttime") && has("model")))) return "litellm";
  const { columns: mapped } = resolveMapping(header, undefined);
  if (mappingProblem(mapped) === null) return "generic-csv";
  return null;
}

/**
 * The format of a spend file from its beginning (a few KB, ideally at least two lines), or null when
 * it is none of the known ones. A leading byte-order mark and blank lines are ignored.
 */
export function detectFormat(head: string): FormatName | null {
  const text = head.replace(/^\uFEFF/, "").replace(/^\s+/, "");
  if (text === "") return null;
  // Binary files: NULs or lots of replacement characters in the first KB.
  const sample = text.slice(0, 1024);
  if (sample.includes("\u0000") || (sample.match(/\uFFFD/g)?.length ?? 0) > 8) return null;
  if (text.startsWith("{") || text.startsWith("[")) return detectJson(text);
  return detectCsv(text);
}
