import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  logsToSpend,
  metricsToSpend,
  nanosToIso,
  recordCount,
  tracesToSpend,
  type KeyValue,
} from "~/domain/otlp/spend";
import { rateCardFromJson } from "~/domain/spend/rate-card";

const rateCard = rateCardFromJson(
  JSON.parse(readFileSync(new URL("../../data/rate-card.json", import.meta.url), "utf8")),
);
const claudeLogs = JSON.parse(
  readFileSync(new URL("../../../tests/fixtures/samples/claude-code-otlp-logs.json", import.meta.url), "utf8"),
);
const kv = (key: string, value: string | number): KeyValue =>
  typeof value === "number" ? { key, value: { intValue: String(value) } } : { key, value: { stringValue: value } };

describe("Claude Code log events", () => {
  const result = logsToSpend(claudeLogs, { rateCard, keyPattern: "[A-Z]+-\\d+" });

  it("turns each api_request into one entry with the source's cost and tokens", () => {
    expect(result.entries).toHaveLength(2);
    const [first, second] = result.entries;
    expect(first).toMatchObject({
      source: "otlp",
      model: "claude-sonnet-4-6",
      inputTokens: 1200,
      outputTokens: 850,
      cacheReadTokens: 24000,
      cacheWriteTokens: 3000,
      costUsd: 0.03165,
      credits: 3.165,
      pricedBy: "source",
      occurredAt: "2026-11-24T10:00:03.120Z",
      sessionId: "6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
      externalUser: "dev@example.com",
      storyKey: "PAY-412",
    });
    expect(second!.costUsd).toBe(0.001);
    expect(result.ignored).toBe(2);
    expect(result.eventSessions).toEqual(["6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"]);
  });

  it("keeps nothing of prompts or tool parameters", () => {
    const text = JSON.stringify(result);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain(".env");
    expect(text).not.toContain("Refactor");
  });

  it("gives a retried export the same identity, and another call a different one", () => {
    const again = logsToSpend(structuredClone(claudeLogs), { rateCard });
    expect(again.entries.map((e) => e.dedupeKey)).toEqual(result.entries.map((e) => e.dedupeKey));
    expect(new Set(result.entries.map((e) => e.dedupeKey)).size).toBe(2);
  });

  it("lets an event's own story.id win over the resource's, and finds a key in a branch attribute", () => {
    const logs = structuredClone(claudeLogs);
    const records = logs.resourceLogs[0].scopeLogs[0].logRecords;
    records[1].attributes.push(kv("story.id", "OPS-7"));
    logs.resourceLogs[0].resource.attributes = [kv("vcs.ref.head.name", "feature/web-88-login")];
    const out = logsToSpend(logs, { rateCard, keyPattern: "[A-Za-z]+-\\d+" });
    expect(out.entries.map((e) => e.storyKey)).toEqual(["OPS-7", "web-88"]);
  });

  it("prices tokens with the rate card when no cost is sent, and falls back to the token's person", () => {
    const logs = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: "1795514403120000000",
                  body: { stringValue: "claude_code.api_request" },
                  attributes: [
                    kv("model", "claude-sonnet-4-6"),
                    kv("input_tokens", 1_000_000),
                    kv("event.sequence", 4),
                    kv("session.id", "s"),
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const [entry] = logsToSpend(logs, { rateCard, defaultUser: "ana@example.com" }).entries;
    expect(entry).toMatchObject({ pricedBy: "rate-card", costUsd: 3, externalUser: "ana@example.com" });
  });

  it("rejects an api_request without any time, and ignores junk shapes without throwing", () => {
    const out = logsToSpend(
      { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "claude_code.api_request" } }] }] }] },
      { rateCard },
    );
    expect(out.rejected).toEqual([{ record: 1, reason: "the event has no timestamp" }]);
    for (const junk of [
      null,
      1,
      "x",
      { resourceLogs: "x" },
      { resourceLogs: [null, { scopeLogs: [{ logRecords: [null, 5] }] }] },
    ]) {
      expect(() => logsToSpend(junk as never, { rateCard })).not.toThrow();
    }
  });

  it("does not take a huge value (a prompt in the wrong place) as a story or model", () => {
    const long = "A-1 ".repeat(400);
    const logs = {
      resourceLogs: [
        {
          resource: { attributes: [kv("story.id", long)] },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: "1795514403120000000",
                  body: { stringValue: "claude_code.api_request" },
                  attributes: [kv("model", long), kv("cost_usd", "1e308"), kv("event.sequence", 1)],
                },
              ],
            },
          ],
        },
      ],
    };
    const [entry] = logsToSpend(logs, { rateCard }).entries;
    expect(entry!.storyKey).toBeNull();
    expect(entry!.model).toBeNull();
  });
});

describe("hostile values", () => {
  it("keeps NUL and other control characters out of every stored field", () => {
    const logs = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: "1795514403120000000",
                  body: { stringValue: "claude_code.api_request" },
                  attributes: [
                    kv("session.id", "s\u0000x"),
                    kv("user.email", "a\u0000@b"),
                    kv("model", "m\u001b[31m"),
                    kv("event.sequence", 1),
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const [entry] = logsToSpend(logs, { rateCard }).entries;
    expect(JSON.stringify(entry)).not.toMatch(/\\u00(00|1b)/);
    expect(entry!.sessionId).toBe("s x");
  });
});

describe("GenAI semantic conventions", () => {
  it("maps a span with gen_ai.usage.* to one entry keyed by its span id", () => {
    const traces = {
      resourceSpans: [
        {
          resource: { attributes: [kv("story.id", "PAY-9")] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "ab",
                  spanId: "01",
                  startTimeUnixNano: "1795514403000000000",
                  attributes: [
                    kv("gen_ai.request.model", "claude-sonnet-4-6"),
                    kv("gen_ai.usage.input_tokens", 1_000_000),
                    kv("gen_ai.usage.output_tokens", 0),
                    kv("gen_ai.conversation.id", "conv-1"),
                  ],
                },
                {
                  traceId: "ab",
                  spanId: "02",
                  startTimeUnixNano: "1795514403000000000",
                  attributes: [kv("http.method", "GET")],
                },
              ],
            },
          ],
        },
      ],
    };
    const out = tracesToSpend(traces, { rateCard });
    expect(out.entries).toHaveLength(1);
    expect(out.entries[0]).toMatchObject({
      storyKey: "PAY-9",
      costUsd: 3,
      sessionId: "conv-1",
      dedupeKey: 'otlp:["span","ab","01"]',
    });
    expect(out.ignored).toBe(1);
  });
});

describe("Claude Code metrics", () => {
  const point = (metric: string, value: number, attrs: KeyValue[], time = "1795514460000000000") => ({
    name: metric,
    sum: {
      aggregationTemporality: 1,
      isMonotonic: true,
      dataPoints: [
        { attributes: attrs, startTimeUnixNano: "1795514400000000000", timeUnixNano: time, asDouble: value },
      ],
    },
  });
  const session = [kv("session.id", "s-m"), kv("model", "claude-sonnet-4-6")];

  it("folds cost and token counters into one entry per session, model and interval", () => {
    const request = {
      resourceMetrics: [
        {
          resource: { attributes: [kv("story.id", "PAY-1")] },
          scopeMetrics: [
            {
              metrics: [
                point("claude_code.cost.usage", 0.5, session),
                point("claude_code.token.usage", 100, [...session, kv("type", "input")]),
                point("claude_code.token.usage", 40, [...session, kv("type", "output")]),
                point("claude_code.token.usage", 9, [...session, kv("type", "cacheRead")]),
                point("claude_code.session.count", 1, session),
              ],
            },
          ],
        },
      ],
    };
    const out = metricsToSpend(request, { rateCard });
    expect(out.entries).toHaveLength(1);
    expect(out.entries[0]).toMatchObject({
      costUsd: 0.5,
      inputTokens: 100,
      outputTokens: 40,
      cacheReadTokens: 9,
      storyKey: "PAY-1",
      aggregated: false,
    });
    expect(out.metricSessions).toEqual(["s-m"]);
  });

  it("treats a cumulative counter as a running total (aggregated, one identity per start time)", () => {
    const cumulative = (v: number, t: string) => ({
      ...point("claude_code.cost.usage", v, session, t),
      sum: { ...point("claude_code.cost.usage", v, session, t).sum, aggregationTemporality: 2 },
    });
    const a = metricsToSpend(
      { resourceMetrics: [{ scopeMetrics: [{ metrics: [cumulative(0.5, "1795514460000000000")] }] }] },
      { rateCard },
    );
    const b = metricsToSpend(
      { resourceMetrics: [{ scopeMetrics: [{ metrics: [cumulative(0.9, "1795514520000000000")] }] }] },
      { rateCard },
    );
    expect(a.entries[0]!.aggregated).toBe(true);
    expect(a.entries[0]!.dedupeKey).toBe(b.entries[0]!.dedupeKey);
  });
});

describe("wire helpers", () => {
  it("reads nanosecond times and refuses zero or junk", () => {
    expect(nanosToIso("1795514403120000000")).toBe("2026-11-24T10:00:03.120Z");
    expect(nanosToIso(0)).toBeNull();
    expect(nanosToIso("1e30")).toBeNull();
    expect(nanosToIso("99999999999999999999")).toBeNull();
  });

  it("counts records before reading them", () => {
    expect(recordCount("logs", claudeLogs)).toBe(4);
    expect(recordCount("traces", { resourceSpans: [{ scopeSpans: [{ spans: [{}, {}] }] }] })).toBe(2);
    expect(recordCount("metrics", { resourceMetrics: "x" })).toBe(0);
  });
});
