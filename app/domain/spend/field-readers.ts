// Reading single values out of spend files: numbers, token counts, timestamps, header names, story
// keys. A value that cannot be read throws `FieldError`; the format parsers turn it into an issue
// on that row's line.

import { isIsoDay, MAX_CREDITS, MAX_TOKENS, MAX_USD } from "~/domain/form-fields";
import { MAX_KEY_INPUT, type KeyMatcher } from "~/domain/key-pattern";
import type { SpendEntry } from "~/domain/spend/entry";

export class FieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FieldError";
  }
}

/** Short, printable form of a bad value for an issue's reason. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  // Control characters in an error message would garble the page and the log: shown as "?".
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** "Total Amount ($)" → "totalamount", "request_id" → "requestid", "startTime" → "starttime". */
export function normalizeHeader(name: string): string {
  return name
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const THOUSANDS = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

/**
 * A decimal number from text: "0.0323241", "1,234.5", "0,5" (decimal comma), "$1.08", "1e-3".
 * Null for an empty value; `FieldError` for anything else.
 */
export function parseDecimal(raw: string | undefined, name: string): number | null {
  if (raw === undefined) return null;
  let s = raw.trim();
  if (s === "") return null;
  if (s.includes("$")) s = s.replace(/^\$\s*/, "").replace(/^([+-])\$\s*/, "$1");
  // Plain numbers first: they are nearly every value in a large report.
  if (!PLAIN_NUMBER.test(s)) {
    if (THOUSANDS.test(s)) s = s.replace(/,/g, "");
    else if (DECIMAL_COMMA.test(s)) s = s.replace(",", ".");
  }
  const value = PLAIN_NUMBER.test(s) ? Number(s) : Number.NaN;
  if (!Number.isFinite(value)) throw new FieldError(`${name} is not a number: ${show(raw)}`);
  return value;
}

/** A number from JSON: a finite number, a numeric string, or null when absent. */
export function jsonDecimal(value: unknown, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new FieldError(`${name} is not a finite number`);
    return value;
  }
  if (typeof value === "string") return parseDecimal(value, name);
  throw new FieldError(`${name} is not a number: ${show(value)}`);
}

/** A token count: a whole number ≥ 0; empty counts as 0. */
export function tokenCount(value: number | null, name: string): number {
  if (value === null) return 0;
  if (!Number.isInteger(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
    throw new FieldError(`${name} is not a whole number of tokens: ${show(value)}`);
  }
  return value;
}

/** C0 controls and DEL: never in a model name, user, session, repository or key (NUL breaks storage). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const C0_CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why a parsed entry cannot be stored, or null: an amount past its ceiling (form-fields.ts MAX_*;
 * 1.7e308 credits would turn every sum on the dashboard into Infinity), a day outside the app's
 * range, or a control character (a NUL byte) in a text field. Every format and the API pass
 * through it when an import stages its entries, so no parser needs its own copy of the rule.
 */
export function entryProblem(e: SpendEntry): string | null {
  const money: [string, number | null, number][] = [
    ["credits", e.credits, MAX_CREDITS],
    ["cost", e.costUsd, MAX_USD],
    ["pool credits", e.poolCredits, MAX_CREDITS],
    ["paid credits", e.paidCredits, MAX_CREDITS],
  ];
  for (const [name, value, max] of money) {
    if (value === null) continue;
    if (!Number.isFinite(value)) return `${name} is not an amount: ${show(value)}`;
    // Negative amounts (a refund row) are the parsers' business; only the size is capped here.
    if (Math.abs(value) > max) return `${name} of ${show(value)} is over the limit of ${max.toExponential()} per entry`;
  }
  const counts: [string, number][] = [
    ["input tokens", e.inputTokens],
    ["cache read tokens", e.cacheReadTokens],
    ["cache write tokens", e.cacheWriteTokens],
    ["output tokens", e.outputTokens],
  ];
  for (const [name, value] of counts) {
    if (!Number.isInteger(value) || value < 0) return `${name} is not a whole number: ${show(value)}`;
    if (value > MAX_TOKENS)
      return `${name} of ${show(value)} is over the limit of ${MAX_TOKENS.toExponential()} per entry`;
  }
  if (!isIsoDay(e.day)) return `the day ${show(e.day)} is outside the years this app keeps`;
  const texts: [string, string | null][] = [
    ["model", e.model],
    ["user", e.externalUser],
    ["session", e.sessionId],
    ["repository", e.repository],
    ["story key", e.storyKey],
  ];
  for (const [name, value] of texts) {
    if (value !== null && C0_CONTROL.test(value)) return `the ${name} holds a control character (such as a NUL byte)`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

export interface When {
  /** ISO 8601 UTC timestamp. */
  occurredAt: string;
  /** `YYYY-MM-DD`: the stated date for date-only values, else the UTC date. */
  day: string;
}

const DATE_ONLY = /^(\d{4})[-/](\d{2})[-/](\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const MONTH_ONLY = /^(\d{4})-(\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Reads the timestamps spend files use: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY-MM` (first of the month),
 * ISO date-times with `T` or a space, with or without seconds, fraction and zone (no zone = UTC),
 * and Unix epoch seconds or milliseconds. Null when it is none of these or not a real date.
 */
export function parseWhen(raw: string): When | null {
  const s = raw.trim();
  let m = DATE_ONLY.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!validDate(y, mo, d)) return null;
    const day = `${m[1]}-${m[2]}-${m[3]}`;
    return { occurredAt: `${day}T00:00:00.000Z`, day };
  }
  m = MONTH_ONLY.exec(s);
  if (m) {
    const [y, mo] = [Number(m[1]), Number(m[2])];
    if (!validDate(y, mo, 1)) return null;
    const day = `${m[1]}-${m[2]}-01`;
    return { occurredAt: `${day}T00:00:00.000Z`, day };
  }
  m = DATE_TIME.exec(s);
  if (m) {
    const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
    const sec = m[6] === undefined ? 0 : Number(m[6]);
    const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
    if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return null;
    let offsetMinutes = 0;
    const zone = m[8]?.toUpperCase();
    if (zone && zone !== "Z" && zone !== "UTC" && zone !== "GMT") {
      const sign = zone.startsWith("-") ? -1 : 1;
      const digits = zone.slice(1).replace(":", "");
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (oh > 14 || om > 59) return null;
      offsetMinutes = sign * (oh * 60 + om);
    }
    const epoch = Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMinutes * 60_000;
    return fromEpochMs(epoch);
  }
  if (/^\d{10}(?:\.\d+)?$/.test(s)) return fromEpochMs(Math.round(Number(s) * 1000));
  if (/^\d{13}$/.test(s)) return fromEpochMs(Number(s));
  return null;
}

function fromEpochMs(ms: number): When | null {
  if (!Number.isFinite(ms)) return null;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return null;
  const y = date.getUTCFullYear();
  if (y < 1970 || y > 9999) return null;
  const occurredAt = `${pad(y, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}Z`;
  return { occurredAt, day: occurredAt.slice(0, 10) };
}

/** `parseWhen` that throws a `FieldError` naming the field. */
export function requireWhen(raw: string | undefined | null, name: string): When {
  if (raw === undefined || raw === null || raw.trim() === "") throw new FieldError(`${name} is missing`);
  const when = parseWhen(raw);
  if (!when) throw new FieldError(`${name} is not a date or timestamp: ${show(raw)}`);
  return when;
}

// ---------------------------------------------------------------------------------------------
// Story keys, keys, small strings
// ---------------------------------------------------------------------------------------------

/** The first story key in a branch name: `feature/PAY-412-refund-idempotency` → `PAY-412`. */
export function storyKeyIn(text: string | null, pattern: KeyMatcher): string | null {
  if (!text) return null;
  // Only the start of a (rarely) huge branch name is searched: a key sits near the start.
  return pattern.find(text.slice(0, MAX_KEY_INPUT));
}

/** Trimmed text, or null when empty. */
export function text(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** A dedupe key: the source plus its identifying parts, unambiguous however the parts are spelled. */
export function dedupeKey(source: string, parts: readonly (string | null)[]): string {
  return `${source}:${JSON.stringify(parts.map((p) => p ?? ""))}`;
}

/** A column lookup for a CSV header: normalised name → index of its first occurrence. */
export function headerIndex(header: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    const key = normalizeHeader(name);
    if (key && !index.has(key)) index.set(key, i);
  });
  return index;
}

/** Index of the first of `names` (already normalised) present in the header, or undefined. */
export function findColumn(index: Map<string, number>, names: readonly string[]): number | undefined {
  for (const name of names) {
    const i = index.get(name);
    if (i !== undefined) return i;
  }
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
