// LiteLLM proxy spend logs: the JSON its `/spend/logs` endpoint answers (an array of
// `LiteLLM_SpendLogs` rows), or a database export of that table as CSV. One row per request, `spend`
// in USD, `request_tags` a JSON array (inside a CSV field) where `story:KEY` attributes the row.
// Failed requests cost nothing. `prompt_tokens` includes cached tokens; the cache split is taken from
// the `metadata` column's `usage_object` when the export has it. `/global/spend/logs` answers daily
// totals (`[{ "date", "spend" }]`): each day is one entry with no model, updated when it grows.

import type { FormatEvent, SpendEntry } from "~/domain/spend/entry";
import type { ParseContext, Price } from "~/domain/spend/parse-context";
import type { RowHandler } from "~/domain/spend/parse-context";
import { CsvRow, issueEvent, parseCsvFormat, priceFromRateCard, priceFromUsd } from "~/domain/spend/parse-context";
import { jsonLineFinder } from "~/domain/spend/ccusage";
import { resolveModelId } from "~/domain/spend/rate-card";
import {
  FieldError,
  dedupeKey,
  errorMessage,
  findColumn,
  headerIndex,
  isRecord,
  requireWhen,
} from "~/domain/spend/field-readers";

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

export async function* parseLitellm(text: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<FormatEvent> {
  const iterator = text[Symbol.asyncIterator]();
  const head: string[] = [];
  let start = "";
  while (start === "") {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    start = next.value
      .replace(/^\uFEFF/, "")
      .trimStart()
      .slice(0, 1);
  }
  async function* rest(): AsyncGenerator<string> {
    yield* head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  if (start === "[" || start === "{") yield* parseLitellmJson(rest(), ctx);
  else yield* parseCsvFormat(rest(), ctx, (columns) => litellmRowHandler(columns, ctx));
}

/** The JSON of `/spend/logs` (request rows) or `/global/spend/logs` (daily totals), read whole. */
async function* parseLitellmJson(text: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<FormatEvent> {
  let source = "";
  for await (const chunk of text) {
    source += chunk;
    if (source.length > ctx.maxJsonChars) {
      yield issueEvent(1, `the JSON document is larger than ${ctx.maxJsonChars} characters`);
      return;
    }
  }
  let root: unknown;
  try {
    root = JSON.parse(source.replace(/^\uFEFF/, ""));
  } catch (error) {
    yield issueEvent(1, `not valid JSON (truncated file?): ${errorMessage(error)}`);
    return;
  }
  const wrapped = isRecord(root) ? (["data", "logs", "spend_logs"].find((k) => Array.isArray(root[k])) ?? null) : null;
  const items: unknown = wrapped && isRecord(root) ? root[wrapped] : root;
  if (!Array.isArray(items)) {
    yield issueEvent(1, "not a LiteLLM spend log: expected a JSON array of spend log rows");
    return;
  }
  const lineOf = jsonLineFinder(source, 2);
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    const line = lineOf(wrapped ? `${wrapped}/${i}` : String(i));
    if (!isRecord(item)) {
      yield issueEvent(line, "row is not a JSON object");
      continue;
    }
    const keys = Object.keys(item);
    const fields = keys.map((k) => {
      const value = item[k];
      if (value === null || value === undefined) return "";
      return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
    });
    const columns = headerIndex(keys);
    try {
      if (findColumn(columns, COLUMNS.id) === undefined && item.date !== undefined) {
        yield globalDayEntry(new CsvRow(line, fields), columns, ctx);
        continue;
      }
      const handler = litellmRowHandler(columns, ctx);
      if (typeof handler !== "function") {
        yield issueEvent(line, handler.problem);
        continue;
      }
      const event = handler(new CsvRow(line, fields));
      if (event) yield event;
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      yield issueEvent(line, error.message);
    }
  }
}

/** One day of `/global/spend/logs`: the day's spend, no model or tokens. */
function globalDayEntry(row: CsvRow, columns: Map<string, number>, ctx: ParseContext): FormatEvent {
  const when = requireWhen(row.raw(findColumn(columns, ["date"])), "date");
  const spend = row.requireDecimal(findColumn(columns, COLUMNS.spend), "spend");
  const apiKey = row.text(findColumn(columns, ["apikey"]));
  const entry: SpendEntry = {
    line: row.line,
    source: ctx.format,
    dedupeKey: dedupeKey(ctx.format, ["global-day", when.day, apiKey]),
    occurredAt: when.occurredAt,
    day: when.day,
    model: null,
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    ...priceFromUsd(ctx, null, spend),
    poolCredits: null,
    paidCredits: null,
    externalUser: null,
    sessionId: null,
    repository: null,
    storyKey: null,
    aggregated: true,
  };
  return { kind: "entry", entry };
}

function litellmRowHandler(columns: Map<string, number>, ctx: ParseContext): RowHandler | { problem: string } {
  {
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
  }
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
