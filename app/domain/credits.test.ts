import { describe, expect, it } from "vitest";
import { formatCredits, formatUsd } from "~/domain/credits";

describe("formatCredits", () => {
  it("shows thousands separators and at most one decimal from 1 up", () => {
    expect(formatCredits(1234.567)).toBe("1,234.6");
    expect(formatCredits(1200)).toBe("1,200");
    expect(formatCredits(1_234_567.44)).toBe("1,234,567.4");
    expect(formatCredits(12.5)).toBe("12.5");
    expect(formatCredits(12.04)).toBe("12");
    expect(formatCredits(1)).toBe("1");
    expect(formatCredits(-42.16)).toBe("-42.2");
  });

  it("keeps up to 4 decimals below 1 so small amounts do not read as 0", () => {
    expect(formatCredits(0.12345)).toBe("0.1235");
    expect(formatCredits(0.0032)).toBe("0.0032");
    expect(formatCredits(0.04)).toBe("0.04");
    expect(formatCredits(-0.01)).toBe("-0.01");
    expect(formatCredits(0.99999)).toBe("1");
    expect(formatCredits(0)).toBe("0");
  });

  it("never shows -0 for a float sum's leftover", () => {
    expect(formatCredits(-0.00001)).toBe("0");
    expect(formatCredits(-0)).toBe("0");
  });

  it("shows a dash without a figure", () => {
    expect(formatCredits(null)).toBe("—");
    expect(formatCredits(undefined)).toBe("—");
    expect(formatCredits(Number.NaN)).toBe("—");
  });
});

describe("formatUsd", () => {
  it("shows cents, and up to 4 decimals for prices", () => {
    expect(formatUsd(12)).toBe("$12.00");
    expect(formatUsd(0.0032)).toBe("$0.0032");
    expect(formatUsd(1234.5)).toBe("$1,234.50");
    expect(formatUsd(null)).toBe("—");
  });
});
