import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { splitCsvLine } from "~/domain/spend/csv-records";
import type { SpendEntry } from "~/domain/spend/entry";
import { collectSpend } from "~/domain/spend/parse";
import { rateCardFromJson } from "~/domain/spend/rate-card";

const fixtures = new URL("../../../tests/fixtures/", import.meta.url);
const rateCard = rateCardFromJson(
  JSON.parse(readFileSync(new URL("../../data/rate-card.json", import.meta.url), "utf8")),
);
const sample = (name: string) => readFileSync(new URL(`samples/${name}`, fixtures), "utf8");
const sum = (entries: SpendEntry[], pick: (e: SpendEntry) => number | null) =>
  entries.reduce((total, e) => total + (pick(e) ?? 0), 0);

/** The same CSV with its columns in another order, every field quoted, a BOM and CRLF line ends. */
function reshuffle(csv: string): string {
  const rows = csv
    .trimEnd()
    .split("\n")
    .map((line) => splitCsvLine(line.replace(/\r$/, "")));
  const order = rows[0]!.map((_, i) => i).reverse();
  order.push(order.shift()!);
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  return `\uFEFF${rows.map((r) => order.map((i) => quote(r[i] ?? "")).join(",")).join("\r\n")}\r\n`;
}

describe("Copilot AI usage report", () => {
  it("reads the sample: 4 rows, 894.409 credits, priced by the report", async () => {
    const result = await collectSpend(sample("copilot-ai-usage.csv"), { rateCard });
    expect(result.format).toBe("copilot-usage");
    expect(result.issues).toEqual([]);
    expect(result.entries).toHaveLength(4);
    expect(sum(result.entries, (e) => e.credits)).toBeCloseTo(894.409, 9);
    expect(sum(result.entries, (e) => e.costUsd)).toBeCloseTo(8.94409, 9);
    expect(result.entries.every((e) => e.pricedBy === "source" && e.aggregated)).toBe(true);

    const [sonnet, gpt, haiku, review] = result.entries;
    expect(sonnet).toMatchObject({
      line: 2,
      source: "copilot-usage",
      day: "2026-11-24",
      occurredAt: "2026-11-24T00:00:00.000Z",
      model: "Claude Sonnet 4.6",
      modelId: "claude-sonnet-4-6",
      externalUser: "dana-k",
      repository: "acme-eng/payments-api",
      credits: 378.159,
      costUsd: 3.78159,
      poolCredits: 378.159,
      paidCredits: 0,
      inputTokens: 412300,
      outputTokens: 38950,
      cacheReadTokens: 3904800,
      cacheWriteTokens: 210400,
    });
    // discount 0, net 4.4605: all of it is paid beyond the pool.
    expect(gpt).toMatchObject({ credits: 446.05, poolCredits: 0, paidCredits: 446.05 });
    expect(haiku).toMatchObject({ model: "Auto: Claude Haiku 4.5", modelId: "claude-haiku-4-5", credits: 57.7 });
    // An org-level charge: no username, a model the rate card does not know, still priced.
    expect(review).toMatchObject({ externalUser: null, model: "Code Review model", modelId: null, credits: 12.5 });
  });

  // Issue 14: the key ends in the row's occurrence number among rows with the same values (#1 here).
  it("keys rows by date, user, organization, repository, sku and model, and their occurrence", async () => {
    const { entries } = await collectSpend(sample("copilot-ai-usage.csv"), { rateCard });
    expect(entries[0]!.dedupeKey).toBe(
      'copilot-usage:["2026-11-24","dana-k","acme-eng","acme-eng/payments-api","copilot_ai_credit","Claude Sonnet 4.6"]#1',
    );
    expect(new Set(entries.map((e) => e.dedupeKey)).size).toBe(4);
  });

  it("never uses the rate card for ai-credits rows", async () => {
    const emptyCard = { creditValueUsd: 0.01, models: [] };
    const { entries } = await collectSpend(sample("copilot-ai-usage.csv"), { rateCard: emptyCard });
    expect(sum(entries, (e) => e.credits)).toBeCloseTo(894.409, 9);
  });

  it("gives the same entries with columns shuffled, every field quoted, a BOM and CRLF", async () => {
    const original = await collectSpend(sample("copilot-ai-usage.csv"), { rateCard });
    const shuffled = await collectSpend(reshuffle(sample("copilot-ai-usage.csv")), { rateCard });
    expect(shuffled.issues).toEqual([]);
    expect(shuffled.format).toBe("copilot-usage");
    expect(shuffled.entries).toEqual(original.entries);
  });

  it("names the line of each malformed row and still reads the good ones", async () => {
    const lines = sample("copilot-ai-usage.csv").trimEnd().split("\n");
    const broken = [
      lines[0],
      lines[1],
      lines[2]!.replace("446.05,ai-credits", "lots,ai-credits"),
      lines[3]!.replace("2026-11-25", "2026-13-45"),
      lines[4]!.replace("ai-credits", "minutes"),
      "2026-11-26,dana-k,copilot",
    ].join("\n");
    const result = await collectSpend(broken, { rateCard });
    expect(result.entries.map((e) => e.line)).toEqual([2]);
    expect(result.issues).toEqual([
      { line: 3, reason: 'quantity is not a number: "lots"' },
      { line: 4, reason: 'date is not a date or timestamp: "2026-13-45"' },
      { line: 6, reason: expect.stringContaining("row has 3 fields, the header has 21") },
    ]);
    expect(result.skipped).toEqual([{ line: 5, reason: 'unit_type "minutes" is not ai-credits or requests' }]);
  });

  it("skips rows of other products in a full billing export", async () => {
    const csv = [
      "date,product,sku,quantity,unit_type,username",
      "2026-11-24,actions,actions_linux,120,minutes,dana-k",
      "2026-11-24,copilot,copilot_ai_credit,10,ai-credits,dana-k",
    ].join("\n");
    const result = await collectSpend(csv, { rateCard, format: "copilot-usage" });
    expect(result.issues).toEqual([]);
    expect(result.skipped).toEqual([{ line: 2, reason: 'product "actions" is not Copilot' }]);
    expect(result.entries).toHaveLength(1);
    expect(result.entries[0]).toMatchObject({ credits: 10, poolCredits: null, paidCredits: null });
  });

  it("counts a unit it does not know (not requests, not a non-AI unit) as AI credits, as GitHub's tooling does", async () => {
    const csv = [
      "date,username,product,sku,model,quantity,unit_type,gross_amount",
      "2026-11-24,dana-k,copilot,copilot_agent_session,Agent model,7.5,agent-units,0.075",
      "2026-11-24,dana-k,copilot,copilot_premium_request,GPT-5.4,2,requests,0.08",
    ].join("\n");
    const result = await collectSpend(csv, { rateCard, format: "copilot-usage" });
    expect(result.issues).toEqual([]);
    expect(result.entries.map((e) => [e.credits, e.costUsd])).toEqual([
      [7.5, 0.075],
      [8, 0.08],
    ]);
  });

  it("says which required columns are missing", async () => {
    const result = await collectSpend("date,username,model\n2026-11-24,dana-k,GPT-5\n", {
      rateCard,
      format: "copilot-usage",
    });
    expect(result.entries).toEqual([]);
    expect(result.issues).toEqual([
      { line: 1, reason: "not a Copilot usage report: missing columns quantity, unit_type" },
    ]);
  });
});

describe("Copilot premium request report", () => {
  it("reads the sample: 52.5 requests at $0.04 = 210 credits", async () => {
    const result = await collectSpend(sample("copilot-premium-requests.csv"), { rateCard });
    expect(result.format).toBe("copilot-premium");
    expect(result.issues).toEqual([]);
    expect(result.entries).toHaveLength(3);
    expect(sum(result.entries, (e) => e.credits)).toBeCloseTo(210, 9);
    expect(sum(result.entries, (e) => e.costUsd)).toBeCloseTo(2.1, 9);
    expect(result.entries.map((e) => [e.credits, e.poolCredits, e.paidCredits])).toEqual([
      [108, 108, 0],
      [90, 0, 90],
      [12, 12, 0],
    ]);
    expect(result.entries[0]).toMatchObject({ source: "copilot-premium", repository: null, aggregated: true });
  });

  it("follows the credit value parameter", async () => {
    const { entries } = await collectSpend(sample("copilot-premium-requests.csv"), { rateCard, creditValueUsd: 0.04 });
    expect(sum(entries, (e) => e.credits)).toBeCloseTo(52.5, 9);
  });

  it("reads old exports with spaced, capitalised headers", async () => {
    const csv = [
      "Date,Username,Product,SKU,Model,Quantity,Unit Type,Price Per Unit ($),Total Amount ($),Exceeds Monthly Quota,Total Monthly Quota,Organization",
      "2025-05-12,dana-k,Copilot,Copilot Premium Request,Claude Sonnet 4,3.0,requests,0.04,0.12,False,300,acme-eng",
    ].join("\r\n");
    const result = await collectSpend(csv, { rateCard });
    expect(result.format).toBe("copilot-premium");
    expect(result.issues).toEqual([]);
    expect(result.entries[0]).toMatchObject({ credits: 12, costUsd: 0.12, externalUser: "dana-k" });
  });
});
