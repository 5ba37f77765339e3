// GitHub Copilot billing reports: the "AI usage" report (usage-based billing, from 2026-06-01, unit
// `ai-credits`) and the older premium-request report (unit `requests`). One parser serves both: the
// columns are found by name (exports order them differently) and each row's `unit_type` says how
// it is priced. The report prices itself — the rate card is never used for these rows.

import type { FormatEvent, SpendEntry } from "~/domain/spend/entry";
import type { ParseContext } from "~/domain/spend/parse-context";
import { parseCsvFormat } from "~/domain/spend/parse-context";
import { resolveModelId, roundMoney, usdToCredits } from "~/domain/spend/rate-card";
import { dedupeKey, findColumn, requireWhen, show } from "~/domain/spend/values";

/** A premium request costs $0.04; the model multiplier is already inside `quantity`. */
export const PREMIUM_REQUEST_USD = 0.04;

/** Normalised header names per column, first match wins (older exports used "Total Amount ($)" etc.). */
const COLUMNS = {
  date: ["date", "usagedate", "day"],
  username: ["username", "user", "login"],
  product: ["product"],
  sku: ["sku"],
  model: ["model"],
  quantity: ["quantity"],
  unitType: ["unittype", "unit"],
  pricePerUnit: ["appliedcostperquantity", "priceperunit"],
  gross: ["grossamount", "totalamount"],
  discount: ["discountamount"],
  net: ["netamount"],
  organization: ["organization", "organisation", "org"],
  repository: ["repository", "repositoryname", "repo"],
  input: ["input", "inputtokens"],
  output: ["output", "outputtokens"],
  cacheRead: ["cacheread", "cachereadtokens"],
  cacheWrite: ["cachewrite", "cachewritetokens"],
} as const;

type Column = keyof typeof COLUMNS;

/** Required columns, as the current report spells them. */
const REQUIRED: readonly [Column, string][] = [
  ["date", "date"],
  ["quantity", "quantity"],
  ["unitType", "unit_type"],
];

export function parseCopilot(text: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<FormatEvent> {
  return parseCsvFormat(text, ctx, (columns) => {
    const col = {} as Record<Column, number | undefined>;
    for (const name of Object.keys(COLUMNS) as Column[]) col[name] = findColumn(columns, COLUMNS[name]);
    const missing = REQUIRED.filter(([name]) => col[name] === undefined).map(([, label]) => label);
    if (missing.length > 0) {
      return {
        problem: `not a Copilot usage report: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
      };
    }

    return (row): FormatEvent | null => {
      const product = row.text(col.product);
      if (product && product.toLowerCase() !== "copilot") {
        return { kind: "skipped", skipped: { line: row.line, reason: `product ${show(product)} is not Copilot` } };
      }
      const when = requireWhen(row.raw(col.date), "date");
      const quantity = row.requireDecimal(col.quantity, "quantity");
      const unit = (row.text(col.unitType) ?? "").toLowerCase().replace(/[^a-z]/g, "");

      let credits: number;
      let costUsd: number;
      if (unit === "aicredits" || unit === "aicredit" || unit === "credits") {
        credits = quantity;
        const gross = row.decimal(col.gross, "gross_amount");
        const perUnit = row.decimal(col.pricePerUnit, "applied_cost_per_quantity");
        costUsd = gross ?? (perUnit !== null ? quantity * perUnit : quantity * ctx.creditValueUsd);
      } else if (unit === "requests" || unit === "request") {
        costUsd = quantity * PREMIUM_REQUEST_USD;
        credits = usdToCredits(costUsd, ctx.creditValueUsd);
      } else {
        // Seat licences and other charges share the report; they are not AI spend, and must not
        // reject the file either.
        return {
          kind: "skipped",
          skipped: { line: row.line, reason: `unit_type ${show(row.raw(col.unitType))} is not ai-credits or requests` },
        };
      }
      credits = roundMoney(credits);

      // Pool vs paid: the discount is what the included pool covered, the net amount is billed.
      let poolCredits: number | null = null;
      let paidCredits: number | null = null;
      const discount = row.decimal(col.discount, "discount_amount");
      const net = row.decimal(col.net, "net_amount");
      if (discount !== null && net !== null) {
        const total = discount + net;
        if (total !== 0) {
          paidCredits = roundMoney((credits * net) / total);
          poolCredits = roundMoney(credits - paidCredits);
        } else if (credits === 0) {
          poolCredits = 0;
          paidCredits = 0;
        }
      }

      const username = row.text(col.username);
      const organization = row.text(col.organization);
      const repository = row.text(col.repository);
      const sku = row.text(col.sku);
      const model = row.text(col.model);
      const entry: SpendEntry = {
        line: row.line,
        source: ctx.format,
        dedupeKey: dedupeKey(ctx.format, [when.day, username, organization, repository, sku, model]),
        occurredAt: when.occurredAt,
        day: when.day,
        model,
        modelId: resolveModelId(ctx.rateCard, model),
        inputTokens: row.tokens(col.input, "input"),
        cacheReadTokens: row.tokens(col.cacheRead, "cache_read"),
        cacheWriteTokens: row.tokens(col.cacheWrite, "cache_write"),
        outputTokens: row.tokens(col.output, "output"),
        costUsd: roundMoney(costUsd),
        credits,
        pricedBy: "source",
        poolCredits,
        paidCredits,
        externalUser: username,
        sessionId: null,
        repository,
        storyKey: null,
        aggregated: true,
      };
      return { kind: "entry", entry };
    };
  });
}
