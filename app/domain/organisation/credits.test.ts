import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { distributeHundredths, roundCredits, sumCredits, toHundredths } from "./credits";

describe("credit amounts", () => {
  it("rounds to hundredths the way a person reads the decimal", () => {
    expect(toHundredths(1.005)).toBe(101);
    expect(toHundredths(0.1 + 0.2)).toBe(30);
    expect(toHundredths(-2.5)).toBe(-250);
    expect(roundCredits(1234.5678)).toBe(1234.57);
  });

  it("refuses NaN, Infinity and absurd amounts", () => {
    expect(() => toHundredths(Number.NaN)).toThrow(RangeError);
    expect(() => toHundredths(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => toHundredths(1e308)).toThrow(RangeError);
  });

  it("sums exactly where floats would not", () => {
    expect(sumCredits([0.1, 0.2, 0.3])).toBe(0.6);
    expect(0.1 + 0.2 + 0.3).not.toBe(0.6);
  });
});

describe("distributeHundredths", () => {
  it("gives the leftover hundredths to the largest remainders, earlier part on a tie", () => {
    expect(distributeHundredths(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(distributeHundredths(10, [1, 2])).toEqual([3, 7]);
    expect(distributeHundredths(5, [0, 0])).toEqual([5, 0]);
  });

  it("property: parts are whole, never negative, and sum to exactly the total", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e14 }),
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (total, weights) => {
          const parts = distributeHundredths(total, weights);
          expect(parts).toHaveLength(weights.length);
          for (const p of parts) expect(Number.isInteger(p) && p >= 0).toBe(true);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        },
      ),
    );
  });

  it("property: each part is within one hundredth of its exact share", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 20 }),
        (total, weights) => {
          const sum = weights.reduce((a, b) => a + b, 0);
          fc.pre(sum > 0);
          distributeHundredths(total, weights).forEach((part, i) => {
            expect(Math.abs(part - (total * weights[i]!) / sum)).toBeLessThan(1 + 1e-6);
          });
        },
      ),
    );
  });
});
