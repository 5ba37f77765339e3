// The rate card: model → USD per million tokens, with aliases and an effective date. Used to price
// token-only actuals (Claude Code logs, token-only generic rows) and to re-price them later.

import { z } from "zod";
import type { SpendEntry } from "~/domain/spend/entry";

export interface RateCardModel {
  /** Canonical id, e.g. "claude-sonnet-4-6". */
  id: string;
  provider: string | null;
  /** Model intensity tier (light / standard / frontier …) where the card says. */
  tier: string | null;
  aliases: string[];
  inputUsdPerMTok: number;
  /** Cache read ("cached input"); null = priced as input. */
  cacheReadUsdPerMTok: number | null;
  /** Cache write (short TTL); null = priced as input (providers without a write premium). */
  cacheWriteUsdPerMTok: number | null;
  /** Cache write with a 1-hour TTL (Anthropic: 2x input); null = priced as a short-TTL write. */
  cacheWrite1hUsdPerMTok?: number | null;
  outputUsdPerMTok: number;
  /** `YYYY-MM-DD` the price applies from; null = always. */
  effectiveFrom: string | null;
}

export interface RateCard {
  /** USD value of one AI credit. */
  creditValueUsd: number;
  /** Several rows may share an id with different `effectiveFrom` dates. */
  models: RateCardModel[];
  /**
   * Fast-mode price multipliers (a call made with `speed: "fast"` costs this many times the normal
   * price), by normalised model name (see `normalizeModelName`): `exact` names, or name `prefix`es
   * (the longest matching prefix wins). A model named in neither is priced normally.
   */
  fastMultipliers?: { exact: Record<string, number>; prefix: Record<string, number> };
}

export interface TokenCounts {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  /** The part of `cacheWriteTokens` written with a 1-hour TTL (priced at the 1-hour write price). */
  cacheWrite1hTokens?: number;
  /** Made in fast mode (`usage.speed: "fast"`): priced with the model's fast multiplier. */
  fast?: boolean;
}

export const DEFAULT_CREDIT_VALUE_USD = 0.01;

const price = z.number().finite().nonnegative();

/** The shape of `shared/data/rate-card.json` (prices in USD per million tokens). */
export const RateCardJsonSchema = z.object({
  credit_usd: z.number().finite().positive().optional(),
  models: z.array(
    z.object({
      id: z.string().trim().min(1),
      provider: z.string().nullish(),
      tier: z.string().nullish(),
      aliases: z.array(z.string()).default([]),
      input: price,
      cached_input: price.nullish(),
      cache_write: price.nullish(),
      cache_write_1h: price.nullish(),
      output: price,
      as_of: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .nullish(),
    }),
  ),
  fast_multipliers: z
    .object({
      exact: z.record(z.string(), z.number().finite().positive()).default({}),
      prefix: z.record(z.string(), z.number().finite().positive()).default({}),
    })
    .optional(),
});

export type RateCardJson = z.infer<typeof RateCardJsonSchema>;

/** Turns the seed file's JSON into a `RateCard`. Throws a ZodError when the shape is wrong. */
export function rateCardFromJson(json: unknown): RateCard {
  const parsed = RateCardJsonSchema.parse(json);
  return {
    creditValueUsd: parsed.credit_usd ?? DEFAULT_CREDIT_VALUE_USD,
    models: parsed.models.map((m) => ({
      id: m.id,
      provider: m.provider ?? null,
      tier: m.tier ?? null,
      aliases: m.aliases,
      inputUsdPerMTok: m.input,
      cacheReadUsdPerMTok: m.cached_input ?? null,
      cacheWriteUsdPerMTok: m.cache_write ?? null,
      cacheWrite1hUsdPerMTok: m.cache_write_1h ?? null,
      outputUsdPerMTok: m.output,
      effectiveFrom: m.as_of ?? null,
    })),
    fastMultipliers: {
      exact: normalizedMultipliers(parsed.fast_multipliers?.exact ?? {}),
      prefix: normalizedMultipliers(parsed.fast_multipliers?.prefix ?? {}),
    },
  };
}

function normalizedMultipliers(multipliers: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(multipliers)) {
    const key = normalizeModelName(name);
    if (key) out[key] = value;
  }
  return out;
}

/** The fast-mode multiplier for a model name (1 when the card names none for it). */
export function fastMultiplier(rateCard: RateCard, model: string | null): number {
  const table = rateCard.fastMultipliers;
  if (!model || !table) return 1;
  const name = normalizeModelName(model);
  const exact = table.exact[name] ?? table.exact[withoutReleaseSuffix(name)];
  if (exact !== undefined) return exact;
  let best = "";
  for (const prefix of Object.keys(table.prefix)) {
    if (prefix.length > best.length && (name === prefix || name.startsWith(`${prefix}-`))) best = prefix;
  }
  return best ? (table.prefix[best] ?? 1) : 1;
}

// ---------------------------------------------------------------------------------------------
// Model name matching
// ---------------------------------------------------------------------------------------------

/**
 * A comparable form of a model name: lower case, no "Auto:" prefix, no provider path
 * ("anthropic/…", Bedrock's "us.anthropic.…"), no trailing "(…)" note, and spaces, dots and
 * underscores as hyphens — so "Claude Sonnet 4.6", "Auto: Claude Sonnet 4.6" and
 * "claude-sonnet-4-6" all become "claude-sonnet-4-6".
 */
export function normalizeModelName(name: string): string {
  let s = name.trim().toLowerCase();
  s = s.replace(/^auto\s*:\s*/, "");
  s = s.slice(s.lastIndexOf("/") + 1);
  s = s.replace(/^(?:[a-z]{2,4}\.)?(?:anthropic|openai|google|meta|mistral)\./, "");
  s = s.replace(/\s*\([^)]*\)\s*$/, "");
  s = s.replace(/[\s_.]+/g, "-").replace(/-{2,}/g, "-");
  return s.replace(/^-+|-+$/g, "");
}

/** `normalizeModelName` without release suffixes: "-20250929", "@20250929", "-v1:0", "-latest". */
function withoutReleaseSuffix(normalized: string): string {
  return normalized
    .replace(/-v\d+(?::\d+)?$/, "")
    .replace(/-latest$/, "")
    .replace(/[-@](?:\d{8}|\d{4}-\d{2}-\d{2})$/, "");
}

const indexes = new WeakMap<RateCard, Map<string, RateCardModel[]>>();

function modelIndex(rateCard: RateCard): Map<string, RateCardModel[]> {
  let index = indexes.get(rateCard);
  if (index) return index;
  index = new Map();
  for (const model of rateCard.models) {
    const names = new Set<string>();
    for (const name of [model.id, ...model.aliases]) {
      const normalized = normalizeModelName(name);
      if (normalized) names.add(normalized);
    }
    for (const name of names) {
      const list = index.get(name) ?? [];
      // One name, one model id: the first model listing a name keeps it.
      if (list.length === 0 || list[0]?.id === model.id) list.push(model);
      index.set(name, list);
    }
  }
  indexes.set(rateCard, index);
  return index;
}

// A large report names the same few models on every row: remember each spelling's answer.
const lookups = new WeakMap<RateCard, Map<string, RateCardModel[]>>();
const MAX_REMEMBERED = 10_000;

function candidates(rateCard: RateCard, model: string): RateCardModel[] {
  let memo = lookups.get(rateCard);
  if (!memo) lookups.set(rateCard, (memo = new Map()));
  const known = memo.get(model);
  if (known) return known;
  const index = modelIndex(rateCard);
  const normalized = normalizeModelName(model);
  const found = normalized ? (index.get(normalized) ?? index.get(withoutReleaseSuffix(normalized)) ?? []) : [];
  if (memo.size < MAX_REMEMBERED) memo.set(model, found);
  return found;
}

/**
 * The rate-card row for `model` at time `at` (ISO date or timestamp): the latest row whose
 * `effectiveFrom` is on or before `at`; when `at` precedes every row, the earliest row (the oldest
 * price known beats no price). Null when the model is unknown.
 */
export function findRate(rateCard: RateCard, model: string | null, at?: string): RateCardModel | null {
  if (!model) return null;
  const rows = candidates(rateCard, model);
  if (rows.length === 0) return null;
  const day = at?.slice(0, 10);
  let best: RateCardModel | null = null;
  let earliest: RateCardModel | null = null;
  for (const row of rows) {
    const from = row.effectiveFrom ?? "";
    if (!earliest || from < (earliest.effectiveFrom ?? "")) earliest = row;
    if (day === undefined || from <= day) {
      if (!best || from >= (best.effectiveFrom ?? "")) best = row;
    }
  }
  return best ?? earliest;
}

/** The rate card's canonical id for a model name, or null when the card does not know it. */
export function resolveModelId(rateCard: RateCard, model: string | null): string | null {
  return findRate(rateCard, model)?.id ?? null;
}

/** Cost in USD of `tokens` on `model` at `at`; null when the model is not on the rate card. */
export function priceTokens(rateCard: RateCard, model: string | null, tokens: TokenCounts, at?: string): number | null {
  const rate = findRate(rateCard, model, at);
  if (!rate) return null;
  const write5m = rate.cacheWriteUsdPerMTok ?? rate.inputUsdPerMTok;
  const write1h = rate.cacheWrite1hUsdPerMTok ?? write5m;
  const oneHour = Math.min(tokens.cacheWrite1hTokens ?? 0, tokens.cacheWriteTokens);
  const micro =
    tokens.inputTokens * rate.inputUsdPerMTok +
    tokens.cacheReadTokens * (rate.cacheReadUsdPerMTok ?? rate.inputUsdPerMTok) +
    (tokens.cacheWriteTokens - oneHour) * write5m +
    oneHour * write1h +
    tokens.outputTokens * rate.outputUsdPerMTok;
  const multiplier = tokens.fast ? fastMultiplier(rateCard, model) : 1;
  return roundMoney((micro * multiplier) / 1_000_000);
}

/** Rounds away float noise (0.07690709999 → 0.0769071); nine decimals keep sub-micro-dollar detail. */
export function roundMoney(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return value;
  // The common case, without toFixed's string round trip (a report rounds four values a row):
  // below 10^6 the scaled value is an exact integer range, and the division is correctly rounded.
  if (Math.abs(value) < 1e6) {
    const rounded = Math.round(value * 1e9) / 1e9;
    return Object.is(rounded, -0) ? 0 : rounded;
  }
  const rounded = Number(value.toFixed(9));
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** USD → credits at `creditValueUsd` per credit. */
export function usdToCredits(usd: number, creditValueUsd: number): number {
  return roundMoney(usd / creditValueUsd);
}

/**
 * Prices an entry again from the rate card: unpriced entries whose model the card now knows get a
 * price, rate-card-priced entries follow the new card; prices stated by the source stay untouched.
 */
export function repriceEntry(
  entry: SpendEntry,
  rateCard: RateCard,
  creditValueUsd: number = rateCard.creditValueUsd,
): SpendEntry {
  if (entry.pricedBy === "source") return entry;
  const rate = findRate(rateCard, entry.model, entry.occurredAt);
  const costUsd = priceTokens(rateCard, entry.model, entry, entry.occurredAt);
  if (costUsd === null || !rate) {
    return { ...entry, modelId: null, costUsd: null, credits: null, pricedBy: null };
  }
  return {
    ...entry,
    modelId: rate.id,
    costUsd,
    credits: usdToCredits(costUsd, creditValueUsd),
    pricedBy: "rate-card",
  };
}
