// Options every format parser shares, resolved once by `parseSpend`, and the small helpers they all
// use to price a row and to read a CSV row by column name.

import type { KeyMatcher } from "~/domain/key-pattern";
import { readCsv } from "~/domain/spend/csv-records";
import type { FormatEvent, FormatName, PricedBy } from "~/domain/spend/entry";
import type { RateCard, TokenCounts } from "~/domain/spend/rate-card";
import { findRate, priceTokens, resolveModelId, roundMoney, usdToCredits } from "~/domain/spend/rate-card";
import { FieldError, headerIndex, parseDecimal, tokenCount } from "~/domain/spend/field-readers";

/**
 * Fields a generic CSV can map to columns. `date` holds a date or a full timestamp; `time` an
 * optional time of day (or the timestamp when there is no `date`).
 */
export const GENERIC_FIELDS = [
  "id",
  "date",
  "time",
  "user",
  "model",
  "story",
  "session",
  "repository",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "cost_usd",
  "credits",
] as const;

export type GenericField = (typeof GENERIC_FIELDS)[number];

/** Field → column header as written in the file; null switches a guessed field off. */
export type GenericMapping = Partial<Record<GenericField, string | null>>;

export interface ParseSpendOptions {
  /** Skips detection. */
  format?: FormatName;
  rateCard: RateCard;
  /** USD per credit; defaults to the rate card's, else 0.01. */
  creditValueUsd?: number;
  /** Story key pattern for git branches; default `[A-Z][A-Z0-9]+-\d+`. */
  keyPattern?: string;
  /** generic-csv column mapping; unmapped fields fall back to header-name guesses. */
  mapping?: GenericMapping;
  /** Stop after this many issues (one more issue says so). Default 100. */
  maxIssues?: number;
  /** Cap for JSON documents (ccusage), in characters. Default 50 MB. */
  maxJsonChars?: number;
  /** Cap for one JSONL line or CSV row, in characters. Default 16 MB. */
  maxLineChars?: number;
  /** Report later lines with an already seen dedupe key as skipped duplicates. Default true. */
  dedupeWithinFile?: boolean;
}

export interface ParseContext {
  format: FormatName;
  rateCard: RateCard;
  creditValueUsd: number;
  keyPattern: KeyMatcher;
  mapping: GenericMapping | undefined;
  maxJsonChars: number;
  maxLineChars: number;
  /** CSV delimiter guessed from the header line. */
  delimiter: string;
}

export interface Price {
  modelId: string | null;
  costUsd: number | null;
  credits: number | null;
  pricedBy: PricedBy;
}

/** Prices tokens from the rate card; unknown models come back unpriced (never an error). */
export function priceFromRateCard(ctx: ParseContext, model: string | null, tokens: TokenCounts, at: string): Price {
  const rate = findRate(ctx.rateCard, model, at);
  const costUsd = rate ? priceTokens(ctx.rateCard, model, tokens, at) : null;
  if (!rate || costUsd === null) return { modelId: null, costUsd: null, credits: null, pricedBy: null };
  return { modelId: rate.id, costUsd, credits: usdToCredits(costUsd, ctx.creditValueUsd), pricedBy: "rate-card" };
}

/** A price the source states in USD. */
export function priceFromUsd(ctx: ParseContext, model: string | null, costUsd: number): Price {
  return {
    modelId: resolveModelId(ctx.rateCard, model),
    costUsd: roundMoney(costUsd),
    credits: usdToCredits(costUsd, ctx.creditValueUsd),
    pricedBy: "source",
  };
}

/** A CSV data row read by normalised column names. */
export class CsvRow {
  constructor(
    readonly line: number,
    private readonly fields: readonly string[],
  ) {}

  /** Raw value of a column, undefined when the header has no such column. */
  raw(column: number | undefined): string | undefined {
    return column === undefined ? undefined : (this.fields[column] ?? "");
  }

  text(column: number | undefined): string | null {
    const value = this.raw(column)?.trim();
    return value ? value : null;
  }

  decimal(column: number | undefined, name: string): number | null {
    return parseDecimal(this.raw(column), name);
  }

  tokens(column: number | undefined, name: string): number {
    return tokenCount(this.decimal(column, name), name);
  }

  requireDecimal(column: number | undefined, name: string): number {
    const value = this.decimal(column, name);
    if (value === null) throw new FieldError(`${name} is missing`);
    return value;
  }
}

/** An issue for a row whose field count differs from the header's, or null when it matches. */
export function fieldCountProblem(fields: readonly string[], headerLength: number): string | null {
  if (fields.length === headerLength) return null;
  return `row has ${fields.length} field${fields.length === 1 ? "" : "s"}, the header has ${headerLength}${
    fields.length < headerLength ? " (truncated row?)" : " (unquoted delimiter?)"
  }`;
}

export type RowHandler = (row: CsvRow) => FormatEvent | null;

export function issueEvent(line: number, reason: string): FormatEvent {
  return { kind: "issue", issue: { line, reason } };
}

/**
 * Drives a CSV format: the first record is the header, handed to `start`, which returns a row
 * handler or a reason the header is unusable (then the file stops with that issue on the header's
 * line). Each later row goes to the handler; a `FieldError` becomes an issue on that row's line.
 */
export async function* parseCsvFormat(
  text: AsyncIterable<string>,
  ctx: ParseContext,
  start: (columns: Map<string, number>, header: readonly string[]) => RowHandler | { problem: string },
): AsyncGenerator<FormatEvent> {
  let handler: RowHandler | null = null;
  let headerLength = 0;
  for await (const record of readCsv(text, { delimiter: ctx.delimiter, maxRecordChars: ctx.maxLineChars })) {
    if (!handler) {
      if (record.error) {
        yield issueEvent(record.line, `header row: ${record.error}`);
        return;
      }
      const started = start(headerIndex(record.fields), record.fields);
      if (typeof started !== "function") {
        yield issueEvent(record.line, started.problem);
        return;
      }
      handler = started;
      headerLength = record.fields.length;
      continue;
    }
    if (record.error) {
      yield issueEvent(record.line, record.error);
      continue;
    }
    const problem = fieldCountProblem(record.fields, headerLength);
    if (problem) {
      yield issueEvent(record.line, problem);
      continue;
    }
    let event: FormatEvent | null;
    try {
      event = handler(new CsvRow(record.line, record.fields));
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      event = issueEvent(record.line, error.message);
    }
    if (event) yield event;
  }
  if (!handler) yield issueEvent(1, "the file is empty: no header row");
}
