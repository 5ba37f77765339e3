import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  billingMonthOf,
  daysElapsed,
  daysInMonth,
  firstDayOfMonth,
  isBillingMonth,
  lastDayOfMonth,
  monthInstantRange,
  monthsBetween,
  nextMonth,
  previousMonth,
  workingDaysElapsed,
  workingDaysInMonth,
} from "./billing-month";

describe("UTC billing months", () => {
  it("puts an instant in its UTC month, not the server's or the team's", () => {
    // 23:30 on 28 Feb in New York is already 1 March in UTC: March's pool pays.
    expect(billingMonthOf(new Date("2026-02-28T23:30:00-05:00"))).toBe("2026-03");
    expect(billingMonthOf(new Date("2026-03-01T00:30:00+01:00"))).toBe("2026-02");
  });

  it("knows first and last days, leap years included", () => {
    expect(firstDayOfMonth("2026-02")).toBe("2026-02-01");
    expect(lastDayOfMonth("2026-02")).toBe("2026-02-28");
    expect(lastDayOfMonth("2028-02")).toBe("2028-02-29");
    expect(lastDayOfMonth("2026-12")).toBe("2026-12-31");
    expect(daysInMonth("2026-04")).toBe(30);
    expect(nextMonth("2026-12")).toBe("2027-01");
    expect(previousMonth("2026-01")).toBe("2025-12");
    expect(monthsBetween("2026-11", "2027-02")).toEqual(["2026-11", "2026-12", "2027-01", "2027-02"]);
    expect(monthInstantRange("2026-12")).toEqual({
      start: "2026-12-01T00:00:00.000Z",
      end: "2027-01-01T00:00:00.000Z",
    });
  });

  it("counts Mon–Fri working days", () => {
    // December 2026 starts on a Tuesday: 23 working days.
    expect(workingDaysInMonth("2026-12")).toBe(23);
    expect(workingDaysInMonth("2026-02")).toBe(20);
    expect(workingDaysElapsed("2026-12", "2026-12-06")).toBe(4); // Tue–Fri; Sat and Sun do not count
    expect(workingDaysElapsed("2026-12", "2026-11-30")).toBe(0);
    expect(workingDaysElapsed("2026-12", "2027-01-15")).toBe(23);
    expect(daysElapsed("2026-12", "2026-12-06")).toBe(6);
    expect(daysElapsed("2026-12", "2027-03-01")).toBe(31);
    expect(daysElapsed("2026-12", "2026-01-01")).toBe(0);
  });

  it("rejects months and days that are not real", () => {
    for (const bad of ["2026-13", "2026-00", "2026-1", "26-01", "2026-01-01", "", "1969-12", "2026-01\u0000"]) {
      expect(isBillingMonth(bad)).toBe(false);
    }
    expect(() => daysElapsed("2026-02", "2026-02-30")).toThrow(RangeError);
    expect(() => billingMonthOf(new Date("nope"))).toThrow(RangeError);
  });

  it("property: next and previous are inverses, and months tile the calendar", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1971, max: 9998 }), fc.integer({ min: 1, max: 12 }), (year, m) => {
        const month = `${year}-${String(m).padStart(2, "0")}`;
        expect(previousMonth(nextMonth(month))).toBe(month);
        expect(nextMonth(previousMonth(month))).toBe(month);
        const last = new Date(`${lastDayOfMonth(month)}T00:00:00Z`);
        last.setUTCDate(last.getUTCDate() + 1);
        expect(last.toISOString().slice(0, 10)).toBe(firstDayOfMonth(nextMonth(month)));
        expect(workingDaysInMonth(month)).toBeGreaterThanOrEqual(20);
        expect(workingDaysInMonth(month)).toBeLessThanOrEqual(23);
      }),
    );
  });
});
