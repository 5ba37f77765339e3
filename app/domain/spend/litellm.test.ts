import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { splitCsvLine } from "~/domain/spend/csv-records";
import type { SpendEntry } from "~/domain/spend/entry";
import { storyTag } from "~/domain/spend/litellm";
import { collectSpend } from "~/domain/spend/parse";
import { rateCardFromJson } from "~/domain/spend/rate-card";

const fixtures = new URL("../../../tests/fixtures/", import.meta.url);
const rateCard = rateCardFromJson(
  JSON.parse(readFileSync(new URL("../../data/rate-card.json", import.meta.url), "utf8")),
);
const csv = readFileSync(new URL("samples/litellm-spend-logs.csv", fixtures), "utf8");
const sum = (entries: SpendEntry[], pick: (e: SpendEntry) => number | null) =>
  entries.reduce((total, e) => total + (pick(e) ?? 0), 0);

describe("LiteLLM spend logs", () => {
  it("reads the sample: $0.1148991, stories from request tags, the failed call free", async () => {
    const result = await collectSpend(csv, { rateCard });
    expect(result.format).toBe("litellm");
    expect(result.issues).toEqual([]);
    expect(result.entries).toHaveLength(3);
    expect(sum(result.entries, (e) => e.costUsd)).toBeCloseTo(0.1148991, 12);
    expect(sum(result.entries, (e) => e.credits)).toBeCloseTo(11.48991, 10);
    expect(result.entries.map((e) => [e.line, e.storyKey, e.costUsd])).toEqual([
      [2, "PAY-412", 0.0323241],
      [3, "PAY-415", 0.082575],
      [4, "WEB-77", 0],
    ]);
    expect(result.entries[0]).toMatchObject({
      source: "litellm",
      dedupeKey: 'litellm:["chatcmpl-7f3a21"]',
      occurredAt: "2026-11-24T08:14:01.002Z",
      model: "claude-sonnet-4-6",
      modelId: "claude-sonnet-4-6",
      externalUser: "dana-k",
      sessionId: "9b3c2f1e-5d7a-4c1e-8f2b-0a6d4e1c7b93",
      inputTokens: 50436,
      outputTokens: 612,
      pricedBy: "source",
      aggregated: false,
    });
  });

  it("charges nothing for a failed request even when spend says otherwise", async () => {
    const lines = csv.trimEnd().split("\n");
    const failed = [lines[0], lines[3]!.replace(",0.0,", ",0.5,")].join("\n");
    const { entries } = await collectSpend(failed, { rateCard });
    expect(entries[0]).toMatchObject({ costUsd: 0, credits: 0 });
  });

  it("reads the columns by name in any order, with a BOM, CRLF and Postgres timestamps", async () => {
    const text = [
      "\uFEFFstatus,spend,request_tags,model,request_id,startTime,prompt_tokens,completion_tokens,user",
      'success,0.01,"[""tool:x"",""story:API-9""]",gpt-5,r-1,2026-11-24 08:14:01.002,100,10,ravi-m',
      "success,,[],claude-sonnet-4-6,r-2,2026-11-24 09:00:00+02:00,1000000,0,",
    ].join("\r\n");
    const result = await collectSpend(text, { rateCard });
    expect(result.format).toBe("litellm");
    expect(result.issues).toEqual([]);
    expect(result.entries.map((e) => [e.storyKey, e.costUsd, e.pricedBy, e.occurredAt])).toEqual([
      ["API-9", 0.01, "source", "2026-11-24T08:14:01.002Z"],
      // No spend: priced from the rate card.
      [null, 3, "rate-card", "2026-11-24T07:00:00.000Z"],
    ]);
  });

  it("splits cached tokens out of prompt_tokens when metadata has the usage object", async () => {
    const header = splitCsvLine(csv.split("\n")[0]!);
    const metadata = JSON.stringify({
      usage_object: { cache_read_input_tokens: 48112, cache_creation_input_tokens: 2318 },
    });
    const text = `${[...header, "metadata"].join(",")}\n${csv.split("\n")[1]!.trimEnd()},"${metadata.replace(
      /"/g,
      '""',
    )}"\n`;
    const { entries, issues } = await collectSpend(text, { rateCard });
    expect(issues).toEqual([]);
    expect(entries[0]).toMatchObject({ inputTokens: 6, cacheReadTokens: 48112, cacheWriteTokens: 2318 });
  });

  it("names bad rows", async () => {
    const lines = csv.trimEnd().split("\n");
    const text = [
      lines[0],
      lines[1]!.replace("0.0323241", "free"),
      lines[2]!.replace("chatcmpl-9b2177", ""),
      lines[3],
    ].join("\n");
    const result = await collectSpend(text, { rateCard });
    expect(result.entries.map((e) => e.line)).toEqual([4]);
    expect(result.issues).toEqual([
      { line: 2, reason: 'spend is not a number: "free"' },
      { line: 3, reason: "request_id is missing" },
    ]);
  });
});

describe("storyTag", () => {
  it.each([
    ['["story:PAY-412","tool:claude-code"]', "PAY-412"],
    ['["tool:codex"]', null],
    ["['story:WEB-7', 'x']", "WEB-7"],
    ["story=OPS-3", "OPS-3"],
    ["", null],
    ["[", null],
    ["[1, null, {}]", null],
  ])("%s → %s", (raw, key) => {
    expect(storyTag(raw)).toBe(key);
  });
});

describe("LiteLLM spend log JSON (issue 14)", () => {
  const rows = [
    {
      request_id: "chatcmpl-1",
      call_type: "acompletion",
      spend: 0.0123,
      total_tokens: 1500,
      prompt_tokens: 1200,
      completion_tokens: 300,
      startTime: "2026-11-24T10:00:00Z",
      endTime: "2026-11-24T10:00:03Z",
      model: "claude-sonnet-4-6",
      user: "dana-k",
      request_tags: ["story:PAY-412"],
      metadata: { usage_object: { cache_read_input_tokens: 200 } },
    },
    { request_id: "chatcmpl-2", spend: 0, startTime: "2026-11-24T11:00:00Z", model: "gpt-5", prompt_tokens: 10 },
  ];

  it("reads the /spend/logs JSON, detected from its content", async () => {
    const result = await collectSpend(JSON.stringify(rows, null, 2), { rateCard });
    expect(result.format).toBe("litellm");
    expect(result.issues).toEqual([]);
    expect(result.entries).toHaveLength(2);
    expect(result.entries[0]).toMatchObject({
      costUsd: 0.0123,
      inputTokens: 1000,
      cacheReadTokens: 200,
      outputTokens: 300,
      storyKey: "PAY-412",
      externalUser: "dana-k",
    });
    expect(result.entries[1]!.line).toBeGreaterThan(result.entries[0]!.line);
  });

  it("reads /global/spend/logs daily totals as updatable day entries", async () => {
    const days = [
      { date: "2026-11-24", spend: 1.5 },
      { date: "2026-11-25", spend: 2 },
    ];
    const result = await collectSpend(JSON.stringify(days), { rateCard });
    expect(result.format).toBe("litellm");
    expect(result.entries.map((e) => [e.day, e.costUsd, e.aggregated])).toEqual([
      ["2026-11-24", 1.5, true],
      ["2026-11-25", 2, true],
    ]);
  });
});
