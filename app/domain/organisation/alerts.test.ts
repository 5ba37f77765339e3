import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertKey, alertLevels, newAlertLevels, pendingAlerts } from "./alerts";

describe("alertLevels", () => {
  it("returns the thresholds reached, exactly at the boundary too", () => {
    expect(alertLevels(749.99, 1_000)).toEqual([]);
    expect(alertLevels(750, 1_000)).toEqual([75]);
    expect(alertLevels(900, 1_000)).toEqual([75, 90]);
    expect(alertLevels(1_000, 1_000)).toEqual([75, 90, 100]);
    expect(alertLevels(5_000, 1_000)).toEqual([75, 90, 100]);
  });

  it("is silent without spend and loud for any spend against a zero limit", () => {
    expect(alertLevels(0, 0)).toEqual([]);
    expect(alertLevels(0.01, 0)).toEqual([75, 90, 100]);
  });

  it("refuses non-finite inputs", () => {
    expect(() => alertLevels(Number.NaN, 1)).toThrow(RangeError);
    expect(() => alertLevels(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => alertLevels(1, -1)).toThrow(RangeError);
  });

  it("leaves out what was already sent", () => {
    expect(newAlertLevels(950, 1_000, [75])).toEqual([90]);
  });

  it("property: crossing is monotone in spend", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        (a, b, limit) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const lowLevels = alertLevels(low, limit);
          const highLevels = alertLevels(high, limit);
          for (const t of lowLevels) expect(highLevels).toContain(t);
        },
      ),
    );
  });
});

describe("pendingAlerts", () => {
  it("sends the highest new threshold per subject and records every crossed one", () => {
    const { send, record } = pendingAlerts({
      poolSpent: 9_500,
      pool: 10_000,
      allocations: [
        { teamId: "a", spent: 400, allocation: 500 },
        { teamId: "b", spent: 100, allocation: 500 },
      ],
      alreadyAlerted: new Set([alertKey({ kind: "pool" }, 75)]),
    });
    expect(send).toEqual([
      { subject: { kind: "pool" }, threshold: 90, spent: 9_500, limit: 10_000 },
      { subject: { kind: "allocation", teamId: "a" }, threshold: 75, spent: 400, limit: 500 },
    ]);
    expect(record).toEqual(["pool:90", "allocation:a:75"]);
  });
});
