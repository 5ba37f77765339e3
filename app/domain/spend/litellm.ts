// LiteLLM proxy spend logs (a `LiteLLM_SpendLogs` export as CSV): one row per request, `spend` in
// USD, `request_tags` a JSON array inside a CSV field where `story:KEY` attributes the row. Failed
// requests cost nothing. `prompt_tokens` includes cached tokens; the cache split is taken from the
// `metadata` column's `usage_object` when the export has it.

import type { FormatEvent, SpendEntry } from "~/domain/spend/entry";
import type { ParseContext, Price } from "~/domain/spend/parse-context";
import { parseCsvFormat, priceFromRateCard, priceFromUsd } from "~/domain/spend/parse-context";
import { resolveModelId } from "~/domain/spend/rate-card";
import { FieldError, dedupeKey, findColumn, isRecord, requireWhen } from "~/domain/spend/values";

const COLUMNS = {
  id: ["requestid", "id"],
  spend: ["spend", "responsecost", "cost"],
  start: ["starttime", "createdat", "timestamp"],
  end: ["endtime", "completionstarttime"],
  model: ["model"],
  modelGroup: ["modelgroup"],
  prompt: ["prompttokens", "inputtokens"],
  completion: ["completiontokens", "outputtokens"],
  cacheRead: ["cachereadinputtokens", "cachedtokens"],
  cacheWrite: ["cachecreationinputtokens"],
  user: ["user", "userid"],
  endUser: ["enduser"],
  tags: ["requesttags", "tags"],
  session: ["sessionid"],
  status: ["status"],
  metadata: ["metadata"],
} as const;

type Column = keyof typeof COLUMNS;

export function parseLitellm(text: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<FormatEvent> {
  return parseCsvFormat(text, ctx, (columns) => {
    const col = {} as Record<Column, number | undefined>;
    for (const name of Object.keys(COLUMNS) as Column[]) col[name] = findColumn(columns, COLUMNS[name]);
    const missing: string[] = [];
    if (col.id === undefined) missing.push("request_id");
    if (col.start === undefined && col.end === undefined) missing.push("startTime");
    if (missing.length > 0) return { problem: `not a LiteLLM spend log: missing column ${missing.join(", ")}` };

    return (row): FormatEvent => {
      const requestId = row.text(col.id);
      if (!requestId) throw new FieldError("request_id is missing");
      const when = requireWhen(row.raw(col.start) || row.raw(col.end), "startTime");
      const model = row.text(col.model);
      const modelGroup = row.text(col.modelGroup);
      // The deployment name may be a team alias; the model group often is the public name.
      const pricedModel = resolveModelId(ctx.rateCard, model) || !modelGroup ? model : modelGroup;

      const prompt = row.tokens(col.prompt, "prompt_tokens");
      const usage = usageObject(row.raw(col.metadata));
      const cacheRead =
        col.cacheRead !== undefined ? row.tokens(col.cacheRead, "cache_read_input_tokens") : usage.cacheRead;
      const cacheWrite =
        col.cacheWrite !== undefined ? row.tokens(col.cacheWrite, "cache_creation_input_tokens") : usage.cacheWrite;
      const tokens = {
        inputTokens: Math.max(0, prompt - cacheRead - cacheWrite),
        cacheReadTokens: cacheRead,
        cacheWriteTokens: cacheWrite,
        outputTokens: row.tokens(col.completion, "completion_tokens"),
      };

      const failed = /fail|error/i.test(row.text(col.status) ?? "");
      const spend = row.decimal(col.spend, "spend");
      let price: Price;
      if (failed) price = priceFromUsd(ctx, pricedModel, 0);
      else if (spend !== null) price = priceFromUsd(ctx, pricedModel, spend);
      else price = priceFromRateCard(ctx, pricedModel, tokens, when.occurredAt);

      const entry: SpendEntry = {
        line: row.line,
        source: ctx.format,
        dedupeKey: dedupeKey(ctx.format, [requestId]),
        occurredAt: when.occurredAt,
        day: when.day,
        model,
        ...tokens,
        ...price,
        poolCredits: null,
        paidCredits: null,
        externalUser: row.text(col.user) ?? row.text(col.endUser),
        sessionId: row.text(col.session),
        repository: null,
        storyKey: storyTag(row.raw(col.tags)),
        aggregated: false,
      };
      return { kind: "entry", entry };
    };
  });
}

/** The `KEY` of the first `story:KEY` tag; tags are a JSON array, tolerated as a loose list too. */
export function storyTag(raw: string | undefined): string | null {
  if (!raw || !raw.trim()) return null;
  let tags: unknown[] = [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) tags = parsed;
    else if (typeof parsed === "string") tags = [parsed];
  } catch {
    // Python-style ['a', 'b'] or a plain comma list.
    tags = raw
      .replace(/^\s*\[|\]\s*$/g, "")
      .split(",")
      .map((t) => t.trim().replace(/^['"]|['"]$/g, ""));
  }
  for (const tag of tags) {
    if (typeof tag !== "string") continue;
    const match = /^\s*story\s*[:=]\s*(\S+)\s*$/i.exec(tag);
    if (match?.[1]) return match[1];
  }
  return null;
}

function nonNegativeInt(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : 0;
}

/** Cache token counts from the `metadata` column's `usage_object`, when present and readable. */
function usageObject(raw: string | undefined): { cacheRead: number; cacheWrite: number } {
  const none = { cacheRead: 0, cacheWrite: 0 };
  if (!raw || !raw.includes("usage_object")) return none;
  let metadata: unknown;
  try {
    metadata = JSON.parse(raw);
  } catch {
    return none;
  }
  const usage = isRecord(metadata) ? metadata.usage_object : undefined;
  if (!isRecord(usage)) return none;
  const details = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  return {
    cacheRead: nonNegativeInt(usage.cache_read_input_tokens) || nonNegativeInt(details.cached_tokens),
    cacheWrite: nonNegativeInt(usage.cache_creation_input_tokens),
  };
}
