// What every spend-file parser produces: one `SpendEntry` per billable row, or a `ParseIssue` naming
// the line it could not read. Plain values only, so the caller can store, compare or re-price them.

export const FORMAT_NAMES = [
  "copilot-usage",
  "copilot-premium",
  "claude-jsonl",
  "ccusage",
  "litellm",
  "generic-csv",
] as const;

export type FormatName = (typeof FORMAT_NAMES)[number];

export function isFormatName(value: unknown): value is FormatName {
  return typeof value === "string" && (FORMAT_NAMES as readonly string[]).includes(value);
}

/** Where an entry came from: a file format, the JSON API, or typed in by hand on a story. */
export type SpendSourceName = FormatName | "api" | "manual" | "otlp";

/**
 * Sources that carry the same agent work by different paths (a Claude session through its JSONL, its
 * ccusage summary, a LiteLLM gateway, a team's CSV, an agent hook on the API). Copilot reports are
 * another tool's bill and never overlap with these.
 */
export const AGENT_SOURCES: readonly SpendSourceName[] = [
  "claude-jsonl",
  "ccusage",
  "litellm",
  "generic-csv",
  "api",
  "otlp",
];

/**
 * Where a price came from: `source` = the file stated it (Copilot, LiteLLM `spend`, ccusage `cost`,
 * a generic `cost_usd`/`credits` column); `rate-card` = computed from tokens, so a new rate card
 * re-prices it; `null` = unpriced (model unknown to the rate card).
 */
export type PricedBy = "source" | "rate-card" | null;

export interface SpendEntry {
  /** 1-based line the entry starts on (a CSV header is line 1; a JSONL file's first line is line 1). */
  line: number;
  source: SpendSourceName;
  /** Stable identity of the row within a team: re-importing the same row yields the same key. */
  dedupeKey: string;
  /** ISO 8601 UTC timestamp; midnight UTC for sources that only give a date. */
  occurredAt: string;
  /** `YYYY-MM-DD`: the date the file states, or the UTC date of `occurredAt`. */
  day: string;
  /** Model name as the file spells it. */
  model: string | null;
  /** The rate card's id for `model` (e.g. "Auto: Claude Sonnet 4.6" → "claude-sonnet-4-6"), if known. */
  modelId: string | null;
  /** Uncached input tokens. */
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** The part of `cacheWriteTokens` written with a 1-hour TTL (Claude Code); 0 when unknown. */
  cacheWrite1hTokens?: number;
  outputTokens: number;
  /** Made in fast mode (Claude Code `usage.speed: "fast"`): priced with the model's fast multiplier. */
  fast?: boolean;
  /**
   * For event rows that a tool writes several times as they grow (Claude Code's streaming lines):
   * which version is the more complete, as a decimal string compared numerically. The highest wins
   * within a file and across imports (a grown transcript updates the entry). Null: first line wins.
   */
  usageRank?: string | null;
  costUsd: number | null;
  /** AI credits; null = unpriced (the model is not on the rate card yet). */
  credits: number | null;
  pricedBy: PricedBy;
  /** Credits covered by the organisation's included pool (Copilot only; null where unknown). */
  poolCredits: number | null;
  /** Credits billed beyond the pool (Copilot only; null where unknown). */
  paidCredits: number | null;
  /** The tool's user name or e-mail, mapped to a team member by the caller. */
  externalUser: string | null;
  sessionId: string | null;
  repository: string | null;
  /** The billing product when it is not the format's own (a Copilot report's `spark` rows). */
  product?: string | null;
  /** Story key from an explicit tag, a column, or the git branch. */
  storyKey: string | null;
  /** Daily/session roll-ups (Copilot, ccusage) that grow during the day: a re-import replaces them. */
  aggregated: boolean;
}

export interface ParseIssue {
  /** 1-based line; problems with the file as a whole (empty, unrecognised) point at line 1. */
  line: number;
  reason: string;
}

/** A line deliberately not turned into an entry, e.g. a repeated line or a non-Copilot product row. */
export interface SkippedLine {
  line: number;
  reason: string;
  /** For a duplicate: the line whose entry has the same dedupe key. */
  duplicateOf?: number;
}

export type ParseEvent =
  | { kind: "format"; format: FormatName; detected: boolean }
  | { kind: "entry"; entry: SpendEntry }
  | { kind: "issue"; issue: ParseIssue }
  | { kind: "skipped"; skipped: SkippedLine }
  /** Something the reader of the summary should know about the file as a whole (e.g. what a report holds). */
  | { kind: "note"; note: string };

/** What one format parser yields; `parseSpend` adds the format event and in-file dedupe. */
export type FormatEvent = Exclude<ParseEvent, { kind: "format" }>;
