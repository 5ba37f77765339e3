import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FORMAT_NAMES, type FormatName } from "~/domain/spend/entry";
import type { ParseSpendOptions } from "~/domain/spend/parse-context";
import { collectSpend, parseSpend, type SpendParseResult } from "~/domain/spend/parse";
import { rateCardFromJson } from "~/domain/spend/rate-card";

const fixtures = new URL("../../../tests/fixtures/", import.meta.url);
const rateCard = rateCardFromJson(
  JSON.parse(readFileSync(new URL("../../data/rate-card.json", import.meta.url), "utf8")),
);
const SAMPLES: [string, FormatName, number][] = [
  ["copilot-ai-usage.csv", "copilot-usage", 4],
  ["copilot-premium-requests.csv", "copilot-premium", 3],
  ["claude-code-session.jsonl", "claude-jsonl", 3],
  ["ccusage-session.json", "ccusage", 4],
  ["litellm-spend-logs.csv", "litellm", 3],
  ["generic-spend.csv", "generic-csv", 3],
];
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(`samples/${name}`, fixtures)));
const options: ParseSpendOptions = { rateCard };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** What must hold for any input: clean issues, well-formed entries, unique keys. */
function expectWellFormed(result: SpendParseResult) {
  for (const issue of result.issues) {
    expect(Number.isInteger(issue.line) && issue.line >= 1).toBe(true);
    expect(issue.reason.length).toBeGreaterThan(0);
    // That reason is kept for bugs of ours; content problems must have their own.
    expect(issue.reason).not.toMatch(/^could not read the file/);
  }
  const keys = new Set<string>();
  for (const e of result.entries) {
    expect(Number.isInteger(e.line) && e.line >= 1).toBe(true);
    expect(e.occurredAt).toMatch(ISO);
    expect(e.day).toBe(e.occurredAt.slice(0, 10));
    for (const n of [e.inputTokens, e.cacheReadTokens, e.cacheWriteTokens, e.outputTokens]) {
      expect(Number.isInteger(n) && n >= 0).toBe(true);
    }
    for (const n of [e.costUsd, e.credits]) expect(n === null || Number.isFinite(n)).toBe(true);
    expect(keys.has(e.dedupeKey)).toBe(false);
    keys.add(e.dedupeKey);
  }
}

async function* slowly(chunks: (string | Uint8Array)[], pulled: { count: number }) {
  for (const chunk of chunks) {
    pulled.count++;
    yield chunk;
  }
}

describe("parseSpend", () => {
  it.each(SAMPLES)("auto-detects and reads %s", async (name, format, count) => {
    const result = await collectSpend(bytes(name), options);
    expect(result.format).toBe(format);
    expect(result.issues).toEqual([]);
    expect(result.entries).toHaveLength(count);
    expectWellFormed(result);
  });

  it.each(SAMPLES)("gives the same result for %s fed one byte at a time", async (name) => {
    const whole = await collectSpend(bytes(name), options);
    const oneByOne = [...bytes(name)].map((b) => Uint8Array.of(b));
    expect(await collectSpend(oneByOne, options)).toEqual(whole);
    expect(await collectSpend(Readable.from(Buffer.from(bytes(name)), { objectMode: false }), options)).toEqual(whole);
  });

  it("reads UTF-16 files with a byte-order mark (Excel's Unicode text)", async () => {
    const text = readFileSync(new URL("samples/generic-spend.csv", fixtures), "utf8");
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const result = await collectSpend(utf16, options);
    expect(result.format).toBe("generic-csv");
    expect(result.entries).toHaveLength(3);
  });

  it("streams: entries come out before the input is read to the end", async () => {
    const lines = readFileSync(new URL("samples/claude-code-session.jsonl", fixtures), "utf8").split(/(?<=\n)/);
    const chunks = [...lines, ...Array.from({ length: 200 }, () => `${JSON.stringify({ type: "user" })}\n`)];
    const pulled = { count: 0 };
    for await (const event of parseSpend(slowly(chunks, pulled), options)) {
      if (event.kind === "entry") break;
    }
    expect(pulled.count).toBeLessThan(10);
  });

  it("copes with a long first line arriving in tiny chunks", async () => {
    const line = JSON.stringify({ type: "user", message: { content: "x".repeat(300_000) } });
    const chunks = line.match(/[^]{1,3}/g) ?? [];
    // How long it takes, against the same line in one piece, is measured by scripts/bench/parse-chunks.ts.
    const result = await collectSpend(chunks, options);
    expect(result).toMatchObject({ format: "claude-jsonl", entries: [], issues: [] });
  });

  it("closes the input when the caller stops early", async () => {
    let closed = false;
    async function* input() {
      try {
        yield "date,cost_usd\n";
        for (let i = 0; i < 1_000_000; i++) yield `2026-11-24,${i}\n`;
      } finally {
        closed = true;
      }
    }
    for await (const event of parseSpend(input(), options)) {
      if (event.kind === "entry") break;
    }
    expect(closed).toBe(true);
  });

  it("passes a failing input's own error on", async () => {
    const failure = new Error("disk on fire");
    async function* input() {
      yield "date,cost_usd\n2026-11-24,1\n";
      throw failure;
    }
    await expect(collectSpend(input(), options)).rejects.toBe(failure);
  });

  it("lets an explicit format override detection", async () => {
    const litellm = bytes("litellm-spend-logs.csv");
    const asGeneric = await collectSpend(litellm, { ...options, format: "generic-csv" });
    expect(asGeneric.format).toBe("generic-csv");
    expect(asGeneric.entries.map((e) => e.source)).toEqual(["generic-csv", "generic-csv", "generic-csv"]);
    const asCopilot = await collectSpend(litellm, { ...options, format: "copilot-usage" });
    expect(asCopilot.entries).toEqual([]);
    expect(asCopilot.issues).toHaveLength(1);
    expect(asCopilot.issues[0]!.line).toBe(1);
  });

  it.each(["", "   \n\r\n", "\uFEFF"])("reports an empty file %j cleanly, whatever the format", async (text) => {
    for (const format of [undefined, ...FORMAT_NAMES]) {
      const result = await collectSpend(text, { ...options, format });
      expect(result).toEqual({
        format: null,
        entries: [],
        issues: [{ line: 1, reason: "the file is empty" }],
        skipped: [],
        notes: [],
      });
    }
    expect((await collectSpend([], options)).issues).toEqual([{ line: 1, reason: "the file is empty" }]);
  });

  it("reports an unrecognised file", async () => {
    const result = await collectSpend("just some notes\nabout spend\n", options);
    expect(result.format).toBeNull();
    expect(result.issues).toEqual([{ line: 1, reason: expect.stringMatching(/^unrecognised file/) }]);
  });

  it("stops after too many problems", async () => {
    const text = `date,cost_usd\n${"yesterday,1\n".repeat(500)}`;
    const result = await collectSpend(text, { ...options, maxIssues: 20 });
    expect(result.issues).toHaveLength(21);
    expect(result.issues[20]).toEqual({ line: 22, reason: "too many problems: stopped after 20" });
  });

  it("reports bad options as issues", async () => {
    expect((await collectSpend("x", { ...options, keyPattern: "(" })).issues[0]!.reason).toMatch(/story key pattern/);
    expect((await collectSpend("x", { ...options, creditValueUsd: 0 })).issues[0]!.reason).toMatch(/credit value/);
    const bogus = { ...options, format: "excel" as FormatName };
    expect((await collectSpend("x", bogus)).issues[0]!.reason).toMatch(/unknown format/);
  });
});

describe("parseSpend never throws and always ends", () => {
  const formats = fc.constantFrom<FormatName | undefined>(undefined, ...FORMAT_NAMES);

  it("on random bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), formats, async (data, format) => {
        expectWellFormed(await collectSpend(data, { ...options, format }));
      }),
      { numRuns: 300 },
    );
  });

  it("on random strings", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 500 }), formats, async (text, format) => {
        expectWellFormed(await collectSpend(text, { ...options, format }));
      }),
      { numRuns: 300 },
    );
  });

  it("on spend-shaped noise", async () => {
    const token = fc.constantFrom(
      ",",
      ";",
      '"',
      "\n",
      "\r\n",
      "{",
      "}",
      "[",
      "]",
      ":",
      "date",
      "quantity",
      "unit_type",
      "ai-credits",
      "requests",
      "request_id",
      "spend",
      "sessions",
      "modelBreakdowns",
      '"type":"assistant"',
      '"usage":{',
      "2026-11-24",
      "12.5",
      "-1",
      "1e999",
      "NaN",
      "null",
      "\uFEFF",
      "\u0000",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 80 }), formats, async (tokens, format) => {
        expectWellFormed(await collectSpend(tokens.join(""), { ...options, format }));
      }),
      { numRuns: 300 },
    );
  });

  it.each(SAMPLES)("on %s cut at any point, keeping every whole line before the cut", async (name) => {
    const data = bytes(name);
    const whole = await collectSpend(data, options);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: data.length }), async (cut) => {
        const truncated = data.slice(0, cut);
        const result = await collectSpend(truncated, options);
        expectWellFormed(result);
        if (name.endsWith(".json")) return;
        const cutLine = new TextDecoder().decode(truncated).split("\n").length;
        const before = (r: SpendParseResult) => r.entries.filter((e) => e.line < cutLine);
        if (result.format !== null) expect(before(result)).toEqual(before(whole));
      }),
      { numRuns: 150 },
    );
  });

  it.each(SAMPLES)("on %s with random damage or random chunking", async (name) => {
    const data = bytes(name);
    const whole = await collectSpend(data, options);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: data.length }),
        fc.uint8Array({ maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        async (at, junk, sizes) => {
          const damaged = Uint8Array.from([...data.slice(0, at), ...junk, ...data.slice(at)]);
          expectWellFormed(await collectSpend(damaged, options));
          const chunks: Uint8Array[] = [];
          for (let i = 0, s = 0; i < data.length; s++) {
            const size = sizes[s % sizes.length]!;
            chunks.push(data.slice(i, i + size));
            i += size;
          }
          expect(await collectSpend(chunks, options)).toEqual(whole);
        },
      ),
      { numRuns: 150 },
    );
  });
});
