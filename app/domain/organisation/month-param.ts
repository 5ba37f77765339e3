// The ?month= of an organisation page: a billing month 'YYYY-MM' between 2000 and 2100, or the
// current UTC month for anything else (absent, malformed, a huge string).
import { z } from "zod";

const MONTH_RE = /^(20\d\d|2100)-(0[1-9]|1[0-2])$/;

export function currentBillingMonth(now: Date): string {
  return now.toISOString().slice(0, 7);
}

export function monthParam(url: URL, now: Date): string {
  const raw = url.searchParams.get("month") ?? "";
  return raw.length === 7 && MONTH_RE.test(raw) ? raw : currentBillingMonth(now);
}

/** A month field in a form. */
export const MonthField = z.string().trim().regex(MONTH_RE, "Pick a month (YYYY-MM)");
