// GitHub Copilot billing reports: the "AI usage" report (usage-based billing, from 2026-06-01, unit
// `ai-credits`), the transition-period report (premium requests with `aic_quantity` /
// `aic_gross_amount` beside them), the older premium-request report (unit `requests`) and the legacy
// "premium request analytics" CSV (`Timestamp, User, Model, Requests Used, …`), and the daily
// premium-request export without a unit column (every row is requests). One parser serves
// them all: the columns are found by name (exports order them differently) and each row's
// `unit_type` says how it is priced — `requests` at $0.04, any other unit as AI credits, and
// `aic_quantity` / `aic_gross_amount` preferred wherever present, as GitHub's own report tooling
// (github/copilot-billing-preview) does. Dates may be `2026-05-29`, `5/29/26` or `05/29/2026`.
// Spark and other products draw on the same pool: imported, tagged with their product. The report
// prices itself — the rate card is never used for these rows.
//
// Every row of a report is a usage record, even two rows with the same day, user, model and SKU:
// the dedupe key is those values plus the row's occurrence number among them (renumbered by value
// when the import is merged, so a reordered copy changes nothing and a grown report updates).

import type { FormatEvent, SpendEntry } from "~/domain/spend/entry";
import type { ParseContext } from "~/domain/spend/parse-context";
import { parseCsvFormat } from "~/domain/spend/parse-context";
import { resolveModelId, roundMoney, usdToCredits } from "~/domain/spend/rate-card";
import { FieldError, dedupeKey, findColumn, requireWhen, show } from "~/domain/spend/field-readers";

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
  aicQuantity: ["aicquantity"],
  exceedsQuota: ["exceedsquota", "exceedsmonthlyquota"],
  aicGross: ["aicgrossamount"],
  timestamp: ["timestamp"],
  requestsUsed: ["requestsused"],
} as const;

type Column = keyof typeof COLUMNS;

/** Required columns, as the current report spells them. */
const REQUIRED: readonly [Column, string][] = [
  ["date", "date"],
  ["quantity", "quantity"],
  ["unitType", "unit_type"],
];

/** Products and units of a full billing export that are not AI spend (normalised: letters only). */
const NON_AI_PRODUCTS = new Set(["actions", "packages", "codespaces", "gitlfs", "sharedstorage", "advancedsecurity"]);
const NON_AI_UNITS = new Set(["minutes", "minute", "gigabytehours", "gbhours", "gigabytes", "usermonths", "seats"]);

const SLASH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/;

/** `5/29/26` and `05/29/2026` (month first, as GitHub's exports write them) → `2026-05-29`. */
export function normalizeReportDate(raw: string | undefined): string | undefined {
  const match = raw === undefined ? null : SLASH_DATE.exec(raw.trim());
  if (!match) return raw;
  const [, month, day, year] = match;
  const fullYear = year!.length === 2 ? `20${year}` : year!;
  return `${fullYear}-${month!.padStart(2, "0")}-${day!.padStart(2, "0")}`;
}

/** The `#n` occurrence suffix of a Copilot dedupe key: the merge renumbers it by value. */
export const OCCURRENCE_SUFFIX = /#\d+$/;

export function parseCopilot(text: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<FormatEvent> {
  return parseCsvFormat(text, ctx, (columns) => {
    const col = {} as Record<Column, number | undefined>;
    for (const name of Object.keys(COLUMNS) as Column[]) col[name] = findColumn(columns, COLUMNS[name]);
    const legacy = col.unitType === undefined && col.timestamp !== undefined && col.requestsUsed !== undefined;
    if (legacy) {
      col.date = col.timestamp;
      col.quantity = col.requestsUsed;
    }
    // A premium-request report without a unit column (the daily export `date, username, model,
    // quantity, exceeds_quota, …`): every row is requests, as GitHub's tooling reads it.
    const requestsOnly = legacy || (col.unitType === undefined && col.exceedsQuota !== undefined);
    const missing = REQUIRED.filter(([name]) => col[name] === undefined && !(requestsOnly && name === "unitType")).map(
      ([, label]) => label,
    );
    if (missing.length > 0) {
      return {
        problem: `not a Copilot usage report: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
      };
    }

    // Rows with the same identifying values so far: their occurrence numbers.
    const occurrences = new Map<string, number>();
    return (row): FormatEvent | null => {
      const product = row.text(col.product);
      // A full billing export also lists Actions minutes, storage and seats: not AI spend.
      if (product && NON_AI_PRODUCTS.has(product.toLowerCase().replace(/[^a-z]/g, ""))) {
        return { kind: "skipped", skipped: { line: row.line, reason: `product ${show(product)} is not Copilot` } };
      }
      const unitText = row.text(col.unitType);
      if (unitText && NON_AI_UNITS.has(unitText.toLowerCase().replace(/[^a-z]/g, ""))) {
        return {
          kind: "skipped",
          skipped: { line: row.line, reason: `unit_type ${show(unitText)} is not ai-credits or requests` },
        };
      }
      const when = requireWhen(normalizeReportDate(row.raw(col.date)), legacy ? "Timestamp" : "date");
      const quantity = row.requireDecimal(col.quantity, legacy ? "Requests Used" : "quantity");
      const unitRaw = requestsOnly ? "requests" : row.text(col.unitType);
      if (!unitRaw) throw new FieldError("unit_type is missing");
      const unit = unitRaw.toLowerCase().replace(/[^a-z]/g, "");

      let credits: number;
      let costUsd: number;
      const aicQuantity = row.decimal(col.aicQuantity, "aic_quantity");
      const aicGross = row.decimal(col.aicGross, "aic_gross_amount");
      // A native AI-credits report (no exceeds_quota column) states its credits in `quantity`; the
      // transition-period report gives them in aic_quantity / aic_gross_amount — as GitHub's tooling reads them.
      const native = col.exceedsQuota === undefined && unit !== "requests" && unit !== "request";
      if (aicQuantity !== null && !(native && row.text(col.quantity) !== null)) {
        // The report's own AI-credit figures for this row, whatever its unit.
        credits = aicQuantity;
        costUsd = aicGross ?? aicQuantity * ctx.creditValueUsd;
      } else if (unit === "requests" || unit === "request") {
        costUsd = quantity * PREMIUM_REQUEST_USD;
        credits = usdToCredits(costUsd, ctx.creditValueUsd);
      } else {
        // ai-credits, and any other unit: GitHub's tooling counts every non-request unit as AI credits.
        credits = quantity;
        // A native report's own USD is gross_amount: its aic columns may hold 0 on every row (as the
        // Copilot report viewer's sample does), and GitHub's tooling ignores them for ai-credits rows.
        const stated = row.decimal(col.gross, "gross_amount");
        const gross = native ? (stated ?? aicGross) : (aicGross ?? stated);
        const perUnit = row.decimal(col.pricePerUnit, "applied_cost_per_quantity");
        costUsd = gross ?? (perUnit !== null ? quantity * perUnit : quantity * ctx.creditValueUsd);
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
      const productTag = product && product.toLowerCase() !== "copilot" ? product : null;
      const identity = legacy
        ? [when.occurredAt, username, model]
        : [when.day, username, organization, repository, sku, model, ...(productTag ? [productTag] : [])];
      const base = dedupeKey(ctx.format, identity);
      const occurrence = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, occurrence);
      const entry: SpendEntry = {
        line: row.line,
        source: ctx.format,
        dedupeKey: `${base}#${occurrence}`,
        product: productTag,
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
