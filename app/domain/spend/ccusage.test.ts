import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { locateValues } from "~/domain/spend/ccusage";
import type { SpendEntry } from "~/domain/spend/entry";
import { collectSpend } from "~/domain/spend/parse";
import { rateCardFromJson } from "~/domain/spend/rate-card";

const fixtures = new URL("../../../tests/fixtures/", import.meta.url);
const rateCard = rateCardFromJson(
  JSON.parse(readFileSync(new URL("../../data/rate-card.json", import.meta.url), "utf8")),
);
const sessionJson = readFileSync(new URL("samples/ccusage-session.json", fixtures), "utf8");
/** 1-based line of the first line containing `needle`. */
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;
const sum = (entries: SpendEntry[], pick: (e: SpendEntry) => number | null) =>
  entries.reduce((total, e) => total + (pick(e) ?? 0), 0);

const breakdown = (modelName: string, cost?: number) => ({
  modelName,
  inputTokens: 1_000_000,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  ...(cost === undefined ? {} : { cost }),
});

describe("ccusage session --json", () => {
  it("reads one entry per session × model with the report's own cost", async () => {
    const result = await collectSpend(sessionJson, { rateCard });
    expect(result.format).toBe("ccusage");
    expect(result.issues).toEqual([]);
    expect(result.entries).toHaveLength(4);
    expect(sum(result.entries, (e) => e.costUsd)).toBeCloseTo(18.3577, 9);
    expect(sum(result.entries, (e) => e.credits)).toBeCloseTo(1835.77, 7);
    expect(result.entries.map((e) => [e.line, e.model, e.costUsd])).toEqual([
      [2, "claude-sonnet-4-6", 7.5423],
      [2, "claude-opus-4-7", 5.4],
      [3, "claude-sonnet-4-6", 3.6742],
      [4, "claude-sonnet-4-6", 1.7412],
    ]);
    expect(result.entries[0]).toMatchObject({
      source: "ccusage",
      dedupeKey: 'ccusage:["session","9b3c2f1e-5d7a-4c1e-8f2b-0a6d4e1c7b93","claude-sonnet-4-6"]',
      occurredAt: "2026-11-24T11:47:02.903Z",
      day: "2026-11-24",
      sessionId: "9b3c2f1e-5d7a-4c1e-8f2b-0a6d4e1c7b93",
      repository: "payments-api",
      inputTokens: 6120,
      outputTokens: 88410,
      cacheWriteTokens: 702330,
      cacheReadTokens: 11880220,
      pricedBy: "source",
      aggregated: true,
    });
  });

  it("reads the shape the docs show: a bare array, date-only lastActivity, totalCost per breakdown", async () => {
    const docs = JSON.stringify(
      [
        {
          sessionId: "project/abc123-def456",
          lastActivity: "2025-03-15",
          modelsUsed: ["claude-sonnet-4-20250514"],
          modelBreakdowns: [{ ...breakdown("claude-sonnet-4-5-20250929"), totalCost: 0.45 }],
        },
      ],
      null,
      2,
    );
    const result = await collectSpend(docs, { rateCard });
    expect(result.format).toBe("ccusage");
    expect(result.issues).toEqual([]);
    expect(result.entries).toEqual([
      expect.objectContaining({
        // The breakdown's opening brace, the line before its modelName.
        line: lineOf(docs, '"modelName"') - 1,
        day: "2025-03-15",
        sessionId: "project/abc123-def456",
        modelId: "claude-sonnet-4-6",
        costUsd: 0.45,
        credits: 45,
      }),
    ]);
  });

  // Issue 14: a breakdown without its own cost shares the record's stated cost (it used to be re-priced
  // from the rate card, which lost Codex reports' costUSD).
  it("reads daily reports, keyed by date + model, breakdowns without a cost sharing the record's", async () => {
    const daily = JSON.stringify(
      {
        daily: [
          { date: "2026-11-24", totalCost: 3, modelBreakdowns: [breakdown("claude-sonnet-4-6")] },
          { date: "2026-11-25", modelsUsed: ["gpt-5.4"], inputTokens: 1_000_000, costUSD: 2.5 },
        ],
        totals: { totalCost: 5.5 },
      },
      null,
      2,
    );
    const result = await collectSpend(daily, { rateCard });
    expect(result.issues).toEqual([]);
    expect(result.entries.map((e) => [e.line, e.day, e.model, e.costUsd, e.pricedBy, e.dedupeKey])).toEqual([
      [
        lineOf(daily, '"modelName"') - 1,
        "2026-11-24",
        "claude-sonnet-4-6",
        3,
        "source",
        'ccusage:["day","2026-11-24","","claude-sonnet-4-6"]',
      ],
      // No breakdown: the record's own line.
      [
        lineOf(daily, '"2026-11-25"') - 1,
        "2026-11-25",
        "gpt-5.4",
        2.5,
        "source",
        'ccusage:["day","2026-11-25","","gpt-5.4"]',
      ],
    ]);
  });

  it("reads monthly, weekly and per-project daily reports", async () => {
    const monthly = await collectSpend(
      JSON.stringify({ monthly: [{ month: "2026-11", modelBreakdowns: [breakdown("gpt-5", 1)] }] }),
      {
        rateCard,
      },
    );
    expect(monthly.entries[0]).toMatchObject({ day: "2026-11-01", costUsd: 1 });
    const projects = await collectSpend(
      JSON.stringify({
        projects: { "payments-api": [{ date: "2026-11-24", modelBreakdowns: [breakdown("gpt-5", 1)] }] },
      }),
      { rateCard, format: "ccusage" },
    );
    expect(projects.issues).toEqual([]);
    expect(projects.entries[0]).toMatchObject({
      repository: "payments-api",
      dedupeKey: 'ccusage:["day","2026-11-24","payments-api","gpt-5"]',
    });
  });

  it("reads `session --id` output, one entry per request", async () => {
    const result = await collectSpend(
      JSON.stringify({
        sessionId: "s-1",
        totalCost: 1,
        entries: [{ timestamp: "2026-11-24T08:00:00Z", model: "gpt-5", inputTokens: 10, costUSD: 1 }],
      }),
      { rateCard, format: "ccusage" },
    );
    expect(result.entries[0]).toMatchObject({ sessionId: "s-1", aggregated: false, costUsd: 1, inputTokens: 10 });
  });

  it("keeps an unknown model unpriced and names the line of a bad record", async () => {
    const text = JSON.stringify(
      {
        sessions: [
          { sessionId: "a", lastActivity: "2026-11-24", modelBreakdowns: [breakdown("mystery-1")] },
          { sessionId: "b", lastActivity: "whenever", modelBreakdowns: [breakdown("gpt-5")] },
          {
            sessionId: "c",
            lastActivity: "2026-11-24",
            modelBreakdowns: [{ ...breakdown("gpt-5"), inputTokens: "many" }],
          },
          "oops",
        ],
      },
      null,
      1,
    );
    const result = await collectSpend(text, { rateCard });
    expect(result.entries).toEqual([
      expect.objectContaining({ model: "mystery-1", credits: null, inputTokens: 1_000_000 }),
    ]);
    expect(result.issues).toEqual([
      { line: lineOf(text, '"b"') - 1, reason: 'lastActivity is not a date or timestamp: "whenever"' },
      { line: lineOf(text, '"many"') - 2, reason: 'inputTokens is not a number: "many"' },
      { line: lineOf(text, '"oops"'), reason: "record is not a JSON object" },
    ]);
  });

  it("reports truncated JSON, an empty document, a non-ccusage document and an oversize file", async () => {
    const cut = await collectSpend(sessionJson.slice(0, 900), { rateCard });
    expect(cut.entries).toEqual([]);
    expect(cut.issues).toHaveLength(1);
    expect(cut.issues[0]!.reason).toMatch(/^not valid JSON \(truncated file\?\)/);
    expect(cut.issues[0]!.line).toBeGreaterThanOrEqual(1);

    expect((await collectSpend("{}", { rateCard, format: "ccusage" })).issues).toEqual([
      { line: 1, reason: "no ccusage records found (expected daily, weekly, monthly, session or blocks)" },
    ]);
    // Issue 14: blocks reports are read now (they used to be refused), with a note on what they hold.
    const blocks = await collectSpend('{"blocks":[]}', { rateCard, format: "ccusage" });
    expect(blocks.issues).toEqual([]);
    expect(blocks.notes.join(" ")).toMatch(/5-hour/);
    expect((await collectSpend("[]", { rateCard })).issues).toEqual([]);
    expect((await collectSpend(sessionJson, { rateCard, maxJsonChars: 1000 })).issues).toEqual([
      { line: 1, reason: "the JSON document is larger than 1000 characters" },
    ]);
  });
});

describe("locateValues", () => {
  it("finds where each value starts", () => {
    const text = '{\n "a": [\n  {"b": 1},\n  [2, "x]"]\n ]\n}';
    const offsets = locateValues(text, 3);
    expect(offsets.get("")).toBe(0);
    expect(text.slice(offsets.get("a/0")!)).toMatch(/^\{"b"/);
    expect(text.slice(offsets.get("a/1/1")!)).toMatch(/^"x\]"/);
    expect(offsets.has("a/0/b")).toBe(true);
  });

  it("copes with deep nesting without recursion", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(locateValues(deep, 3).size).toBe(4);
  });
});
