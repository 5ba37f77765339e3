// The importers against public files (tests/fixtures/external/, provenance in its README): each file's
// tokens, credits and entry counts compared with the figures its origin states or computes by its own
// documented rules. Any difference is explained where it is asserted.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SpendEntry } from "~/domain/spend/entry";
import { collectSpend } from "~/domain/spend/parse";
import { rateCardFromJson, type RateCard } from "~/domain/spend/rate-card";

const external = new URL("../../../tests/fixtures/external/", import.meta.url);
const file = (name: string) => readFileSync(new URL(name, external), "utf8");
const rateCard = rateCardFromJson(
  JSON.parse(readFileSync(new URL("../../data/rate-card.json", import.meta.url), "utf8")),
);

function totals(entries: SpendEntry[]) {
  const sum = (pick: (e: SpendEntry) => number | null) => entries.reduce((s, e) => s + (pick(e) ?? 0), 0);
  return {
    entries: entries.length,
    input: sum((e) => e.inputTokens),
    output: sum((e) => e.outputTokens),
    cacheWrite: sum((e) => e.cacheWriteTokens),
    cacheRead: sum((e) => e.cacheReadTokens),
    usd: Number(sum((e) => e.costUsd).toFixed(9)),
  };
}

const read = async (name: string, card: RateCard = rateCard) => {
  const result = await collectSpend(file(name), { rateCard: card });
  expect(result.issues).toEqual([]);
  return result;
};

describe("Claude Code transcripts (ccusage's fixtures and tests)", () => {
  it("ccusage's fixture without `type` fields: every call read, priced by its own costUSD (ccusage auto mode)", async () => {
    const alpha = await read("ccusage-claude-alpha.jsonl");
    // ccusage: 3 entries, 600 input, 250 output, 75 cache creation, 70 cache read, $1.02 (0.12 + 0.34 + 0.56).
    expect(totals(alpha.entries)).toEqual({
      entries: 3,
      input: 600,
      output: 250,
      cacheWrite: 75,
      cacheRead: 70,
      usd: 1.02,
    });
    expect(alpha.entries.map((e) => e.pricedBy)).toEqual(["source", "source", "source"]);
    expect(alpha.entries.map((e) => e.fast)).toEqual([false, true, false]);
    const beta = await read("ccusage-claude-beta.jsonl");
    expect(totals(beta.entries)).toEqual({
      entries: 2,
      input: 130,
      output: 60,
      cacheWrite: 15,
      cacheRead: 40,
      usd: 0.07,
    });
  });

  it("streaming duplicates (ccusage issue #901): the most complete copy is kept", async () => {
    const result = await read("claude-streaming-duplicates.jsonl");
    // The issue's figures: records of 9, 9 and 159 output tokens; the correct value is 159.
    expect(totals(result.entries)).toMatchObject({
      entries: 1,
      output: 159,
      input: 10,
      cacheWrite: 11862,
      cacheRead: 15555,
    });
    expect(result.skipped.map((s) => s.line).sort()).toEqual([1, 2]);
  });

  it("a sidechain replay of a parent message with a new request id is not a new call (ccusage's Rust test)", async () => {
    const result = await read("claude-sidechain-replay.jsonl");
    // keeps_parent_usage_when_sidechain_replays_message_with_new_request_id: 2 entries, the parent's
    // 20 cache-read tokens (not the replay's 50,000) and the sidechain answer's 700.
    expect(totals(result.entries)).toMatchObject({ entries: 2, cacheRead: 720, output: 40 });
  });

  it("prices 1-hour cache writes at the 1-hour price (ccusage's cost tests)", async () => {
    // ccusage's test model: $1 input, $1.25 cache write, $0.10 cache read per token; 1-hour writes at 2x input.
    const testModel: RateCard = {
      creditValueUsd: 0.01,
      models: [
        {
          id: "claude-sonnet-4",
          provider: "anthropic",
          tier: null,
          aliases: ["claude-sonnet-4-20250514"],
          inputUsdPerMTok: 1e6,
          cacheReadUsdPerMTok: 0.1e6,
          cacheWriteUsdPerMTok: 1.25e6,
          cacheWrite1hUsdPerMTok: 2e6,
          outputUsdPerMTok: 10e6,
          effectiveFrom: null,
        },
      ],
    };
    const result = await read("claude-cache-1h.jsonl", testModel);
    // prices_cache_creation_breakdown_by_duration: 55.5 (the breakdown's 10 + 20 tokens, not the 999 flat count).
    expect(result.entries[0]).toMatchObject({ cacheWriteTokens: 30, cacheWrite1hTokens: 20, costUsd: 55.5 });
    // parses_cache_creation_breakdown_from_usage_json: 300 cache-creation tokens.
    expect(result.entries[1]).toMatchObject({ cacheWriteTokens: 300, cacheWrite1hTokens: 200 });
    // With the app's card (Sonnet 4: $3.75 5-minute, $6 1-hour, $0.30 read): 10*3.75 + 20*6 + 30*0.3 = 166.5 / MTok.
    const priced = await read("claude-cache-1h.jsonl");
    expect(priced.entries[0]!.costUsd).toBeCloseTo(166.5e-6, 12);
  });

  it("prices fast mode with the rate card's multiplier (ccusage's fast-multiplier-overrides.json)", async () => {
    // ccusage's fixture line 2 is a fast-mode call; without its costUSD (ccusage's calculate mode) and
    // on Opus 4.6 — 6x in ccusage's overrides — the card's price is six times the normal one.
    const line = JSON.parse(file("ccusage-claude-alpha.jsonl").split("\n")[1]!);
    delete line.costUSD;
    line.message.model = "claude-opus-4-6";
    const fast = await read2(JSON.stringify(line));
    line.message.usage.speed = "standard";
    const normal = await read2(JSON.stringify(line));
    expect(fast.costUsd! / normal.costUsd!).toBeCloseTo(6, 9);
    expect(fast).toMatchObject({ fast: true, pricedBy: "rate-card" });
  });
});

async function read2(text: string) {
  const result = await collectSpend(text, { rateCard });
  expect(result.issues).toEqual([]);
  return result.entries[0]!;
}

describe("ccusage JSON reports (ccusage's docs and CLI snapshots)", () => {
  it("daily --breakdown (docs/guide/json-output.md): one entry per model, the report's costs", async () => {
    const result = await read("ccusage-daily-breakdown.json");
    // The document: costUSD 17.58 = 10.25 + 7.33; 277 input, 31,456 output over two models.
    expect(totals(result.entries)).toEqual({
      entries: 2,
      input: 277,
      output: 31456,
      cacheWrite: 512,
      cacheRead: 1024,
      usd: 17.58,
    });
  });

  it("blocks (docs): 5-hour windows imported as one entry each, with a note saying so", async () => {
    const result = await read("ccusage-blocks.json");
    expect(totals(result.entries)).toEqual({
      entries: 1,
      input: 1250,
      output: 15000,
      cacheWrite: 256,
      cacheRead: 512,
      usd: 8.75,
    });
    expect(result.notes.join(" ")).toMatch(/5-hour/);
  });

  it("the {type, data, summary} envelope for session and monthly reports (docs)", async () => {
    const session = await read("ccusage-session-envelope.json");
    // Two models without a per-model breakdown: one entry with no single model, priced by the report.
    expect(totals(session.entries)).toMatchObject({ entries: 1, input: 4512, output: 350846, usd: 156.4 });
    expect(session.entries[0]).toMatchObject({ sessionId: "session-1", model: null, pricedBy: "source" });
    const monthly = await read("ccusage-monthly-envelope.json");
    // The summary's totalCostUSD: 336.47.
    expect(totals(monthly.entries)).toMatchObject({ entries: 1, input: 11174, output: 720366, usd: 336.47 });
  });

  it("daily --instances (ccusage's group_project_output snapshot): every project, the unknown bucket too", async () => {
    // The snapshot's three project lists (workspace/api, workspace/web, "unknown") of one record each,
    // two model breakdowns per record (cost 0.3 + 0.12): 6 entries, $1.26, 3 × 1,234 input, 3 × 567 output.
    const result = await read("ccusage-projects-snapshot.json");
    expect(totals(result.entries)).toEqual({
      entries: 6,
      input: 3702,
      output: 1701,
      cacheWrite: 267,
      cacheRead: 30,
      usd: 1.26,
    });
    expect(new Set(result.entries.map((e) => e.day))).toEqual(new Set(["2026-01-02", "2026-01-03", "2026-01-04"]));
  });

  it("a per-agent (opencode) daily and weekly report (ccusage's Rust snapshot): the report's totalCost", async () => {
    // agent_summary_json_period_keys_and_session_metadata: dailyReport totals 100 in, 50 out, 10 cache
    // creation, 5 cache read, totalCost 0.25; the weekly row the same, on the week of 2025-12-29.
    // The rows' `credits: 1.5` are the agent's own credits, not AI credits: the price is totalCost.
    for (const name of ["ccusage-opencode-daily-snapshot.json", "ccusage-opencode-weekly-snapshot.json"]) {
      const result = await read(name);
      expect(totals(result.entries)).toEqual({
        entries: 1,
        input: 100,
        output: 50,
        cacheWrite: 10,
        cacheRead: 5,
        usd: 0.25,
      });
      // Two models and no per-model breakdown: one entry with no single model, priced by the report.
      expect(result.entries[0]).toMatchObject({ model: null, pricedBy: "source", credits: 25 });
    }
    expect((await read("ccusage-opencode-weekly-snapshot.json")).entries[0]!.day).toBe("2025-12-29");
  });

  it("a per-agent session report has no dates, so it is refused with a message that says so", async () => {
    // A deliberate difference: ccusage's per-agent session report (report_from_rows, as
    // `ccusage opencode session --json` prints it) leaves out lastActivity and firstActivity, so its
    // $0.25 cannot be put on any day. The file is refused, naming the daily report to import instead.
    const result = await collectSpend(file("ccusage-opencode-session-snapshot.json"), { rateCard });
    expect(result.entries).toEqual([]);
    expect(result.issues).toEqual([
      {
        line: expect.any(Number),
        reason: expect.stringMatching(/no lastActivity.*per-agent session reports.*daily report/),
      },
    ]);
  });

  it("`session --id` output as ccusage prints it (pretty-printed): detected as ccusage, one entry per request", async () => {
    // Built by ccusage's own rule (run_session_id in rust/crates/ccusage/src/commands/mod.rs) from its
    // fixture session-alpha: totalCost 1.02 (the lines' costUSD, auto mode), totalTokens 995, 3 entries.
    // Its first line is a lone "{" and its first key "sessionId" — once mistaken for a transcript.
    const result = await read("ccusage-session-id-alpha.json");
    expect(result.format).toBe("ccusage");
    expect(totals(result.entries)).toEqual({
      entries: 3,
      input: 600,
      output: 250,
      cacheWrite: 75,
      cacheRead: 70,
      usd: 1.02,
    });
    const all = totals(result.entries);
    expect(all.input + all.output + all.cacheWrite + all.cacheRead).toBe(995);
    expect(result.entries.every((e) => e.sessionId === "session-alpha")).toBe(true);
  });

  it("a Codex daily report (ccusage's Rust snapshot): costUSD kept, totals as the report's", async () => {
    const result = await read("ccusage-codex-daily.json");
    // totals: costUSD 0.00041075, 110 input, 110 cache read, 17 output. (This report's cacheReadTokens
    // are outside inputTokens; reasoningOutputTokens are part of the output and not added again.)
    expect(totals(result.entries)).toEqual({
      entries: 2,
      input: 110,
      output: 17,
      cacheWrite: 0,
      cacheRead: 110,
      usd: 0.00041075,
    });
    // @ccusage/codex's older shape counts cachedInputTokens inside inputTokens: not counted twice.
    const older = await collectSpend(
      JSON.stringify({
        daily: [
          {
            date: "2026-05-13",
            inputTokens: 1000,
            cachedInputTokens: 250,
            outputTokens: 125,
            costUSD: 0.5,
            models: { "gpt-5": { inputTokens: 1000, cachedInputTokens: 250, outputTokens: 125 } },
          },
        ],
      }),
      { rateCard },
    );
    expect(totals(older.entries)).toMatchObject({ input: 750, cacheRead: 250, usd: 0.5 });
  });
});

describe("GitHub Copilot reports (github/copilot-billing-preview's test rows)", () => {
  it("a transition-period report: every row counts, AI credits from aic_quantity, Spark tagged", async () => {
    const result = await read("copilot-transition-requests.csv");
    // The tool's AIC total: 1.5 + 222.17411999999996 + 1.5 (the third row repeats the first; both count).
    expect(result.entries).toHaveLength(3);
    expect(result.skipped).toEqual([]);
    const credits = result.entries.reduce((s, e) => s + (e.credits ?? 0), 0);
    expect(credits).toBeCloseTo(225.17412, 6);
    expect(result.entries.map((e) => e.product ?? null)).toEqual([null, "spark", null]);
  });

  it("the tool's 1,693-row transition-period sample export: every row counts, same-key rows too", async () => {
    // asizikov-demos/copilot-premium-requests-report-viewer's own sample (public/data/pru-example.csv):
    // the tool keeps every data row (normalizeRow drops none here: its one blank-username row is Code
    // Review, which it allows), sums `quantity` as requests and max(aic_quantity, aic_gross_amount /
    // 0.01) as AI credits (getEffectiveAicQuantity). Its figures: 1,693 rows, 46,220.61 requests,
    // 175,767.637 AI credits, of which Spark (3 rows) 45.24.
    const text = file("copilot-pru-example-1693.csv");
    const result = await read("copilot-pru-example-1693.csv");
    expect(result.format).toBe("copilot-premium");
    expect(result.entries).toHaveLength(1693);
    expect(result.skipped).toEqual([]);
    const credits = result.entries.reduce((s, e) => s + (e.credits ?? 0), 0);
    expect(credits).toBeCloseTo(175767.637, 6);
    // Requests are not stored (an entry holds credits and USD); the rows the entries came from carry
    // them, and together they are the tool's 46,220.61. 87 keys repeat within the file (98 extra
    // rows, 2,927 requests = 6.3 %): keeping only a key's first row would have lost those.
    const lines = text.trimEnd().split("\n");
    const quantityAt = (line: number) => Number(JSON.parse(`[${lines[line - 1]}]`)[5]);
    const requests = result.entries.reduce((s, e) => s + quantityAt(e.line), 0);
    expect(requests).toBeCloseTo(46220.61, 6);
    expect(new Set(result.entries.map((e) => e.dedupeKey)).size).toBe(1693);
    const spark = result.entries.filter((e) => e.product === "spark");
    expect(spark).toHaveLength(3);
    expect(spark.reduce((s, e) => s + (e.credits ?? 0), 0)).toBeCloseTo(45.24, 6);
    // A deliberate difference: the tool shows gross_amount ($1,848.8244, premium requests at $0.04)
    // beside the AI credits; we price a transition row by its AI-credit figures, so our USD is the
    // sum of aic_gross_amount, $1,757.67637.
    const usd = result.entries.reduce((s, e) => s + (e.costUsd ?? 0), 0);
    expect(usd).toBeCloseTo(1757.67637, 4);
  });

  it("the tool's AI-credits sample (excerpt): quantity and gross_amount are the row's figures, aic columns of 0 are not", async () => {
    // asizikov-demos/copilot-premium-requests-report-viewer, public/data/ai-credits-example.csv (six rows
    // of it). For an ai-credits row the tool reads quantity as the AI credits and gross_amount as its
    // USD (normalizeRow: aicQuantity = quantity, aicGrossAmount = gross_amount), whatever the file's
    // aic_quantity / aic_gross_amount say (0 on every row of this export). Its figures: 2,960.66 AI
    // credits, $29.6066 gross, $2.2815 net (one row billed beyond the pool); the two user049_emu rows
    // (628.68 and 671.58 credits) share their day, user, model and SKU, and both count.
    const result = await read("copilot-ai-credits-example-excerpt.csv");
    expect(result.format).toBe("copilot-usage");
    expect(result.entries).toHaveLength(6);
    const sum = (pick: (e: SpendEntry) => number | null) => result.entries.reduce((s, e) => s + (pick(e) ?? 0), 0);
    expect(sum((e) => e.credits)).toBeCloseTo(2960.66, 6);
    expect(sum((e) => e.costUsd)).toBeCloseTo(29.6066, 6);
    expect(sum((e) => e.paidCredits)).toBeCloseTo(228.15, 6);
    expect(result.entries.filter((e) => e.externalUser === "user049_emu").map((e) => e.credits)).toEqual([
      628.68, 671.58,
    ]);
    expect(result.entries.map((e) => e.product ?? null)).toEqual([null, null, null, null, null, "spark"]);
    expect(totals(result.entries)).toMatchObject({ input: 4079541, output: 477198 });
  });

  it("the report viewer's legacy 'premium request analytics' sample: every row, $0.04 a request", async () => {
    // asizikov-demos/copilot-premium-requests-report-viewer at 750f06c, sample-data.csv: the
    // `Timestamp, User, Model, Requests Used, …` export; the tool sums `Requests Used`: 10 rows, 89.25
    // requests. At $0.04 a premium request: $3.57 = 357 credits.
    const result = await read("copilot-legacy-analytics-sample.csv");
    expect(result.format).toBe("copilot-premium");
    expect(result.entries).toHaveLength(10);
    const sum = (pick: (e: SpendEntry) => number | null) => result.entries.reduce((s, e) => s + (pick(e) ?? 0), 0);
    expect(sum((e) => e.costUsd)).toBeCloseTo(89.25 * 0.04, 9);
    expect(sum((e) => e.credits)).toBeCloseTo(357, 9);
    expect(result.entries[0]).toMatchObject({ occurredAt: "2025-06-01T10:00:00.000Z", externalUser: "UserA" });
  });

  it("the report viewer's daily premium-request sample without a unit_type column: every row is requests", async () => {
    // Same repository at 42fc209, sample-data-mixed.csv: `date, username, model, quantity, exceeds_quota,
    // total_monthly_quota` — no unit_type, which the tool reads as requests (isRequestUnitType("") is
    // true; GitHub's copilot-billing-preview tests the same header). 10 rows, 2,004.25 requests.
    const result = await read("copilot-requests-no-unit-type-sample.csv");
    expect(result.format).toBe("copilot-premium");
    expect(result.entries).toHaveLength(10);
    const sum = (pick: (e: SpendEntry) => number | null) => result.entries.reduce((s, e) => s + (pick(e) ?? 0), 0);
    expect(sum((e) => e.costUsd)).toBeCloseTo(2004.25 * 0.04, 9);
    expect(sum((e) => e.credits)).toBeCloseTo(8017, 9);
  });

  it("the report viewer's streaming test: US slash dates in a report without unit_type", async () => {
    // asizikov-demos/copilot-premium-requests-report-viewer, __tests__/utils/ingestStreamDateFormat.test.ts,
    // "normalizes US slash dates through the streaming ingestion path": 2 rows, days 2026-05-29 and
    // 2026-06-01, no warnings; 2 + 3 = 5 premium requests ($0.20).
    const result = await read("copilot-viewer-slash-dates.csv");
    expect(result.entries.map((e) => e.day)).toEqual(["2026-05-29", "2026-06-01"]);
    expect(result.entries.reduce((s, e) => s + (e.costUsd ?? 0), 0)).toBeCloseTo(0.2, 9);
  });

  it("an AI-credits report with slash dates: dates normalised, quantity authoritative as the tool reads it", async () => {
    const result = await read("copilot-ai-credits-slash-dates.csv");
    expect(result.entries.map((e) => e.day)).toEqual(["2026-05-29", "2026-05-29", "2026-05-29"]);
    // The tool: 96.9990345 + 12.5 (blank aic columns fall back to quantity) + 50 (quantity wins over aic 75).
    const credits = result.entries.reduce((s, e) => s + (e.credits ?? 0), 0);
    expect(credits).toBeCloseTo(159.4990345, 7);
  });
});

describe("LiteLLM spend logs (LiteLLM's own test rows)", () => {
  it("/spend/logs JSON, detected from its content: one entry per request, priced by `spend`", async () => {
    // BerriAI/litellm, the two LiteLLM_SpendLogs rows of test_session_handler.py: spend 0.004803 +
    // 0.010437 = $0.01524; 11 + 339 prompt, 318 + 628 completion tokens; one session.
    const result = await read("litellm-spend-logs-session.json");
    expect(result.format).toBe("litellm");
    expect(totals(result.entries)).toEqual({
      entries: 2,
      input: 350,
      output: 946,
      cacheWrite: 0,
      cacheRead: 0,
      usd: 0.01524,
    });
    expect(result.entries.map((e) => e.pricedBy)).toEqual(["source", "source"]);
    expect(new Set(result.entries.map((e) => e.sessionId))).toEqual(new Set(["a96757c4-c6dc-4c76-b37e-e7dfa526b701"]));
  });
});
