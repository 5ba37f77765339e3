// Spend pushed as JSON (CI steps, agent hooks): the documented entry schema, and its conversion to
// the same `SpendEntry` values the file parsers produce, so one import path serves both. Each entry
// carries a client-chosen `id`, its dedupe key: pushing the same entry again is a duplicate.

import { z } from "zod";
import { Credits, LineText, Tokens, Usd } from "~/domain/form-fields";
import type { FormatEvent, SpendEntry } from "~/domain/spend/entry";
import { findRate, priceTokens, roundMoney, usdToCredits, type RateCard } from "~/domain/spend/rate-card";
import { compileKeyPattern, type KeyMatcher } from "~/domain/key-pattern";
import { dedupeKey, parseWhen, storyKeyIn } from "~/domain/spend/field-readers";
import { storyTag } from "~/domain/spend/litellm";

// Amounts have the app's ceilings (a billion credits, a trillion tokens per entry) and text has no
// control characters: the shared field schemas of form-fields.ts.
const tokens = Tokens.nullish();
const shortText = (max: number) => LineText.max(max).nullish();

/** One spend entry as the API takes it (snake_case, like the files teams already have). */
export const SpendApiEntrySchema = z.object({
  /** The client's id for this entry: sending it again is a duplicate, never a second entry. */
  id: LineText.min(1, "id is required").max(200),
  /** ISO 8601 timestamp (no zone = UTC) or a `YYYY-MM-DD` date. */
  occurred_at: LineText.min(1, "occurred_at is required").max(40),
  model: shortText(200),
  input_tokens: tokens,
  output_tokens: tokens,
  cache_read_tokens: tokens,
  cache_write_tokens: tokens,
  /** What the call cost in USD, if the client knows; else the team's rate card prices the tokens. */
  cost_usd: Usd.nullish(),
  /** AI credits, if the client counts in credits (Copilot). */
  credits: Credits.nullish(),
  /** The tool's user name or e-mail; mapped to a team member on the Identities page. */
  user: shortText(320),
  session_id: shortText(200),
  repository: shortText(300),
  /** A story key, e.g. "PAY-412" (the strongest attribution). */
  story: shortText(100),
  /** Tags; "story:PAY-412" attributes the entry. */
  tags: z.array(LineText.max(200)).max(50).nullish(),
  /** The git branch; a story key in it attributes the entry. */
  git_branch: shortText(300),
  /** OpenTelemetry-style attributes; "story.id" attributes the entry. */
  attributes: z.record(z.string(), z.unknown()).nullish(),
  /** true for a running total that grows (replaced when sent again with other values). */
  aggregate: z.boolean().nullish(),
});

export type SpendApiEntry = z.infer<typeof SpendApiEntrySchema>;

export interface ApiEntryOptions {
  rateCard: RateCard;
  creditValueUsd?: number;
  keyPattern?: string;
}

function nonEmpty(value: string | null | undefined): string | null {
  return value && value.trim() !== "" ? value.trim() : null;
}

function storyFrom(entry: SpendApiEntry, keyPattern: KeyMatcher): string | null {
  const attribute = entry.attributes?.["story.id"];
  return (
    nonEmpty(entry.story) ??
    (typeof attribute === "string" ? nonEmpty(attribute) : null) ??
    (entry.tags?.length ? storyTag(JSON.stringify(entry.tags)) : null) ??
    storyKeyIn(nonEmpty(entry.git_branch), keyPattern)
  );
}

/** The entry for one validated API item, or the reason it cannot be one. */
export function apiEntryToSpend(
  entry: SpendApiEntry,
  line: number,
  options: Omit<ApiEntryOptions, "keyPattern"> & { keyPattern: KeyMatcher; creditValueUsd: number },
): SpendEntry | string {
  const when = parseWhen(entry.occurred_at);
  if (!when) return `occurred_at is not a date or timestamp: ${JSON.stringify(entry.occurred_at.slice(0, 40))}`;
  const model = nonEmpty(entry.model);
  const counts = {
    inputTokens: entry.input_tokens ?? 0,
    cacheReadTokens: entry.cache_read_tokens ?? 0,
    cacheWriteTokens: entry.cache_write_tokens ?? 0,
    outputTokens: entry.output_tokens ?? 0,
  };
  const rate = findRate(options.rateCard, model, when.occurredAt);
  let price: Pick<SpendEntry, "modelId" | "costUsd" | "credits" | "pricedBy">;
  if (entry.cost_usd !== null && entry.cost_usd !== undefined) {
    price = {
      modelId: rate?.id ?? null,
      costUsd: roundMoney(entry.cost_usd),
      credits:
        entry.credits !== null && entry.credits !== undefined
          ? roundMoney(entry.credits)
          : usdToCredits(entry.cost_usd, options.creditValueUsd),
      pricedBy: "source",
    };
  } else if (entry.credits !== null && entry.credits !== undefined) {
    price = {
      modelId: rate?.id ?? null,
      costUsd: roundMoney(entry.credits * options.creditValueUsd),
      credits: roundMoney(entry.credits),
      pricedBy: "source",
    };
  } else {
    const usd = rate ? priceTokens(options.rateCard, model, counts, when.occurredAt) : null;
    price =
      rate && usd !== null
        ? { modelId: rate.id, costUsd: usd, credits: usdToCredits(usd, options.creditValueUsd), pricedBy: "rate-card" }
        : { modelId: null, costUsd: null, credits: null, pricedBy: null };
  }
  return {
    line,
    source: "api",
    dedupeKey: dedupeKey("api", [entry.id]),
    occurredAt: when.occurredAt,
    day: when.day,
    model,
    ...counts,
    ...price,
    poolCredits: null,
    paidCredits: null,
    externalUser: nonEmpty(entry.user),
    sessionId: nonEmpty(entry.session_id),
    repository: nonEmpty(entry.repository),
    storyKey: storyFrom(entry, options.keyPattern),
    aggregated: entry.aggregate === true,
  };
}

function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/**
 * Events for a JSON array of entries, in the shape `parseSpend` yields: `line` is the entry's
 * 1-based position in the array. A repeated `id` within the array is a skipped duplicate.
 */
export function* apiEntryEvents(items: readonly unknown[], options: ApiEntryOptions): Generator<FormatEvent> {
  const keyPattern = compileKeyPattern(options.keyPattern);
  const creditValueUsd = options.creditValueUsd ?? options.rateCard.creditValueUsd;
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const line = i + 1;
    const parsed = SpendApiEntrySchema.safeParse(items[i]);
    if (!parsed.success) {
      yield { kind: "issue", issue: { line, reason: zodReason(parsed.error) } };
      continue;
    }
    const entry = apiEntryToSpend(parsed.data, line, { ...options, keyPattern, creditValueUsd });
    if (typeof entry === "string") {
      yield { kind: "issue", issue: { line, reason: entry } };
      continue;
    }
    const first = seen.get(entry.dedupeKey);
    if (first !== undefined) {
      yield { kind: "skipped", skipped: { line, reason: "duplicate of an earlier entry", duplicateOf: first } };
      continue;
    }
    seen.set(entry.dedupeKey, line);
    yield { kind: "entry", entry };
  }
}
