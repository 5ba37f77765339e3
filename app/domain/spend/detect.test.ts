import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectFormat } from "~/domain/spend/detect";

const samples = new URL("../../../tests/fixtures/samples/", import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, samples), "utf8");

describe("detectFormat", () => {
  it.each([
    ["copilot-ai-usage.csv", "copilot-usage"],
    ["copilot-premium-requests.csv", "copilot-premium"],
    ["claude-code-session.jsonl", "claude-jsonl"],
    ["ccusage-session.json", "ccusage"],
    ["litellm-spend-logs.csv", "litellm"],
    ["generic-spend.csv", "generic-csv"],
  ])("%s → %s", (name, format) => {
    const text = sample(name);
    expect(detectFormat(text)).toBe(format);
    // From the first bytes only, with a byte-order mark and CRLF line ends.
    expect(detectFormat(`\uFEFF${text.replace(/\n/g, "\r\n")}`.slice(0, 400))).toBe(format);
  });

  it("tells the Copilot reports apart by the first row's unit when the header does not", () => {
    const header = "date,username,product,sku,model,quantity,unit_type,organization";
    expect(detectFormat(`${header}\n2026-05-12,dana-k,copilot,x,GPT-5,2,requests,acme`)).toBe("copilot-premium");
    expect(detectFormat(`${header}\n2026-11-12,dana-k,copilot,x,GPT-5,2,ai-credits,acme`)).toBe("copilot-usage");
    expect(detectFormat(`"Date","Quantity","Unit Type","Exceeds Monthly Quota"`)).toBe("copilot-premium");
  });

  it("tells ccusage JSON from a Claude Code log, pretty-printed or not", () => {
    expect(detectFormat('{\n  "daily": [\n')).toBe("ccusage");
    expect(detectFormat('[\n  {\n    "sessionId": "x"')).toBe("ccusage");
    expect(detectFormat('{"daily":[],"totals":{}}')).toBe("ccusage");
    expect(detectFormat('{"parentUuid":null,"isSidechain":false,"type":"user"}\n')).toBe("claude-jsonl");
    expect(detectFormat(`{"type":"user","message":{"content":"${"x".repeat(100)}`)).toBe("claude-jsonl");
  });

  it("says null for anything else", () => {
    expect(detectFormat("")).toBeNull();
    expect(detectFormat(" \r\n\t")).toBeNull();
    expect(detectFormat("hello world")).toBeNull();
    expect(detectFormat("name,colour\nfrog,green")).toBeNull();
    expect(detectFormat('{"hello":"world"}')).toBeNull();
    expect(detectFormat("\u0000\u0001PK\u0003\u0004")).toBeNull();
    expect(detectFormat("\uFFFD".repeat(20))).toBeNull();
  });
});
