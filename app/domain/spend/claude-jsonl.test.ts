import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SpendEntry } from "~/domain/spend/entry";
import { collectSpend } from "~/domain/spend/parse";
import { rateCardFromJson, repriceEntry, type RateCard } from "~/domain/spend/rate-card";

const fixtures = new URL("../../../tests/fixtures/", import.meta.url);
const rateCard = rateCardFromJson(
  JSON.parse(readFileSync(new URL("../../data/rate-card.json", import.meta.url), "utf8")),
);
const jsonl = readFileSync(new URL("samples/claude-code-session.jsonl", fixtures), "utf8");
const lines = jsonl.trimEnd().split("\n");
const sum = (entries: SpendEntry[], pick: (e: SpendEntry) => number | null) =>
  entries.reduce((total, e) => total + (pick(e) ?? 0), 0);

function assistantLine(overrides: Record<string, unknown> = {}, message: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: "assistant",
    sessionId: "s-1",
    gitBranch: "feat/PAY-999-x",
    timestamp: "2026-11-24T10:00:00.000Z",
    requestId: "req_x",
    ...overrides,
    message: {
      id: "msg_x",
      model: "claude-sonnet-4-6",
      usage: { input_tokens: 1_000_000, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      ...message,
    },
  });
}

describe("Claude Code session log", () => {
  it("prices the three assistant calls: $0.0769071 = 7.69071 credits, all PAY-412", async () => {
    const result = await collectSpend(jsonl, { rateCard });
    expect(result.format).toBe("claude-jsonl");
    expect(result.issues).toEqual([]);
    expect(result.entries).toHaveLength(3);
    expect(sum(result.entries, (e) => e.costUsd)).toBeCloseTo(0.0769071, 12);
    expect(sum(result.entries, (e) => e.credits)).toBeCloseTo(7.69071, 10);
    expect(result.entries.map((e) => e.storyKey)).toEqual(["PAY-412", "PAY-412", "PAY-412"]);
    expect(result.entries.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(result.entries.map((e) => e.costUsd)).toEqual([0.0323241, 0.042933, 0.00165]);
    expect(result.entries[0]).toMatchObject({
      source: "claude-jsonl",
      dedupeKey: 'claude-jsonl:["msg_01HA7k","req_011CVa1Qa"]',
      occurredAt: "2026-11-24T08:14:03.512Z",
      day: "2026-11-24",
      model: "claude-sonnet-4-6",
      modelId: "claude-sonnet-4-6",
      inputTokens: 6,
      cacheReadTokens: 48112,
      cacheWriteTokens: 2318,
      outputTokens: 612,
      pricedBy: "rate-card",
      sessionId: "9b3c2f1e-5d7a-4c1e-8f2b-0a6d4e1c7b93",
      repository: "payments-api",
      aggregated: false,
    });
  });

  it("counts the sidechain (sub-agent) call, priced by its dated model id", async () => {
    const { entries } = await collectSpend(jsonl, { rateCard });
    expect(entries[2]).toMatchObject({
      model: "claude-haiku-4-5-20251001",
      modelId: "claude-haiku-4-5",
      costUsd: 0.00165,
    });
  });

  it("detects repeated lines of a resumed session and keeps the first", async () => {
    // A resumed session: the log is replayed, then continues.
    const resumed = [...lines, ...lines.slice(1, 4), assistantLine()].join("\n");
    const result = await collectSpend(resumed, { rateCard });
    expect(result.issues).toEqual([]);
    expect(result.entries.map((e) => e.line)).toEqual([3, 4, 5, 9]);
    expect(result.skipped).toEqual([
      { line: 7, reason: "duplicate of an earlier line", duplicateOf: 3 },
      { line: 8, reason: "duplicate of an earlier line", duplicateOf: 4 },
    ]);
    expect(sum(result.entries.slice(0, 3), (e) => e.credits)).toBeCloseTo(7.69071, 10);
  });

  it("takes the story key from the branch with the team's pattern", async () => {
    const branch = (gitBranch: string, keyPattern?: string) =>
      collectSpend(assistantLine({ gitBranch }), { rateCard, keyPattern }).then((r) => r.entries[0]?.storyKey);
    expect(await branch("feat/PAY-412-retry")).toBe("PAY-412");
    expect(await branch("main")).toBeNull();
    expect(await branch("fix/pay-412-lowercase")).toBeNull();
    expect(await branch("fix/pay-412-lowercase", "(?i)[a-z]+-\\d+")).toBe("pay-412");
    expect(await branch("feature/issue-77", "#?\\d+")).toBe("77");
    expect(await branch("feature/PAY-412", "WEB-\\d+")).toBeNull();
  });

  it("keeps calls to a model missing from the rate card, unpriced, ready for re-pricing", async () => {
    const result = await collectSpend(assistantLine({}, { model: "claude-fable-9" }), { rateCard });
    expect(result.issues).toEqual([]);
    const [entry] = result.entries;
    expect(entry).toMatchObject({
      model: "claude-fable-9",
      modelId: null,
      costUsd: null,
      credits: null,
      pricedBy: null,
    });
    expect(entry!.inputTokens).toBe(1_000_000);
    const card: RateCard = {
      ...rateCard,
      models: [...rateCard.models, { ...rateCard.models[0]!, id: "claude-fable-9", aliases: [], inputUsdPerMTok: 7 }],
    };
    expect(repriceEntry(entry!, card)).toMatchObject({ costUsd: 7, credits: 700, pricedBy: "rate-card" });
  });

  it("names the line of bad JSON, bad usage and a truncated last line", async () => {
    const text = [
      lines[0],
      "{not json",
      assistantLine({ requestId: "r2" }, { id: "m2", usage: { input_tokens: -5, output_tokens: 1 } }),
      assistantLine({ requestId: "r3", timestamp: "yesterday" }, { id: "m3" }),
      "[1,2]",
      lines[2],
      lines[3]!.slice(0, 120),
    ].join("\n");
    const result = await collectSpend(text, { rateCard });
    expect(result.entries.map((e) => e.line)).toEqual([6]);
    expect(result.issues.map((i) => i.line)).toEqual([2, 3, 4, 5, 7]);
    expect(result.issues[1]!.reason).toBe('input_tokens is not a whole number of tokens: "-5"');
    expect(result.issues[2]!.reason).toBe('timestamp is not a date or timestamp: "yesterday"');
    expect(result.issues[4]!.reason).toMatch(/^not valid JSON \(truncated line\?\)/);
  });

  it("ignores lines that are not billable calls", async () => {
    const text = [
      lines[0],
      lines[1],
      JSON.stringify({
        type: "assistant",
        message: { model: "<synthetic>", usage: { input_tokens: 0, output_tokens: 0 } },
      }),
      JSON.stringify({ type: "system", content: "compacted" }),
      "",
      "   ",
    ].join("\r\n");
    const result = await collectSpend(text, { rateCard, format: "claude-jsonl" });
    expect(result).toMatchObject({ entries: [], issues: [], skipped: [] });
  });

  it("reports an over-long line without holding it", async () => {
    const text = [
      assistantLine(),
      `{"type":"user","x":"${"y".repeat(5000)}"}`,
      assistantLine({ requestId: "r9" }),
    ].join("\n");
    const result = await collectSpend(text, { rateCard, maxLineChars: 1000 });
    expect(result.issues).toEqual([{ line: 2, reason: "line is longer than 1000 characters" }]);
    expect(result.entries.map((e) => e.line)).toEqual([1, 3]);
  });
});
