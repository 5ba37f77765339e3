import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grantSources, validateAllocations, type AllocationInput } from "./allocation";

const hundredths = (x: number) => Math.round(x * 100);

describe("validateAllocations", () => {
  it("resolves credits and percentages and leaves the rest as reserve", () => {
    const result = validateAllocations(10_000, 2_000, [
      { teamId: "a", kind: "credits", credits: 4_000 },
      { teamId: "b", kind: "percent", percent: 35 },
    ]);
    expect(result).toMatchObject({
      ok: true,
      allocated: 7_500,
      reserve: 4_500,
      reserveFromPool: 2_500,
      allocatedFromOverage: 0,
      allocations: [
        { teamId: "a", credits: 4_000, percentOfPool: 40 },
        { teamId: "b", credits: 3_500, percentOfPool: 35 },
      ],
    });
  });

  it("rounds percentages together so a full split is exactly the pool", () => {
    const third = 100 / 3;
    const result = validateAllocations(100, 0, [
      { teamId: "a", kind: "percent", percent: third },
      { teamId: "b", kind: "percent", percent: third },
      { teamId: "c", kind: "percent", percent: third },
    ]);
    if (!result.ok) throw new Error("expected ok");
    expect(result.allocations.map((a) => a.credits)).toEqual([33.34, 33.33, 33.33]);
    expect(result.reserve).toBe(0);
  });

  it("may dip into the overage budget but never beyond it", () => {
    const into = validateAllocations(1_000, 500, [{ teamId: "a", kind: "credits", credits: 1_200 }]);
    expect(into).toMatchObject({ ok: true, reserve: 300, reserveFromPool: 0, allocatedFromOverage: 200 });
    const beyond = validateAllocations(1_000, 500, [
      { teamId: "a", kind: "credits", credits: 1_200 },
      { teamId: "b", kind: "percent", percent: 30.01 },
    ]);
    expect(beyond).toEqual({
      ok: false,
      errors: [
        { teamId: null, message: "The allocations total 1500.1 credits, 0.1 more than the pool plus overage (1500)." },
      ],
    });
  });

  it("names the team for bad entries", () => {
    const result = validateAllocations(1_000, 0, [
      { teamId: "a", kind: "credits", credits: -1 },
      { teamId: "b", kind: "percent", percent: 101 },
      { teamId: "c", kind: "credits", credits: Number.NaN },
      { teamId: "d", kind: "credits", credits: 1e308 },
      { teamId: "a", kind: "credits", credits: 1 },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.teamId)).toEqual(["a", "b", "c", "d", "a"]);
    expect(result.errors[4]!.message).toContain("twice");
  });

  it("refuses a pool that is not a finite amount (a programming error, not a user's)", () => {
    expect(() => validateAllocations(Number.POSITIVE_INFINITY, 0, [])).toThrow(RangeError);
    expect(() => validateAllocations(10, -1, [])).toThrow(RangeError);
  });

  const allocation: fc.Arbitrary<Omit<AllocationInput, "teamId">> = fc.oneof(
    fc.integer({ min: 0, max: 5_000_000 }).map((h) => ({ kind: "credits" as const, credits: h / 100 })),
    fc.double({ min: 0, max: 100, noNaN: true }).map((percent) => ({ kind: "percent" as const, percent })),
  );

  it("property: accepted allocations never exceed pool + overage, and reserve closes the sum exactly", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }).map((h) => h / 100),
        fc.integer({ min: 0, max: 1_000_000 }).map((h) => h / 100),
        fc.array(allocation, { maxLength: 12 }),
        (pool, overage, raw) => {
          const inputs = raw.map((a, i) => ({ ...a, teamId: `t${i}` }) as AllocationInput);
          const result = validateAllocations(pool, overage, inputs);
          const exactCeiling = hundredths(pool) + hundredths(overage);
          if (!result.ok) {
            // Only the total can be wrong with these inputs; it must really be over.
            expect(result.errors).toHaveLength(1);
            expect(result.errors[0]!.teamId).toBeNull();
            return;
          }
          const allocatedH = result.allocations.reduce((s, a) => s + hundredths(a.credits), 0);
          expect(allocatedH).toBeLessThanOrEqual(exactCeiling);
          expect(hundredths(result.allocated)).toBe(allocatedH);
          expect(allocatedH + hundredths(result.reserve)).toBe(exactCeiling);
          expect(result.reserve).toBeGreaterThanOrEqual(0);
          for (const a of result.allocations) expect(a.credits).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it("property: a credit-only set is refused exactly when it sums over the ceiling", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.integer({ min: 0, max: 400_000 }), { maxLength: 8 }),
        (poolH, overageH, allocationsH) => {
          const result = validateAllocations(
            poolH / 100,
            overageH / 100,
            allocationsH.map((h, i) => ({ teamId: `t${i}`, kind: "credits", credits: h / 100 })),
          );
          expect(result.ok).toBe(allocationsH.reduce((a, b) => a + b, 0) <= poolH + overageH);
        },
      ),
    );
  });
});

describe("grantSources", () => {
  it("subtracts earlier grants from the reserve and spend from allocations, never below 0", () => {
    expect(
      grantSources({
        reserve: 1_000,
        grantedFromReserve: 250.5,
        teams: [
          { teamId: "a", allocation: 500, spent: 120.25 },
          { teamId: "b", allocation: 300, spent: 400 },
        ],
      }),
    ).toEqual({
      reserve: 749.5,
      unusedByTeam: [
        { teamId: "a", unused: 379.75 },
        { teamId: "b", unused: 0 },
      ],
    });
  });
});
