import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../capacity";
import { capacityInMonth, monthSplitter, splitAcrossMonths } from "./month-split";

describe("splitAcrossMonths", () => {
  it("keeps a sprint inside one month whole", () => {
    expect(splitAcrossMonths("2026-12-07", "2026-12-18", 1_000)).toEqual([
      { month: "2026-12", from: "2026-12-07", to: "2026-12-18", workingDays: 10, credits: 1_000 },
    ]);
  });

  it("splits a straddling sprint by its working days in each month", () => {
    // Mon 2026-11-23 … Fri 2026-12-04: 6 working days in November, 4 in December.
    expect(
      splitAcrossMonths("2026-11-23", "2026-12-04", 1_000).map((p) => [p.month, p.workingDays, p.credits]),
    ).toEqual([
      ["2026-11", 6, 600],
      ["2026-12", 4, 400],
    ]);
  });

  it("puts the leftover hundredth on the larger remainder so the parts add up", () => {
    // 10 working days: 3 in one month, 7 in the next; 100.01 / 10 does not divide evenly.
    const parts = splitAcrossMonths("2026-09-28", "2026-10-09", 100.01);
    expect(parts.map((p) => p.workingDays)).toEqual([3, 7]);
    expect(parts.map((p) => p.credits)).toEqual([30, 70.01]);
  });

  it("falls back to calendar days for a sprint with no working day", () => {
    // Sat 31 Oct + Sun 1 Nov 2026.
    expect(splitAcrossMonths("2026-10-31", "2026-11-01", 10).map((p) => p.credits)).toEqual([5, 5]);
  });

  it("gives a month the sprint does not touch nothing", () => {
    expect(capacityInMonth({ start: "2026-11-23", end: "2026-12-04", capacity: 1_000 }, "2026-12")).toBe(400);
    expect(capacityInMonth({ start: "2026-11-23", end: "2026-12-04", capacity: 1_000 }, "2027-01")).toBe(0);
  });

  it("refuses reversed ranges, unreal dates and bad capacities", () => {
    expect(() => splitAcrossMonths("2026-12-04", "2026-11-23", 1)).toThrow(RangeError);
    expect(() => splitAcrossMonths("2026-02-30", "2026-03-02", 1)).toThrow(RangeError);
    expect(() => splitAcrossMonths("2026-02-01", "2026-03-02", Number.NaN)).toThrow(RangeError);
    expect(() => splitAcrossMonths("2026-02-01", "2026-03-02", -1)).toThrow(RangeError);
  });

  it("property: the parts sum exactly to the total, follow each other, and cover the sprint", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000 }).map((n) => addDays("2000-01-01", n)),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 1e11 }).map((h) => h / 100),
        (start, length, capacity) => {
          const end = addDays(start, length);
          const parts = splitAcrossMonths(start, end, capacity);
          expect(parts.reduce((sum, p) => sum + Math.round(p.credits * 100), 0)).toBe(Math.round(capacity * 100));
          expect(parts[0]!.from).toBe(start);
          expect(parts[parts.length - 1]!.to).toBe(end);
          for (let i = 1; i < parts.length; i++) expect(parts[i]!.from).toBe(addDays(parts[i - 1]!.to, 1));
          for (const p of parts) expect(p.credits).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it("property: one sprint's splitter splits each amount exactly as splitAcrossMonths does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000 }).map((n) => addDays("2000-01-01", n)),
        fc.integer({ min: 0, max: 120 }),
        fc.array(
          fc.integer({ min: 0, max: 1e11 }).map((h) => h / 100),
          { minLength: 1, maxLength: 3 },
        ),
        (start, length, amounts) => {
          const end = addDays(start, length);
          const split = monthSplitter(start, end);
          for (const amount of amounts) expect(split(amount)).toEqual(splitAcrossMonths(start, end, amount));
        },
      ),
    );
    expect(() => monthSplitter("2026-02-01", "2026-03-02")(Number.NaN)).toThrow(RangeError);
  });
});
