import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { monthPool } from "./pool";

describe("monthPool", () => {
  it("multiplies seats by the included credits per seat", () => {
    const pool = monthPool({ source: "seats", seats: 40, includedPerSeat: 1900, overageBudget: 5000 });
    expect(pool).toMatchObject({ included: 76_000, usableOverage: 5000, ceiling: 81_000 });
    expect(pool.explanation[0]).toBe("40 seats × 1,900 included credits = 76,000 credits.");
  });

  it("takes a fixed pool as given, to two decimals", () => {
    expect(monthPool({ source: "fixed", fixedCredits: 12_345.678 })).toMatchObject({
      included: 12_345.68,
      usableOverage: 0,
      ceiling: 12_345.68,
    });
  });

  it("does not count the overage budget when the vendor blocks at an empty pool", () => {
    const pool = monthPool({
      source: "seats",
      seats: 10,
      includedPerSeat: 3900,
      overageBudget: 1000,
      exhaustionPolicy: "block",
    });
    expect(pool).toMatchObject({ included: 39_000, usableOverage: 0, ceiling: 39_000 });
    expect(pool.explanation.join(" ")).toContain("not spendable");
  });

  it("multiplies fractional per-seat credits exactly", () => {
    expect(monthPool({ source: "seats", seats: 3, includedPerSeat: 0.1 }).included).toBe(0.3);
  });

  it("refuses fractional or negative seats and non-finite amounts", () => {
    expect(() => monthPool({ source: "seats", seats: 2.5, includedPerSeat: 1900 })).toThrow(RangeError);
    expect(() => monthPool({ source: "seats", seats: -1, includedPerSeat: 1900 })).toThrow(RangeError);
    expect(() => monthPool({ source: "seats", seats: 1, includedPerSeat: Number.NaN })).toThrow(RangeError);
    expect(() => monthPool({ source: "fixed", fixedCredits: 1e308 })).toThrow(RangeError);
    expect(() => monthPool({ source: "fixed", fixedCredits: 10, overageBudget: -5 })).toThrow(RangeError);
    expect(() => monthPool({ source: "seats", seats: 1e9, includedPerSeat: 1e9 })).toThrow(RangeError);
  });

  it("property: the ceiling is the pool plus the usable overage, and never below the pool", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }).map((h) => h / 100),
        fc.integer({ min: 0, max: 1e9 }).map((h) => h / 100),
        fc.constantFrom("block" as const, "metered" as const),
        (seats, perSeat, budget, policy) => {
          const pool = monthPool({
            source: "seats",
            seats,
            includedPerSeat: perSeat,
            overageBudget: budget,
            exhaustionPolicy: policy,
          });
          expect(Math.round(pool.ceiling * 100)).toBe(
            Math.round(pool.included * 100) + Math.round(pool.usableOverage * 100),
          );
          expect(pool.ceiling).toBeGreaterThanOrEqual(pool.included);
          expect(pool.usableOverage).toBe(policy === "block" ? 0 : budget);
        },
      ),
    );
  });
});
