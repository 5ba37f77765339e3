// The one entry point for spend files: chunks in (a Node stream, a web stream, strings, bytes),
// events out — the format, then entries, issues and skipped lines in file order. Streaming: only
// the first few KB are held for detection (and ccusage's small JSON summaries are buffered whole,
// up to a cap). Malformed input never throws: every problem becomes an issue naming its line.
// Whether one issue rejects the whole import (atomic) is the caller's decision.

import { parseCcusage } from "~/domain/spend/ccusage";
import { parseClaudeJsonl } from "~/domain/spend/claude-jsonl";
import { parseCopilot } from "~/domain/spend/copilot";
import { guessDelimiter } from "~/domain/spend/csv-records";
import { detectFormat } from "~/domain/spend/detect";
import type { FormatEvent, FormatName, ParseEvent, ParseIssue, SkippedLine, SpendEntry } from "~/domain/spend/entry";
import { isFormatName } from "~/domain/spend/entry";
import { parseGenericCsv } from "~/domain/spend/generic-csv";
import { parseLitellm } from "~/domain/spend/litellm";
import type { ParseContext, ParseSpendOptions } from "~/domain/spend/parse-context";
import { DEFAULT_CREDIT_VALUE_USD } from "~/domain/spend/rate-card";
import { InputError, decodeText, type SpendInput } from "~/domain/spend/text-stream";
import { compileKeyPattern, type KeyMatcher } from "~/domain/key-pattern";
import { errorMessage } from "~/domain/spend/field-readers";

export type { ParseSpendOptions, SpendInput };

const PARSERS: Record<FormatName, (text: AsyncIterable<string>, ctx: ParseContext) => AsyncGenerator<FormatEvent>> = {
  "copilot-usage": parseCopilot,
  "copilot-premium": parseCopilot,
  "claude-jsonl": parseClaudeJsonl,
  ccusage: parseCcusage,
  litellm: parseLitellm,
  "generic-csv": parseGenericCsv,
};

/** Detection reads until it has this many characters or three lines, whichever comes first. */
const HEAD_CHARS = 64 * 1024;
const HEAD_LINES = 3;

const DEFAULTS = {
  maxIssues: 100,
  maxJsonChars: 50 * 1024 * 1024,
  maxLineChars: 16 * 1024 * 1024,
};

function issue(line: number, reason: string): ParseEvent {
  return { kind: "issue", issue: { line, reason } };
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

/**
 * Parses a spend file. Yields `{ kind: "format" }` once the format is known (given or detected),
 * then `entry`, `issue` and `skipped` events (duplicates within the file are `skipped` with
 * `duplicateOf`). Errors thrown by the input itself (a failed read) are re-thrown unchanged;
 * nothing about the content throws.
 */
export async function* parseSpend(input: SpendInput, options: ParseSpendOptions): AsyncGenerator<ParseEvent> {
  let keyPattern: KeyMatcher;
  try {
    keyPattern = compileKeyPattern(options.keyPattern);
  } catch (error) {
    yield issue(1, `invalid story key pattern: ${errorMessage(error)}`);
    return;
  }
  const creditValueUsd = options.creditValueUsd ?? options.rateCard?.creditValueUsd ?? DEFAULT_CREDIT_VALUE_USD;
  if (!Number.isFinite(creditValueUsd) || creditValueUsd <= 0) {
    yield issue(1, `invalid credit value: ${creditValueUsd}`);
    return;
  }
  if (options.format !== undefined && !isFormatName(options.format)) {
    yield issue(1, `unknown format ${JSON.stringify(options.format)}`);
    return;
  }
  const maxIssues = options.maxIssues ?? DEFAULTS.maxIssues;

  const iterator = decodeText(input)[Symbol.asyncIterator]();
  let lastLine = 1;
  try {
    const buffered: string[] = [];
    let head = "";
    let newlines = 0;
    let ended = false;
    while (head.length < HEAD_CHARS && newlines < HEAD_LINES) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      buffered.push(next.value);
      head += next.value;
      newlines += countNewlines(next.value);
    }
    if (head.trim() === "") {
      yield issue(1, "the file is empty");
      return;
    }
    // A team's mapping says "this is our CSV" when the header alone does not look like spend.
    const format = options.format ?? detectFormat(head) ?? (options.mapping ? "generic-csv" : null);
    if (format === null) {
      yield issue(
        1,
        "unrecognised file: not a Copilot report, Claude Code log, ccusage JSON, LiteLLM log or spend CSV",
      );
      return;
    }
    yield { kind: "format", format, detected: options.format === undefined };

    const firstLine = head.replace(/^\s+/, "").split("\n", 1)[0] ?? "";
    const ctx: ParseContext = {
      format,
      rateCard: options.rateCard,
      creditValueUsd,
      keyPattern,
      mapping: options.mapping,
      maxJsonChars: options.maxJsonChars ?? DEFAULTS.maxJsonChars,
      maxLineChars: options.maxLineChars ?? DEFAULTS.maxLineChars,
      delimiter: guessDelimiter(firstLine),
    };
    async function* text(): AsyncGenerator<string> {
      yield* buffered;
      buffered.length = 0;
      while (!ended) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    }

    const seen = new Map<string, number>();
    // Ranked entries (copies of a streamed call, written one after another as it grows): a call's copy
    // waits until a line of another call arrives, and the most complete one comes out. A larger copy
    // of a call that came out already (rare) is reported skipped here; an import keeps it (the merge
    // compares ranks in the database).
    let pending: SpendEntry | null = null;
    const emitted = new Map<string, { line: number; rank: string | null | undefined }>();
    const dedupe = options.dedupeWithinFile ?? true;
    let issues = 0;
    for await (const event of PARSERS[format](text(), ctx)) {
      if (event.kind === "entry" && dedupe && event.entry.usageRank != null) {
        const entry = event.entry;
        lastLine = entry.line;
        const out = emitted.get(entry.dedupeKey);
        if (out) {
          const reason = out.rank === entry.usageRank ? DUPLICATE : MORE_COMPLETE;
          yield { kind: "skipped", skipped: { line: entry.line, reason, duplicateOf: out.line } };
          continue;
        }
        if (pending && pending.dedupeKey === entry.dedupeKey) {
          const [winner, loser]: SpendEntry[] = outranks(entry, pending) ? [entry, pending] : [pending, entry];
          pending = winner!;
          const reason = winner!.usageRank === loser!.usageRank ? DUPLICATE : MORE_COMPLETE;
          yield { kind: "skipped", skipped: { line: loser!.line, reason, duplicateOf: winner!.line } };
          continue;
        }
        if (pending) {
          emitted.set(pending.dedupeKey, { line: pending.line, rank: pending.usageRank });
          yield { kind: "entry", entry: pending };
        }
        pending = entry;
        continue;
      }
      if (event.kind === "entry") {
        const { line, dedupeKey } = event.entry;
        lastLine = line;
        if (dedupe) {
          const first = seen.get(dedupeKey);
          if (first !== undefined) {
            yield { kind: "skipped", skipped: { line, reason: DUPLICATE, duplicateOf: first } };
            continue;
          }
          seen.set(dedupeKey, line);
        }
      } else if (event.kind === "issue") {
        lastLine = event.issue.line;
        if (++issues > maxIssues) {
          yield issue(event.issue.line, `too many problems: stopped after ${maxIssues}`);
          return;
        }
      } else if (event.kind === "skipped") {
        lastLine = event.skipped.line;
      }
      yield event;
    }
    if (pending) yield { kind: "entry", entry: pending };
  } catch (error) {
    if (error instanceof InputError) throw error.original;
    // A bug of ours, not the file's: still reported as an issue, so an import fails cleanly.
    yield issue(lastLine, `could not read the file: ${errorMessage(error)}`);
  } finally {
    await iterator.return?.(undefined);
  }
}

const DUPLICATE = "duplicate of an earlier line";
const MORE_COMPLETE = "another copy of the same call (same message and request id) is kept: the most complete one";

/** Whether `candidate` is a more complete copy of the call than `existing` (ties: the earlier line). */
export function outranks(candidate: SpendEntry, existing: SpendEntry): boolean {
  const a = BigInt(candidate.usageRank ?? "0");
  const b = BigInt(existing.usageRank ?? "0");
  return a > b;
}

export interface SpendParseResult {
  format: FormatName | null;
  entries: SpendEntry[];
  issues: ParseIssue[];
  skipped: SkippedLine[];
  notes: string[];
}

/** `parseSpend` collected into arrays — for small files, tests and previews. */
export async function collectSpend(input: SpendInput, options: ParseSpendOptions): Promise<SpendParseResult> {
  const result: SpendParseResult = { format: null, entries: [], issues: [], skipped: [], notes: [] };
  for await (const event of parseSpend(input, options)) {
    if (event.kind === "format") result.format = event.format;
    else if (event.kind === "entry") result.entries.push(event.entry);
    else if (event.kind === "issue") result.issues.push(event.issue);
    else if (event.kind === "note") result.notes.push(event.note);
    else result.skipped.push(event.skipped);
  }
  return result;
}
