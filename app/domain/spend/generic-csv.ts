// A team's own CSV: columns mapped to spend fields by a `{ field: "Column header" }` mapping, with
// header-name guesses for fields the mapping leaves out. A row's price is its `cost_usd`, else its
// `credits`, else the rate card's price for its model and tokens (unpriced when the model is unknown).

import type { FormatEvent, SpendEntry } from "~/domain/spend/entry";
import type { GenericField, GenericMapping, ParseContext, Price } from "~/domain/spend/parse-context";
import { GENERIC_FIELDS, parseCsvFormat, priceFromRateCard, priceFromUsd } from "~/domain/spend/parse-context";
import { resolveModelId, roundMoney } from "~/domain/spend/rate-card";
import { dedupeKey, normalizeHeader, requireWhen } from "~/domain/spend/field-readers";

/** Header names (normalised) tried for each field when the mapping does not name a column. */
export const GENERIC_GUESSES: Record<GenericField, readonly string[]> = {
  id: ["id", "requestid", "entryid", "callid", "uuid", "messageid"],
  date: ["date", "timestamp", "datetime", "occurredat", "createdat", "starttime", "day", "usagedate"],
  time: ["time", "timeofday"],
  user: ["user", "username", "useremail", "email", "member", "author", "login", "externaluser"],
  model: ["model", "modelname", "modelid"],
  story: ["story", "storykey", "storyid", "ticket", "issue", "issuekey", "jira", "jirakey"],
  session: ["session", "sessionid"],
  repository: ["repository", "repo", "repositoryname", "project"],
  input_tokens: ["inputtokens", "input", "prompttokens", "tokensin"],
  output_tokens: ["outputtokens", "output", "completiontokens", "tokensout"],
  cache_read_tokens: ["cachereadtokens", "cacheread", "cachedtokens", "cachereadinputtokens", "cachedinputtokens"],
  cache_write_tokens: ["cachewritetokens", "cachewrite", "cachecreationtokens", "cachecreationinputtokens"],
  cost_usd: ["costusd", "cost", "usd", "spend", "amountusd", "amount", "priceusd"],
  credits: ["credits", "aicredits", "credit"],
};

export type ResolvedMapping = Partial<Record<GenericField, number>>;

/**
 * Column index per field: the mapping's column where it names one (matched by header name,
 * exactly first, then normalised), else the first guessed header present. Problems name mapped
 * columns that the header lacks.
 */
export function resolveMapping(
  header: readonly string[],
  mapping: GenericMapping | undefined,
): { columns: ResolvedMapping; problems: string[] } {
  const columns: ResolvedMapping = {};
  const problems: string[] = [];
  const normalized = header.map(normalizeHeader);
  for (const field of GENERIC_FIELDS) {
    const wanted = mapping?.[field];
    if (wanted === null) continue;
    if (typeof wanted === "string") {
      let index = header.findIndex((h) => h.trim() === wanted.trim());
      if (index === -1) index = normalized.indexOf(normalizeHeader(wanted));
      if (index === -1) problems.push(`column ${JSON.stringify(wanted)} (mapped to ${field}) is not in the header`);
      else columns[field] = index;
      continue;
    }
    for (const guess of GENERIC_GUESSES[field]) {
      const index = normalized.indexOf(guess);
      if (index !== -1 && !Object.values(columns).includes(index)) {
        columns[field] = index;
        break;
      }
    }
  }
  return { columns, problems };
}

/** Whether a resolved mapping can produce entries: a date and something that prices a row. */
export function mappingProblem(columns: ResolvedMapping): string | null {
  const missing: string[] = [];
  if (columns.date === undefined && columns.time === undefined) missing.push("a date or time column");
  const priced =
    columns.cost_usd !== undefined ||
    columns.credits !== undefined ||
    (columns.model !== undefined &&
      (columns.input_tokens !== undefined ||
        columns.output_tokens !== undefined ||
        columns.cache_read_tokens !== undefined ||
        columns.cache_write_tokens !== undefined));
  if (!priced) missing.push("a cost_usd or credits column, or a model with token columns");
  return missing.length > 0 ? `cannot map this CSV: needs ${missing.join(" and ")}` : null;
}

export function parseGenericCsv(text: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<FormatEvent> {
  return parseCsvFormat(text, ctx, (_index, header) => {
    const { columns, problems } = resolveMapping(header, ctx.mapping);
    if (problems.length > 0) return { problem: problems.join("; ") };
    const problem = mappingProblem(columns);
    if (problem) return { problem };
    const mappedFields = GENERIC_FIELDS.filter((field) => columns[field] !== undefined);

    return (row): FormatEvent => {
      const dateRaw = row.text(columns.date);
      const timeRaw = row.text(columns.time);
      let whenRaw = dateRaw ?? timeRaw;
      if (dateRaw && timeRaw && /^\d{4}[-/]\d{2}[-/]\d{2}$/.test(dateRaw))
        whenRaw = `${dateRaw.replace(/\//g, "-")}T${timeRaw}`;
      const when = requireWhen(whenRaw, columns.date !== undefined ? "date" : "time");

      const model = row.text(columns.model);
      const tokens = {
        inputTokens: row.tokens(columns.input_tokens, "input_tokens"),
        cacheReadTokens: row.tokens(columns.cache_read_tokens, "cache_read_tokens"),
        cacheWriteTokens: row.tokens(columns.cache_write_tokens, "cache_write_tokens"),
        outputTokens: row.tokens(columns.output_tokens, "output_tokens"),
      };
      const costUsd = row.decimal(columns.cost_usd, "cost_usd");
      const credits = row.decimal(columns.credits, "credits");
      let price: Price;
      if (costUsd !== null) {
        price = priceFromUsd(ctx, model, costUsd);
        if (credits !== null) price.credits = roundMoney(credits);
      } else if (credits !== null) {
        price = {
          modelId: resolveModelId(ctx.rateCard, model),
          costUsd: roundMoney(credits * ctx.creditValueUsd),
          credits: roundMoney(credits),
          pricedBy: "source",
        };
      } else {
        price = priceFromRateCard(ctx, model, tokens, when.occurredAt);
      }

      // A row with an empty id falls back to its mapped values, like a file without an id column.
      const id = row.text(columns.id);
      const key = id !== null ? [id] : mappedFields.map((field) => row.text(columns[field]));
      const entry: SpendEntry = {
        line: row.line,
        source: ctx.format,
        dedupeKey: dedupeKey(ctx.format, key),
        occurredAt: when.occurredAt,
        day: when.day,
        model,
        ...tokens,
        ...price,
        poolCredits: null,
        paidCredits: null,
        externalUser: row.text(columns.user),
        sessionId: row.text(columns.session),
        repository: row.text(columns.repository),
        storyKey: row.text(columns.story),
        aggregated: false,
      };
      return { kind: "entry", entry };
    };
  });
}
