import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SpendEntry } from "~/domain/spend/entry";
import {
  findRate,
  normalizeModelName,
  priceTokens,
  rateCardFromJson,
  repriceEntry,
  resolveModelId,
  type RateCard,
} from "~/domain/spend/rate-card";

const rateCardJson: unknown = JSON.parse(readFileSync(new URL("../../data/rate-card.json", import.meta.url), "utf8"));
const rateCard = rateCardFromJson(rateCardJson);

const tokens = (input: number, cacheRead: number, cacheWrite: number, output: number) => ({
  inputTokens: input,
  cacheReadTokens: cacheRead,
  cacheWriteTokens: cacheWrite,
  outputTokens: output,
});

describe("rateCardFromJson", () => {
  it("reads the seed file", () => {
    expect(rateCard.creditValueUsd).toBe(0.01);
    expect(rateCard.models).toHaveLength(16);
    const sonnet = rateCard.models.find((m) => m.id === "claude-sonnet-4-6");
    expect(sonnet).toMatchObject({
      provider: "anthropic",
      tier: "standard",
      inputUsdPerMTok: 3,
      cacheReadUsdPerMTok: 0.3,
      cacheWriteUsdPerMTok: 3.75,
      outputUsdPerMTok: 15,
      effectiveFrom: "2026-07-29",
    });
    expect(rateCard.models.find((m) => m.id === "gpt-5")?.cacheWriteUsdPerMTok).toBeNull();
  });

  it("rejects a malformed card", () => {
    expect(() => rateCardFromJson({ models: [{ id: "x", input: "cheap", output: 1 }] })).toThrow();
    expect(() => rateCardFromJson(null)).toThrow();
  });
});

describe("model names", () => {
  it.each([
    ["claude-sonnet-4-6", "claude-sonnet-4-6"],
    ["Claude Sonnet 4.6", "claude-sonnet-4-6"],
    ["Auto: Claude Sonnet 4.6", "claude-sonnet-4-6"],
    ["auto:claude sonnet 4.6", "claude-sonnet-4-6"],
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4-6"],
    ["anthropic/claude-sonnet-4-5", "claude-sonnet-4-6"],
    ["us.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"],
    ["claude-haiku-4-5@20251001", "claude-haiku-4-5"],
    ["claude-haiku-4-5-20251001", "claude-haiku-4-5"],
    ["Claude Haiku 4.5", "claude-haiku-4-5"],
    ["CLAUDE-OPUS-4-8", "claude-opus-4-7"],
    ["GPT-5.4", "gpt-5.4"],
    ["gpt-5.4-mini", "gpt-5.4-mini"],
    ["GPT-5.4 mini", "gpt-5.4-mini"],
    ["openai/gpt-5.1-codex-mini", "gpt-5-mini"],
    ["Gemini 3 Pro", "gemini-3.1-pro"],
    ["Claude Sonnet 4.6 (Thinking)", "claude-sonnet-4-6"],
  ])("%s → %s", (name, id) => {
    expect(resolveModelId(rateCard, name)).toBe(id);
  });

  it.each(["Code Review model", "gpt-4o", "claude-sonnet-9", "gpt-5.4-nano", "", "   "])(
    "%j is unknown (no prefix guessing)",
    (name) => {
      expect(resolveModelId(rateCard, name)).toBeNull();
    },
  );

  it("normalises spelling but keeps version numbers apart", () => {
    expect(normalizeModelName(" Auto: GPT-5.4 mini ")).toBe("gpt-5-4-mini");
    expect(normalizeModelName("gpt-5.4")).not.toBe(normalizeModelName("gpt-5"));
  });
});

describe("priceTokens", () => {
  it("prices per million tokens by kind", () => {
    // The sample session's first call: 6 input, 48,112 cache read, 2,318 cache write, 612 output.
    expect(priceTokens(rateCard, "claude-sonnet-4-6", tokens(6, 48112, 2318, 612))).toBe(0.0323241);
    expect(priceTokens(rateCard, "gpt-5.4", tokens(15210, 70200, 0, 1800))).toBe(0.082575);
  });

  it("prices cache writes as input where the provider has no write price", () => {
    expect(priceTokens(rateCard, "gpt-5", tokens(0, 0, 1_000_000, 0))).toBe(1.25);
  });

  it("returns null for an unknown model and for no model", () => {
    expect(priceTokens(rateCard, "mystery-model", tokens(1, 1, 1, 1))).toBeNull();
    expect(priceTokens(rateCard, null, tokens(1, 1, 1, 1))).toBeNull();
  });

  it("uses the price in effect at the time, the earliest one before any", () => {
    const card: RateCard = {
      creditValueUsd: 0.01,
      models: [
        { ...rateCard.models[0]!, id: "m", aliases: [], inputUsdPerMTok: 1, effectiveFrom: "2026-01-01" },
        { ...rateCard.models[0]!, id: "m", aliases: [], inputUsdPerMTok: 2, effectiveFrom: "2026-06-01" },
      ],
    };
    const million = tokens(1_000_000, 0, 0, 0);
    expect(priceTokens(card, "m", million, "2026-05-31T23:59:59Z")).toBe(1);
    expect(priceTokens(card, "m", million, "2026-06-01T00:00:00Z")).toBe(2);
    expect(priceTokens(card, "m", million, "2025-01-01")).toBe(1);
    expect(priceTokens(card, "m", million)).toBe(2);
    expect(findRate(card, "m", "2026-03-01")?.effectiveFrom).toBe("2026-01-01");
  });
});

describe("repriceEntry", () => {
  const unpriced: SpendEntry = {
    line: 3,
    source: "claude-jsonl",
    dedupeKey: "k",
    occurredAt: "2026-11-24T08:14:03.512Z",
    day: "2026-11-24",
    model: "claude-fable-1",
    modelId: null,
    ...tokens(1_000_000, 0, 0, 0),
    costUsd: null,
    credits: null,
    pricedBy: null,
    poolCredits: null,
    paidCredits: null,
    externalUser: null,
    sessionId: null,
    repository: null,
    storyKey: null,
    aggregated: false,
  };

  it("prices an entry once the rate card knows its model", () => {
    expect(repriceEntry(unpriced, rateCard)).toEqual(unpriced);
    const card: RateCard = {
      ...rateCard,
      models: [...rateCard.models, { ...rateCard.models[0]!, id: "claude-fable-1", aliases: [], inputUsdPerMTok: 4 }],
    };
    expect(repriceEntry(unpriced, card)).toMatchObject({
      modelId: "claude-fable-1",
      costUsd: 4,
      credits: 400,
      pricedBy: "rate-card",
    });
  });

  it("leaves prices stated by the source alone", () => {
    const stated = { ...unpriced, costUsd: 9, credits: 900, pricedBy: "source" as const };
    expect(repriceEntry(stated, rateCard)).toBe(stated);
  });
});
