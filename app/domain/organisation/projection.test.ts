import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { datesBetween } from "../capacity";
import { describeRunOut, ordinalDay, projectMonth, projectOrganisationMonth } from "./projection";

// December 2026: Tue 1st … Thu 31st, 23 working days.
const month = "2026-12";

describe("projectMonth", () => {
  it("projects month-end spend from the rate per working day so far", () => {
    // Tue 1 … Fri 4: 4 working days at 100 a day, then a quiet weekend.
    const dailySpend = { "2026-12-01": 100, "2026-12-02": 100, "2026-12-03": 100, "2026-12-04": 100 };
    const p = projectMonth({ month, today: "2026-12-06", dailySpend, limit: 3_000 });
    expect(p).toMatchObject({
      spentToDate: 400,
      elapsedWorkingDays: 4,
      remainingWorkingDays: 19,
      ratePerWorkingDay: 100,
    });
    expect(p.projectedMonthEnd).toBe(2_300);
    expect(p.runOutDate).toBeNull();
    expect(describeRunOut(p, "the pool")).toBe("At this rate the pool lasts the month.");
  });

  it("names the day the pool is empty at the current rate", () => {
    const dailySpend = { "2026-12-01": 100, "2026-12-02": 100, "2026-12-03": 100, "2026-12-04": 100 };
    // 400 by the 4th, +100 per working day: 1,500 is reached 11 working days later,
    // on Mon 21st; 2,000 five working days after that, Mon 28th.
    const p = projectMonth({ month, today: "2026-12-06", dailySpend, limit: 1_500, ceiling: 2_000 });
    expect(p.runOutDate).toBe("2026-12-21");
    expect(p.runOutAlready).toBe(false);
    expect(p.ceilingReachedDate).toBe("2026-12-28");
    expect(describeRunOut(p, "the pool")).toBe("At this rate the pool is empty on the 21st.");
    expect(p.projectedHeadroom).toBe(1_500 - 2_300);
  });

  it("reports a pool that already ran out on the day it did", () => {
    const p = projectMonth({
      month,
      today: "2026-12-03",
      dailySpend: { "2026-12-01": 50, "2026-12-02": 60 },
      limit: 100,
    });
    expect(p.runOutDate).toBe("2026-12-02");
    expect(p.runOutAlready).toBe(true);
    expect(describeRunOut(p, "the allocation")).toBe("The allocation ran out on the 2nd.");
  });

  it("ignores spend outside the month and after today", () => {
    const p = projectMonth({
      month,
      today: "2026-12-02",
      dailySpend: { "2026-11-30": 999, "2026-12-01": 10, "2026-12-02": 20, "2026-12-03": 999 },
      limit: 1_000,
    });
    expect(p.spentToDate).toBe(30);
  });

  it("has no rate before the month or before its first working day, and the actual after it", () => {
    expect(projectMonth({ month, today: "2026-11-20", dailySpend: {}, limit: 10 })).toMatchObject({
      ratePerWorkingDay: null,
      projectedMonthEnd: null,
    });
    // August 2026 starts on a Saturday.
    const weekend = projectMonth({ month: "2026-08", today: "2026-08-02", dailySpend: { "2026-08-01": 5 }, limit: 10 });
    expect(weekend).toMatchObject({ spentToDate: 5, ratePerWorkingDay: null, projectedMonthEnd: null });
    expect(describeRunOut(weekend, "the pool")).toBe("No spend rate yet this month.");
    const after = projectMonth({ month, today: "2027-01-10", dailySpend: { "2026-12-10": 70 }, limit: 100 });
    expect(after).toMatchObject({ spentToDate: 70, projectedMonthEnd: 70, remainingWorkingDays: 0 });
  });

  it("calls a zero allocation empty from the first day", () => {
    expect(projectMonth({ month, today: "2026-12-10", dailySpend: {}, limit: 0 }).runOutDate).toBe("2026-12-01");
  });

  it("headroom uses committed work when it is more than the projection", () => {
    const p = projectMonth({
      month,
      today: "2026-12-01",
      dailySpend: { "2026-12-01": 10 },
      committed: { expected: 900, p80: 1_200 },
      limit: 1_000,
    });
    expect(p.projectedMonthEnd).toBe(230);
    expect(p.projectedHeadroom).toBe(100);
  });

  it("refuses NaN, Infinity and unreal dates", () => {
    expect(() =>
      projectMonth({ month, today: "2026-12-01", dailySpend: { "2026-12-01": Number.NaN }, limit: 1 }),
    ).toThrow(RangeError);
    expect(() => projectMonth({ month, today: "2026-12-01", dailySpend: {}, limit: Number.POSITIVE_INFINITY })).toThrow(
      RangeError,
    );
    expect(() => projectMonth({ month: "2026-13", today: "2026-12-01", dailySpend: {}, limit: 1 })).toThrow(RangeError);
    expect(() => projectMonth({ month, today: "2026-12-32", dailySpend: {}, limit: 1 })).toThrow(RangeError);
  });

  it("writes ordinals", () => {
    expect(
      [
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-11",
        "2026-12-12",
        "2026-12-13",
        "2026-12-21",
        "2026-12-22",
        "2026-12-23",
      ].map(ordinalDay),
    ).toEqual(["1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "22nd", "23rd"]);
  });
});

describe("projectOrganisationMonth", () => {
  const days = datesBetween("2026-11-25", "2027-01-05");
  const dailySpend = fc.dictionary(
    fc.constantFrom(...days),
    fc.integer({ min: 0, max: 5_000_000 }).map((h) => h / 100),
    { maxKeys: 40 },
  );
  const team = fc.record({
    allocation: fc.integer({ min: 0, max: 1_000_000 }),
    dailySpend,
    committed: fc.record({ expected: fc.integer({ min: 0, max: 100_000 }), p80: fc.integer({ min: 0, max: 200_000 }) }),
  });

  it("property: the organisation's projection equals the sum of its teams' (and the unplaced spend's)", () => {
    fc.assert(
      fc.property(
        fc.array(team, { maxLength: 8 }),
        dailySpend,
        fc.constantFrom(...days),
        fc.integer({ min: 0, max: 10_000_000 }),
        (teams, unplacedDailySpend, today, pool) => {
          const result = projectOrganisationMonth({
            month,
            today,
            pool,
            teams: teams.map((t, i) => ({ ...t, teamId: `t${i}` })),
            unplacedDailySpend,
          });
          const parts = [...result.teams.map((t) => t.projection), result.unplaced];
          const close = (a: number, b: number) =>
            expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(a)));
          close(
            result.total.spentToDate,
            parts.reduce((s, p) => s + p.spentToDate, 0),
          );
          if (result.total.projectedMonthEnd === null) {
            for (const p of parts) expect(p.projectedMonthEnd).toBeNull();
          } else {
            close(
              result.total.projectedMonthEnd,
              parts.reduce((s, p) => s + p.projectedMonthEnd!, 0),
            );
          }
          close(
            result.total.committed.expected,
            teams.reduce((s, t) => s + t.committed.expected, 0),
          );
        },
      ),
    );
  });

  it("property: the run-out day is where the summed spend first reaches the pool", () => {
    fc.assert(
      fc.property(
        fc.array(team, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...days),
        fc.integer({ min: 1, max: 2_000_000 }),
        (teams, today, pool) => {
          const { total } = projectOrganisationMonth({
            month,
            today,
            pool,
            teams: teams.map((t, i) => ({ ...t, teamId: `t${i}` })),
          });
          if (total.runOutDate === null) {
            expect(total.projectedMonthEnd ?? total.spentToDate).toBeLessThan(pool + 1e-6);
          } else if (total.runOutAlready) {
            expect(total.spentToDate).toBeGreaterThanOrEqual(pool);
          } else {
            expect(total.projectedMonthEnd!).toBeGreaterThanOrEqual(pool - 1e-6);
          }
        },
      ),
    );
  });
});
