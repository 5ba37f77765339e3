import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apiEntryEvents } from "~/domain/spend/api-entries";
import type { FormatEvent } from "~/domain/spend/entry";
import { readImportOptions } from "~/domain/spend/import-options";
import {
  describeCounts,
  mergeSkipped,
  readDetails,
  summaryJson,
  type ImportSummary,
} from "~/domain/spend/import-result";
import { formatCredits } from "~/domain/credits";
import { parseMappingSpec } from "~/domain/spend/mapping-spec";
import { collectSpend } from "~/domain/spend/parse";
import { rateCardFromJson } from "~/domain/spend/rate-card";

const rateCard = rateCardFromJson(
  JSON.parse(readFileSync(new URL("../../data/rate-card.json", import.meta.url), "utf8")),
);

describe("apiEntryEvents", () => {
  const run = (items: unknown[]) => [...apiEntryEvents(items, { rateCard })];

  it("prices from cost, credits or the rate card, finds the story, and reports repeats and bad items", () => {
    const events = run([
      {
        id: "a",
        occurred_at: "2026-11-24T10:00:00Z",
        model: "Claude Sonnet 4.6",
        input_tokens: 1_000_000,
        git_branch: "feature/PAY-7-x",
      },
      { id: "b", occurred_at: "2026-11-24", cost_usd: 0.25, attributes: { "story.id": "PAY-8" }, session_id: "s1" },
      { id: "c", occurred_at: "2026-11-24", credits: 3, tags: ["tool:ci", "story:PAY-9"], aggregate: true },
      { id: "d", occurred_at: "2026-11-24", model: "mystery-model", output_tokens: 10 },
      { id: "a", occurred_at: "2026-11-25" },
      { id: "e", occurred_at: "soon" },
      { occurred_at: "2026-11-24" },
      null,
    ]);
    const entries = events.flatMap((e) => (e.kind === "entry" ? [e.entry] : []));
    expect(entries.map((e) => [e.dedupeKey, e.credits, e.pricedBy, e.storyKey, e.aggregated])).toEqual([
      ['api:["a"]', 300, "rate-card", "PAY-7", false],
      ['api:["b"]', 25, "source", "PAY-8", false],
      ['api:["c"]', 3, "source", "PAY-9", true],
      ['api:["d"]', null, null, null, false],
    ]);
    expect(entries[3]!.outputTokens).toBe(10);
    const other = events.filter((e) => e.kind !== "entry") as Exclude<FormatEvent, { kind: "entry" }>[];
    expect(other.map((e) => (e.kind === "issue" ? e.issue.line : e.kind === "skipped" ? e.skipped.line : 0))).toEqual([
      5, 6, 7, 8,
    ]);
    expect(other[0]).toMatchObject({ kind: "skipped", skipped: { duplicateOf: 1 } });
  });

  it("never throws and only yields well-formed entries, whatever the JSON", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.jsonValue(), fc.record({ id: fc.string(), occurred_at: fc.string(), credits: fc.double() })),
        ),
        (items) => {
          for (const event of apiEntryEvents(items, { rateCard })) {
            if (event.kind === "issue") expect(event.issue.reason.length).toBeGreaterThan(0);
            if (event.kind !== "entry") continue;
            const e = event.entry;
            expect(e.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
            expect(e.credits === null || (Number.isFinite(e.credits) && e.credits >= 0)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("mapping spec and import options", () => {
  it("reads field=Column pairs, quoted headers with commas, and switches a field off", () => {
    expect(parseMappingSpec('story=Ticket, cost_usd="Amount, USD", user=')).toEqual({
      mapping: { story: "Ticket", cost_usd: "Amount, USD", user: null },
      problems: [],
    });
    expect(parseMappingSpec("")).toEqual({ mapping: undefined, problems: [] });
    expect(parseMappingSpec("colour=Red, story").problems).toEqual([
      expect.stringMatching(/unknown field "colour"/),
      expect.stringMatching(/not field=Column/),
    ]);
  });

  it("never throws on any text", () => {
    fc.assert(
      fc.property(fc.string(), (spec) => void parseMappingSpec(spec)),
      { numRuns: 300 },
    );
  });

  it("reads the same options from a form, a query string or the CLI's flags", () => {
    expect(readImportOptions(new URLSearchParams("format=auto&skipInvalid=on&map=story%3DTicket"))).toEqual({
      ok: true,
      options: { format: undefined, skipInvalid: true, mapping: { story: "Ticket" } },
    });
    expect(readImportOptions(new URLSearchParams("format=litellm"))).toMatchObject({
      ok: true,
      options: { format: "litellm", skipInvalid: false },
    });
    expect(readImportOptions(new URLSearchParams("format=xlsx"))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Unknown format/),
    });
    expect(readImportOptions(new URLSearchParams("map=nope"))).toMatchObject({ ok: false });
  });
});

describe("import summary", () => {
  const summary: ImportSummary = {
    file: "a.csv",
    format: "copilot-usage",
    rows: 5,
    imported: 3,
    updated: 1,
    duplicates: 1,
    overlapping: 0,
    rejected: 0,
    unattributed: 2,
    unpriced: 0,
    credits: 894.40899999,
    byStoryKey: { "WEB-1": 0.123456, "PAY-2": 7.69071 },
    skipped: { count: 21, lines: [{ line: 4, kind: "not-spend", reason: 'product "Actions" is not Copilot' }] },
    pricedFromFile: ["GPT-5.4"],
    pricedFromRateCard: [],
    unpricedModels: ["mystery-1"],
    errors: [],
  };

  it("prints the CLI's JSON line with exactly the documented keys, in order, to 4 decimals", () => {
    const line = summaryJson(summary);
    expect(Object.keys(JSON.parse(line))).toEqual([
      "file",
      "format",
      "rows",
      "imported",
      "updated",
      "duplicates",
      "overlapping",
      "rejected",
      "unattributed",
      "unpriced",
      "credits",
      "byStoryKey",
      "skipped",
      "pricedFromFile",
      "pricedFromRateCard",
      "unpricedModels",
      "errors",
    ]);
    expect(JSON.parse(line)).toMatchObject({
      credits: 894.409,
      byStoryKey: { "PAY-2": 7.6907, "WEB-1": 0.1235 },
      skipped: { count: 21, lines: [{ line: 4, kind: "not-spend", reason: 'product "Actions" is not Copilot' }] },
      pricedFromFile: ["GPT-5.4"],
      unpricedModels: ["mystery-1"],
    });
    expect(line).not.toContain("\n");
  });

  it("lists a file's first left-out lines, unreadable and not spend together, in line order, counted in full", () => {
    const unreadable = Array.from({ length: 20 }, (_, i) => ({ line: 2 * i + 3, reason: "bad date" }));
    const notSpend = Array.from({ length: 20 }, (_, i) => ({ line: 2 * i + 2, reason: "Actions minutes" }));
    const merged = mergeSkipped(unreadable, notSpend, 57);
    expect(merged.count).toBe(57);
    expect(merged.lines).toHaveLength(20);
    expect(merged.lines.map((l) => l.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    expect(merged.lines.slice(0, 2)).toEqual([
      { line: 2, kind: "not-spend", reason: "Actions minutes" },
      { line: 3, kind: "unreadable", reason: "bad date" },
    ]);
    // Rows stored before the details were kept read as nothing left out, nothing listed.
    expect(readDetails({})).toEqual({ skipped: { count: 0, lines: [] }, pricedFromFile: [], pricedFromRateCard: [] });
    expect(readDetails(null).pricedFromFile).toEqual([]);
  });

  it("describes counts and credits for people", () => {
    expect(describeCounts(summary)).toBe("3 imported · 1 updated · 1 duplicate");
    expect(describeCounts({ ...summary, imported: 0, updated: 0, duplicates: 0 })).toBe("nothing to import");
    expect(formatCredits(1234.567)).toBe("1,234.6");
    expect(formatCredits(0.12345)).toBe("0.1235");
    expect(formatCredits(null)).toBe("—");
  });
});

describe("Copilot reports, whatever the column order", () => {
  const HEADER = [
    "date",
    "username",
    "product",
    "sku",
    "model",
    "quantity",
    "unit_type",
    "gross_amount",
    "discount_amount",
    "net_amount",
    "organization",
    "repository",
  ];
  const row = fc.record({
    day: fc.integer({ min: 1, max: 28 }),
    user: fc.constantFrom("dana-k", "ravi-m", ""),
    sku: fc.constantFrom("copilot_ai_credit", "coding_agent_ai_credit"),
    model: fc.constantFrom("Claude Sonnet 4.6", "GPT-5.4", "Auto: Claude Haiku 4.5"),
    quantity: fc.integer({ min: 0, max: 100_000 }).map((n) => n / 1000),
    paid: fc.boolean(),
    repo: fc.constantFrom("acme/api", "acme/web", ""),
  });

  it("yields the same entries and keys from a shuffled header, with CRLF and quoting", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 15 }),
        fc.infiniteStream(fc.nat()),
        async (rows, seeds) => {
          const cells = rows.map((r) => {
            const usd = (r.quantity * 0.01).toFixed(5);
            return [
              `2026-11-${String(r.day).padStart(2, "0")}`,
              r.user,
              "copilot",
              r.sku,
              r.model,
              String(r.quantity),
              "ai-credits",
              usd,
              r.paid ? "0" : usd,
              r.paid ? usd : "0",
              "acme",
              r.repo,
            ];
          });
          const order = HEADER.map((_, i) => i).sort((a, b) => ((seeds.next().value as number) % 7) - 3 || a - b);
          const plain = [HEADER, ...cells].map((c) => c.join(",")).join("\n");
          const shuffled = [order.map((i) => HEADER[i]), ...cells.map((c) => order.map((i) => `"${c[i]}"`))]
            .map((c) => c.join(","))
            .join("\r\n");
          const a = await collectSpend(plain, { rateCard, format: "copilot-usage" });
          const b = await collectSpend(shuffled, { rateCard, format: "copilot-usage" });
          expect(b.issues).toEqual([]);
          expect(b.entries).toEqual(a.entries);
        },
      ),
      { numRuns: 100 },
    );
  });
});
