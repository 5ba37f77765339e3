import { describe, expect, it } from "vitest";
import { formatFactor } from "~/domain/recalibration";

describe("formatFactor", () => {
  it("keeps up to 2 decimals below 10 and whole factors from 10 up", () => {
    expect(formatFactor(1.2449)).toBe("1.24×");
    expect(formatFactor(0.5)).toBe("0.5×");
    expect(formatFactor(1)).toBe("1×");
    expect(formatFactor(9.996)).toBe("10×");
    expect(formatFactor(12.6)).toBe("13×");
  });
});
