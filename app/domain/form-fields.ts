// The field schemas every form, query string and JSON body is read with: text without control
// characters, ids, checkboxes, days in a sane range, money and token amounts with a ceiling, and
// sort parameters. One home so that a rule (no NUL byte reaches the database, no year 9999 reaches
// the date arithmetic, no 1.7e308 reaches a sum) holds everywhere at once. Pure and client-safe.

import { z } from "zod";

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

/**
 * Control characters no one types into a one-line field: C0 (NUL, ESC, …, also tab and line
 * breaks), DEL, C1 and the Unicode line/paragraph separators. PostgreSQL refuses NUL in text
 * outright, the rest would only ever be an attack on a terminal or a log.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const LINE_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** The same, but tab and line breaks are fine: descriptions, notes, pasted lists. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BLOCK_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export const CONTROL_MESSAGE = "Remove the control characters (such as a NUL byte) from this text";

/** True when `text` holds a control character a one-line field cannot hold. */
export const hasLineControl = (text: string) => LINE_CONTROL.test(text);
/** True when `text` holds a control character even a multi-line field cannot hold (NUL, ESC, …). */
export const hasBlockControl = (text: string) => BLOCK_CONTROL.test(text);

/**
 * One-line text (a name, a title, an e-mail, an identity): trimmed, no control characters. Chain
 * `.min()`/`.max()` with the field's own messages: `LineText.min(1, "Give it a name").max(120)`.
 */
export const LineText = z
  .string()
  .trim()
  .refine((v) => !LINE_CONTROL.test(v), CONTROL_MESSAGE);

/** Multi-line text (a description, a note, a pasted list): trimmed; tab and line breaks allowed. */
export const BlockText = z
  .string()
  .trim()
  .refine((v) => !BLOCK_CONTROL.test(v), CONTROL_MESSAGE);

/** Text kept exactly as typed (a pasted CSV, where a leading space may matter); no NUL or ESC. */
export const RawText = z.string().refine((v) => !BLOCK_CONTROL.test(v), CONTROL_MESSAGE);

/** A password: kept exactly as typed (spaces count), but no control characters. */
export const Password = z.string().refine((v) => !LINE_CONTROL.test(v), CONTROL_MESSAGE);

/** An optional one-line text in a query string: junk (too long, control characters) means "not given". */
export const queryText = (max: number) =>
  LineText.max(max)
    .optional()
    .transform((v) => v || undefined)
    .catch(undefined);

// ---------------------------------------------------------------------------------------------
// Ids, checkboxes
// ---------------------------------------------------------------------------------------------

/** A row id from a form or URL: a positive whole number a bigint column and a JS number both hold. */
export const id = (message?: string) =>
  z.coerce.number({ message }).int(message).positive(message).max(Number.MAX_SAFE_INTEGER, message);
export const Id = id();

/** An id that may be left empty ("" or absent → null). */
export const OptionalId = z.preprocess((v) => (v === "" || v === undefined ? null : v), Id.nullable());

/** A form field that may repeat (a list of checkboxes) as an array: absent → [], one value → [value]. */
export const toList = (v: unknown): unknown[] => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]);
/** `listOf(z.array(Id).min(1, "Pick one"))`: the array schema applied to the field's values as a list. */
export const listOf = <T extends z.ZodType>(array: T) => z.preprocess(toList, array);
/** Several ids under one name: absent → [], one value → [value]. */
export const IdList = listOf(z.array(Id));

/** The values a ticked checkbox (or a script) sends: "on" (the HTML default), "true" or "1". */
export const CHECKED_VALUES: readonly string[] = ["on", "true", "1"];
/** A checkbox: ticked → true; unticked (absent) or anything else → false. */
export const Checkbox = z.preprocess((v) => typeof v === "string" && CHECKED_VALUES.includes(v), z.boolean());

// ---------------------------------------------------------------------------------------------
// Days
// ---------------------------------------------------------------------------------------------

/** The days the app accepts anywhere: far enough to cover any real plan or history, and no more. */
export const MIN_DAY = "2000-01-01";
export const MAX_DAY = "2100-12-31";
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day `YYYY-MM-DD` between MIN_DAY and MAX_DAY ("2026-02-30" and "9999-12-31" are not). */
export function isIsoDay(value: unknown): value is string {
  if (typeof value !== "string" || !DAY.test(value) || value < MIN_DAY || value > MAX_DAY) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

export const DAY_MESSAGE = `Pick a real date between ${MIN_DAY.slice(0, 4)} and ${MAX_DAY.slice(0, 4)}`;

/** A day field: `IsoDay` alone, or `isoDay("Pick the day the spend happened")` for the field's own words. */
export const isoDay = (message = DAY_MESSAGE) => z.string().trim().refine(isIsoDay, message);
export const IsoDay = isoDay();

/** An optional day in a query string: anything that is not a day means "not given". */
export const queryDay = IsoDay.optional().catch(undefined);

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

/**
 * Ceilings on one amount. Far above any real entry (a billion credits, a trillion tokens), far below
 * where sums of many of them lose precision or overflow to Infinity: a page adds up at most millions
 * of entries, and 1e6 × 1e12 stays well inside a double and a numeric column.
 */
export const MAX_CREDITS = 1e9;
export const MAX_USD = 1e9;
export const MAX_TOKENS = 1e12;
/** The ceiling on a whole import's total (credits or USD): a sum that stays readable and finite. */
export const MAX_IMPORT_TOTAL = 1e12;

/** Credits typed into a form: finite, ≥ 0, at most MAX_CREDITS. */
const most = (n: number, what: string) => `At most ${n.toLocaleString("en-US")} ${what}`;
export const Credits = z.number().finite().nonnegative().max(MAX_CREDITS, most(MAX_CREDITS, "credits per entry"));
export const Usd = z.number().finite().nonnegative().max(MAX_USD, most(MAX_USD, "USD per entry"));
export const Tokens = z.number().int().nonnegative().max(MAX_TOKENS, most(MAX_TOKENS, "tokens per entry"));

/**
 * Adds numbers so that the sum is always a finite number: NaN, ±Infinity and null count as 0. For
 * every total a page shows (a bad row must never turn a whole dashboard into a 500).
 */
export function safeSum(values: Iterable<number | null | undefined>): number {
  let total = 0;
  for (const v of values) if (typeof v === "number" && Number.isFinite(v)) total += v;
  return Number.isFinite(total) ? total : 0;
}

/** A finite number, or `fallback` (0) for NaN, ±Infinity, null, undefined or text that is no number. */
export function finiteOr(value: unknown, fallback = 0): number {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

// ---------------------------------------------------------------------------------------------
// Sort parameters
// ---------------------------------------------------------------------------------------------

export interface SortParam<T extends string> {
  id: T;
  desc: boolean;
}

/**
 * A table's `sort` query parameter, `column` or `column.desc`: only whitelisted columns, and
 * anything else (an unknown column, SQL, a huge string) is null: the table's default order.
 */
export function sortParam<T extends string>(ids: readonly T[]) {
  return z
    .string()
    .max(100)
    .optional()
    .transform((v): SortParam<T> | null => {
      const [id, direction] = (v ?? "").split(".");
      return (ids as readonly string[]).includes(id ?? "") ? { id: id as T, desc: direction === "desc" } : null;
    })
    .catch(null);
}

/** A query flag: "1" (what the app's links and checkboxes send) → true, anything else → false. */
export const queryFlag = z
  .string()
  .optional()
  .transform((v) => v === "1")
  .catch(false);

/**
 * A team's or an organisation's address (`/t/<slug>`, `/o/<slug>`) as typed on its creation form:
 * optional (empty = made from the name), lowercased, 3–40 letters, digits or dashes.
 */
export const OptionalSlug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/,
    "3–40 lowercase letters, digits or dashes, not starting or ending with a dash",
  )
  .optional()
  .or(z.literal("").transform(() => undefined));
