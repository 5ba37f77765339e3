import { describe, expect, it } from "vitest";
import { shellDoubleQuote, spendCap, taskText } from "~/domain/spend-cap";

describe("spendCap", () => {
  it("caps at p80 credits and their value in USD", () => {
    const cap = spendCap({ p80Credits: 375, creditValueUsd: 0.01, task: "PAY-412: Retry webhooks" });
    expect(cap).toEqual({
      credits: 375,
      usd: 3.75,
      claude: 'claude -p "PAY-412: Retry webhooks" --max-budget-usd 3.75',
      copilot: "copilot --max-ai-credits 375",
    });
  });

  it("rounds fractional credits and cents up, but not float noise", () => {
    expect(spendCap({ p80Credits: 22.5, creditValueUsd: 0.01, task: "x" })).toMatchObject({ credits: 23, usd: 0.23 });
    expect(spendCap({ p80Credits: 3, creditValueUsd: 0.013, task: "x" })).toMatchObject({ credits: 3, usd: 0.04 });
    expect(spendCap({ p80Credits: 1000, creditValueUsd: 0.01, task: "x" }).claude).toContain("--max-budget-usd 10.00");
  });

  it("quotes the task so the shell reads it as one literal argument", () => {
    expect(shellDoubleQuote('Fix "quotes", $HOME and `cmd` \\ too')).toBe(
      '"Fix \\"quotes\\", \\$HOME and \\`cmd\\` \\\\ too"',
    );
    expect(taskText({ key: null, title: "  Two\nlines " })).toBe("Two lines");
    expect(taskText({ key: "PAY-1", title: "Title" })).toBe("PAY-1: Title");
  });
});
