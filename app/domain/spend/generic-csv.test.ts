import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SpendEntry } from "~/domain/spend/entry";
import { collectSpend } from "~/domain/spend/parse";
import { rateCardFromJson } from "~/domain/spend/rate-card";

const fixtures = new URL("../../../tests/fixtures/", import.meta.url);
const rateCard = rateCardFromJson(
  JSON.parse(readFileSync(new URL("../../data/rate-card.json", import.meta.url), "utf8")),
);
const csv = readFileSync(new URL("samples/generic-spend.csv", fixtures), "utf8");
const sum = (entries: SpendEntry[], pick: (e: SpendEntry) => number | null) =>
  entries.reduce((total, e) => total + (pick(e) ?? 0), 0);

const sampleMapping = {
  date: "date",
  story: "story",
  model: "model",
  input_tokens: "input_tokens",
  output_tokens: "output_tokens",
  cache_read_tokens: "cache_read_tokens",
  cache_write_tokens: "cache_write_tokens",
  cost_usd: "cost_usd",
  user: "user",
};

describe("generic CSV", () => {
  it("reads the sample with a mapping: $0.1610321", async () => {
    const result = await collectSpend(csv, { rateCard, format: "generic-csv", mapping: sampleMapping });
    expect(result.issues).toEqual([]);
    expect(result.entries).toHaveLength(3);
    expect(sum(result.entries, (e) => e.costUsd)).toBeCloseTo(0.1610321, 12);
    expect(sum(result.entries, (e) => e.credits)).toBeCloseTo(16.10321, 10);
    expect(result.entries.map((e) => [e.line, e.storyKey, e.externalUser, e.modelId])).toEqual([
      [2, "PAY-412", "dana-k", "claude-sonnet-4-6"],
      [3, "PAY-415", "ravi-m", "gpt-5.4"],
      [4, "WEB-77", "ravi-m", "claude-haiku-4-5"],
    ]);
    expect(result.entries[0]).toMatchObject({
      source: "generic-csv",
      inputTokens: 9,
      outputTokens: 1989,
      cacheReadTokens: 98542,
      cacheWriteTokens: 4222,
      pricedBy: "source",
    });
  });

  it("guesses the same columns without a mapping, and the rows add up at list price", async () => {
    const guessed = await collectSpend(csv, { rateCard });
    expect(guessed.format).toBe("generic-csv");
    const mapped = await collectSpend(csv, { rateCard, mapping: sampleMapping });
    expect(guessed.entries).toEqual(mapped.entries);
    // Without the cost column the rate card prices the tokens to the same total.
    const priced = await collectSpend(csv, { rateCard, mapping: { cost_usd: null } });
    expect(priced.entries.every((e) => e.pricedBy === "rate-card")).toBe(true);
    expect(sum(priced.entries, (e) => e.costUsd)).toBeCloseTo(0.1610321, 12);
  });

  it("dedupes on all mapped values, or on the id column when there is one", async () => {
    const { entries } = await collectSpend(csv, { rateCard, mapping: sampleMapping });
    expect(entries[2]!.dedupeKey).toBe(
      'generic-csv:["2026-11-25","ravi-m","claude-haiku-4-5","WEB-77","2400","160","0","0","0.0032"]',
    );
    const withId = await collectSpend("Ref,When,Cost\nA-1,2026-11-24,1\nA-1,2026-11-24,1\n", {
      rateCard,
      mapping: { id: "Ref", date: "When", cost_usd: "Cost" },
    });
    expect(withId.entries.map((e) => e.dedupeKey)).toEqual(['generic-csv:["A-1"]']);
    expect(withId.skipped).toEqual([{ line: 3, reason: "duplicate of an earlier line", duplicateOf: 2 }]);
  });

  it("maps a spreadsheet's own headers, with ; delimiters, decimal commas and date + time columns", async () => {
    const text = [
      "Tag;Day;At;Who;Engine;Tokens in;Tokens out;Credits",
      "PAY-412;2026-11-24;09:30;dana@acme.test;claude-sonnet-4-6;100;10;12,5",
      "PAY-415;2026/11/25;23:59:59;ravi@acme.test;no-such-model;1000;0;",
    ].join("\n");
    const result = await collectSpend(text, {
      rateCard,
      format: "generic-csv",
      mapping: {
        story: "Tag",
        date: "Day",
        time: "At",
        user: "Who",
        model: "Engine",
        input_tokens: "Tokens in",
        output_tokens: "Tokens out",
        credits: "Credits",
      },
    });
    expect(result.issues).toEqual([]);
    expect(result.entries.map((e) => [e.occurredAt, e.credits, e.costUsd, e.pricedBy])).toEqual([
      ["2026-11-24T09:30:00.000Z", 12.5, 0.125, "source"],
      // No credits and an unknown model: kept, unpriced.
      ["2026-11-25T23:59:59.000Z", null, null, null],
    ]);
    expect(result.entries[1]).toMatchObject({ inputTokens: 1000, storyKey: "PAY-415" });
  });

  it("explains an unusable mapping on the header line", async () => {
    const missing = await collectSpend(csv, { rateCard, format: "generic-csv", mapping: { cost_usd: "Amount" } });
    expect(missing.issues).toEqual([{ line: 1, reason: 'column "Amount" (mapped to cost_usd) is not in the header' }]);
    const useless = await collectSpend("a,b\n1,2\n", { rateCard, format: "generic-csv" });
    expect(useless.issues).toEqual([
      {
        line: 1,
        reason:
          "cannot map this CSV: needs a date or time column and a cost_usd or credits column, or a model with token columns",
      },
    ]);
  });

  it("names bad rows", async () => {
    const text = `${csv.trimEnd()}\n2026-11-26,X-1,gpt-5,1.5,0,0,0,,dana-k\nsoon,X-2,gpt-5,1,0,0,0,0.1,dana-k\n`;
    const result = await collectSpend(text, { rateCard, mapping: sampleMapping });
    expect(result.entries).toHaveLength(3);
    expect(result.issues).toEqual([
      { line: 5, reason: 'input_tokens is not a whole number of tokens: "1.5"' },
      { line: 6, reason: 'date is not a date or timestamp: "soon"' },
    ]);
  });
});
