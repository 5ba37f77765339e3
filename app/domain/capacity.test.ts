import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  availableCapacity,
  burnUp,
  checkAllocations,
  committedLoad,
  datesBetween,
  evaluateCommit,
  INCLUDED_CREDITS_PER_SEAT,
  isWorkingDay,
  localDay,
  poolCapacity,
  resolveCapacity,
  spendByDay,
  storyLoad,
  suggestCapacity,
  todayIn,
  workingDaysBetween,
  type ExhaustionPolicy,
} from "~/domain/capacity";

// Dates between 2000 and ~2054: wide enough to cover leap years and century rules that matter.
const date = fc.integer({ min: 0, max: 20_000 }).map((n) => addDays("2000-01-01", n));
const span = fc.integer({ min: 0, max: 400 });
const nonNegative = fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true });
const policy = fc.constantFrom<ExhaustionPolicy>("warn", "approval", "hard-stop");

describe("working days", () => {
  it("counts Mon–Fri inclusive of both ends", () => {
    expect(workingDaysBetween("2025-03-03", "2025-03-14")).toBe(10); // Mon … Fri a week later
    expect(workingDaysBetween("2025-03-07", "2025-03-10")).toBe(2); // Fri, Sat, Sun, Mon
    expect(workingDaysBetween("2025-03-08", "2025-03-09")).toBe(0); // a weekend
    expect(workingDaysBetween("2025-03-01", "2025-03-31")).toBe(21);
    expect(workingDaysBetween("2025-03-10", "2025-03-09")).toBe(0); // empty range
  });

  it("reads every date of years 0000–9999 as Date does, and rejects the impossible ones it would roll over", () => {
    // What dayNumber did before it was arithmetic: parse, then insist the date prints back the same.
    const byDate = (date: string) => {
      const ms = Date.parse(`${date}T00:00:00Z`);
      return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date ? null : ms / 86_400_000;
    };
    const pad = (n: number, width: number) => String(n).padStart(width, "0");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: -400, max: 400 }),
        (y, m, d, shift) => {
          const date = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
          const expected = byDate(date);
          if (expected === null) {
            expect(() => addDays(date, 0)).toThrow(RangeError);
          } else {
            expect(addDays(date, 0)).toBe(date);
            expect(addDays(date, shift)).toBe(new Date((expected + shift) * 86_400_000).toISOString().slice(0, 10));
          }
        },
      ),
      { numRuns: 20_000 },
    );
    for (const leap of ["2000-02-29", "2024-02-29", "1600-02-29"]) expect(addDays(leap, 1)).toMatch(/-03-01$/);
    for (const notLeap of ["1900-02-29", "2100-02-29", "2023-02-29"]) expect(() => addDays(notLeap, 0)).toThrow();
  });

  it("knows weekdays and rejects malformed or impossible dates", () => {
    expect(isWorkingDay("2025-03-07")).toBe(true);
    expect(isWorkingDay("2025-03-08")).toBe(false);
    expect(() => isWorkingDay("2025-02-30")).toThrow(RangeError);
    expect(() => isWorkingDay("2025-3-1")).toThrow(RangeError);
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(datesBetween("2024-12-30", "2025-01-02")).toEqual(["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02"]);
  });

  it("never exceeds calendar days", () => {
    fc.assert(
      fc.property(date, span, (start, length) => {
        const end = addDays(start, length);
        const n = workingDaysBetween(start, end);
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(length + 1);
        expect(n).toBe(datesBetween(start, end).filter(isWorkingDay).length);
      }),
    );
  });

  it("is additive over a range split in two", () => {
    fc.assert(
      fc.property(date, span, span, (start, first, second) => {
        const cut = addDays(start, first);
        const end = addDays(cut, second);
        expect(workingDaysBetween(start, end)).toBe(
          workingDaysBetween(start, cut) + workingDaysBetween(addDays(cut, 1), end),
        );
      }),
    );
  });
});

describe("team time zone", () => {
  it("buckets an instant into the team's local day", () => {
    expect(localDay("2025-03-09T23:30:00Z", "Europe/Berlin")).toBe("2025-03-10");
    expect(localDay("2025-03-10T03:00:00Z", "America/Los_Angeles")).toBe("2025-03-09");
    expect(localDay("2025-03-10T01:00:00+02:00", "UTC")).toBe("2025-03-09");
    expect(localDay("2025-03-10T12:00:00.123Z", "Asia/Kolkata")).toBe("2025-03-10");
  });

  it("refuses instants without an offset and unknown zones", () => {
    // Without an offset the answer would depend on the server's own time zone.
    expect(() => localDay("2025-03-10T01:00:00", "UTC")).toThrow(RangeError);
    expect(() => localDay("yesterday", "UTC")).toThrow(RangeError);
    expect(() => localDay("2025-03-10T01:00:00Z", "Mars/Olympus")).toThrow(RangeError);
  });

  it("tells today from an injected clock", () => {
    const now = new Date("2025-03-09T16:00:00Z");
    expect(todayIn("Asia/Tokyo", now)).toBe("2025-03-10");
    expect(todayIn("America/New_York", now)).toBe("2025-03-09");
  });

  it("sums spend entries per local day", () => {
    expect(
      spendByDay(
        [
          { at: "2025-03-10T08:00:00Z", credits: 10 },
          { at: "2025-03-10T23:30:00Z", credits: 5 }, // 00:30 on the 11th in Berlin (UTC+1)
          { at: "2025-03-10T09:00:00+01:00", credits: 2.5 },
        ],
        "Europe/Berlin",
      ),
    ).toEqual({ "2025-03-10": 12.5, "2025-03-11": 5 });
  });

  it("agrees with the UTC calendar date in UTC", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2050-01-01T00:00:00Z"), noInvalidDate: true }),
        (d) => {
          expect(localDay(d.toISOString(), "UTC")).toBe(d.toISOString().slice(0, 10));
        },
      ),
    );
  });
});

describe("pool calculator", () => {
  it("gives a whole month's allowance for a sprint covering the month", () => {
    const pool = poolCapacity({ seats: 20, plan: "copilot-business" }, { start: "2025-03-01", end: "2025-03-31" });
    expect(pool).toMatchObject({ perSeat: 1_900, monthly: 38_000, workingDaysInSprint: 21, share: 1, credits: 38_000 });
  });

  it("sums per-month shares for a sprint crossing a month boundary", () => {
    // March 2025 has 21 working days, April 22; the sprint takes 6 of March's and 4 of April's.
    const pool = poolCapacity({ seats: 10, plan: "copilot-business" }, { start: "2025-03-24", end: "2025-04-04" });
    expect(pool.workingDaysInSprint).toBe(10);
    expect(pool.months).toEqual([
      { month: "2025-03", workingDaysInSprint: 6, workingDaysInMonth: 21, share: 6 / 21, credits: (19_000 * 6) / 21 },
      { month: "2025-04", workingDaysInSprint: 4, workingDaysInMonth: 22, share: 4 / 22, credits: (19_000 * 4) / 22 },
    ]);
    expect(pool.credits).toBe(8_883); // 5,428.57 + 3,454.55 = 8,883.12, rounded down
    expect(pool.explanation).toEqual([
      "10 seats × 1,900 credits (Copilot Business) = 19,000 credits a month.",
      "Mar 2025: 6 of the month's 21 working days fall in the sprint → 19,000 × 6/21 = 5,428.6 credits.",
      "Apr 2025: 4 of the month's 22 working days fall in the sprint → 19,000 × 4/22 = 3,454.5 credits.",
      "Sum of the months: 5,428.6 + 3,454.5 = 8,883.1 credits.",
      "Sprint capacity: 8,883 credits (rounded down to whole credits).",
    ]);
  });

  it("handles Enterprise and custom per-seat amounts, and year ends", () => {
    expect(INCLUDED_CREDITS_PER_SEAT["copilot-enterprise"]).toBe(3_900);
    const enterprise = poolCapacity(
      { seats: 3, plan: "copilot-enterprise" },
      { start: "2025-12-29", end: "2026-01-09" },
    );
    expect(enterprise.months.map((m) => m.month)).toEqual(["2025-12", "2026-01"]);
    expect(
      poolCapacity({ seats: 4, plan: "custom", perSeat: 500 }, { start: "2025-02-01", end: "2025-02-28" }).credits,
    ).toBe(2_000);
    expect(() =>
      poolCapacity({ seats: 1.5, plan: "copilot-business" }, { start: "2025-02-01", end: "2025-02-28" }),
    ).toThrow(RangeError);
    expect(() =>
      poolCapacity({ seats: 1, plan: "copilot-business" }, { start: "2025-02-10", end: "2025-02-01" }),
    ).toThrow(RangeError);
  });

  it("prorates a whole month to exactly the monthly amount", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.oneof(
          fc.constant({ plan: "copilot-business" as const }),
          fc.constant({ plan: "copilot-enterprise" as const }),
          fc.integer({ min: 0, max: 10_000 }).map((perSeat) => ({ plan: "custom" as const, perSeat })),
        ),
        (year, month, seats, plan) => {
          const start = `${year}-${String(month).padStart(2, "0")}-01`;
          const end = addDays(
            month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, "0")}-01`,
            -1,
          );
          const pool = poolCapacity({ seats, ...plan }, { start, end });
          expect(pool.share).toBe(1);
          expect(pool.credits).toBe(pool.monthly);
        },
      ),
    );
  });

  it("resolves capacity from a number or from the pool", () => {
    const sprint = { start: "2025-03-01", end: "2025-03-31" };
    expect(resolveCapacity({ kind: "credits", credits: 1_200 }, sprint)).toEqual({ credits: 1_200, pool: null });
    const fromPool = resolveCapacity({ kind: "pool", seats: 2, plan: "copilot-enterprise" }, sprint);
    expect(fromPool.credits).toBe(7_800);
    expect(fromPool.pool?.monthly).toBe(7_800);
  });
});

describe("reserve and allocations", () => {
  it("holds back the reserve", () => {
    expect(availableCapacity(1_000, 20)).toBe(800);
    expect(availableCapacity(1_000, 0)).toBe(1_000);
    expect(availableCapacity(1_000, 100)).toBe(0);
    expect(() => availableCapacity(1_000, 120)).toThrow(RangeError);
    expect(() => availableCapacity(-1, 10)).toThrow(RangeError);
  });

  it("warns when member allocations exceed capacity", () => {
    const members = [
      { member: "ana", credits: 600 },
      { member: "bo", credits: 800 },
    ];
    expect(checkAllocations(1_500, members)).toEqual({ allocated: 1_400, capacity: 1_500, overBy: 0, warning: null });
    expect(checkAllocations(1_200, members)).toEqual({
      allocated: 1_400,
      capacity: 1_200,
      overBy: 200,
      warning: "Member allocations total 1,400 credits, 200 credits more than the sprint's capacity of 1,200 credits.",
    });
    expect(checkAllocations(1_200, []).warning).toBeNull();
  });
});

describe("suggested capacity (yesterday's weather)", () => {
  const next = { start: "2025-04-07", end: "2025-04-11" }; // 5 working days

  it("is null without closed sprints", () => {
    expect(suggestCapacity([], next)).toBeNull();
  });

  it("takes the median of the last three sprints, scaled per working day", () => {
    const suggestion = suggestCapacity(
      [
        { name: "Sprint 9", start: "2025-02-03", end: "2025-02-14", actualCredits: 9_999 }, // too old
        { name: "Sprint 10", start: "2025-02-17", end: "2025-02-28", actualCredits: 4_000 }, // 400/day
        { name: "Sprint 12", start: "2025-03-17", end: "2025-03-28", actualCredits: 3_000 }, // 300/day
        { name: "Sprint 11", start: "2025-03-03", end: "2025-03-07", actualCredits: 2_500 }, // 500/day, 1 week
      ],
      next,
    );
    expect(suggestion).not.toBeNull();
    expect(suggestion?.samples.map((s) => [s.name, s.perWorkingDay, s.scaled])).toEqual([
      ["Sprint 12", 300, 1_500],
      ["Sprint 11", 500, 2_500],
      ["Sprint 10", 400, 2_000],
    ]);
    expect(suggestion?.credits).toBe(2_000);
    expect(suggestion?.explanation).toEqual([
      "Sprint 12 (17 – 28 Mar 2025): 3,000 credits over 10 working days = 300 a day × 5 working days = 1,500 credits.",
      "Sprint 11 (3 – 7 Mar 2025): 2,500 credits over 5 working days = 500 a day × 5 working days = 2,500 credits.",
      "Sprint 10 (17 – 28 Feb 2025): 4,000 credits over 10 working days = 400 a day × 5 working days = 2,000 credits.",
      "Median of 1,500, 2,500, 2,000 = 2,000 credits.",
    ]);
  });

  it("averages the middle pair with two sprints and uses the only one with one", () => {
    const two = suggestCapacity(
      [
        { name: "A", start: "2025-03-03", end: "2025-03-07", actualCredits: 1_000 },
        { name: "B", start: "2025-03-10", end: "2025-03-14", actualCredits: 2_001 },
      ],
      next,
    );
    expect(two?.median).toBe(1_500.5);
    expect(two?.credits).toBe(1_501);
    const one = suggestCapacity([{ name: "A", start: "2025-03-03", end: "2025-03-14", actualCredits: 1_000 }], next);
    expect(one?.credits).toBe(500);
    expect(one?.explanation.at(-1)).toBe("Only one closed sprint: suggested capacity 500 credits.");
  });

  it("ignores sprints without working days", () => {
    expect(
      suggestCapacity([{ name: "Weekend", start: "2025-03-08", end: "2025-03-09", actualCredits: 50 }], next),
    ).toBeNull();
  });
});

describe("committed load", () => {
  const stories = [
    { estimate: { expected: 100, p80: 250 } },
    { estimate: null },
    { estimate: { expected: 40, p80: 60 } },
    { estimate: null },
  ];

  it("sums expected by default and reports unestimated stories as a count", () => {
    expect(committedLoad(stories)).toEqual({
      basis: "expected",
      credits: 140,
      expected: 140,
      p80: 310,
      estimatedCount: 2,
      unestimatedCount: 2,
    });
    expect(committedLoad(stories, "p80").credits).toBe(310);
    expect(committedLoad([])).toMatchObject({ credits: 0, estimatedCount: 0, unestimatedCount: 0 });
  });

  it("gives an unestimated story an unknown load, not zero", () => {
    expect(storyLoad(null)).toBeNull();
    expect(storyLoad({ expected: 100, p80: 250 }, "p80")).toBe(250);
  });
});

describe("evaluateCommit", () => {
  const base = { available: 1_200, committedBefore: 1_000, adding: 350, story: "PAY-412" };

  it("says by how much a commit would exceed available credits", () => {
    expect(evaluateCommit({ ...base, policy: "warn" })).toEqual({
      outcome: "warn",
      overBy: 150,
      message:
        "Committing PAY-412 would exceed the sprint's available 1,200 credits by 150 credits. " +
        "The sprint allows over-commitment, so it can go ahead with this warning.",
    });
    expect(evaluateCommit({ ...base, policy: "approval" })).toMatchObject({ outcome: "needs-approval", overBy: 150 });
    expect(evaluateCommit({ ...base, policy: "hard-stop" })).toMatchObject({ outcome: "refused", overBy: 150 });
    expect(evaluateCommit({ ...base, policy: "hard-stop", adding: 200.04 }).message).toContain("by 0.04 credits");
    expect(evaluateCommit({ ...base, policy: "hard-stop", adding: 201, story: undefined }).message).toMatch(
      /^Committing this story would exceed the sprint's available 1,200 credits by 1 credit\./,
    );
  });

  it("lets a commit that fits through whatever the policy", () => {
    expect(evaluateCommit({ ...base, policy: "hard-stop", adding: 200 })).toEqual({
      outcome: "ok",
      overBy: 0,
      message: "Committing PAY-412 leaves 0 of the sprint's available 1,200 credits uncommitted.",
    });
  });

  it("never returns ok when the commit pushes over available", () => {
    fc.assert(
      fc.property(policy, nonNegative, nonNegative, nonNegative, (p, available, committedBefore, adding) => {
        const { outcome } = evaluateCommit({ policy: p, available, committedBefore, adding });
        if (committedBefore + adding > available) expect(outcome).not.toBe("ok");
        else expect(outcome).toBe("ok");
      }),
    );
  });

  it("reports overBy = max(0, committedBefore + adding − available)", () => {
    fc.assert(
      fc.property(policy, nonNegative, nonNegative, nonNegative, (p, available, committedBefore, adding) => {
        const { overBy } = evaluateCommit({ policy: p, available, committedBefore, adding });
        expect(overBy).toBe(Math.max(0, committedBefore + adding - available));
      }),
    );
  });
});

describe("burn-up", () => {
  // Mon 2025-03-03 … Fri 2025-03-14: ten working days.
  const sprint = { start: "2025-03-03", end: "2025-03-14", capacity: 1_250, reservePercent: 20 }; // available 1,000

  it("builds the cumulative series, markers of available capacity and a linear projection", () => {
    const result = burnUp({
      ...sprint,
      today: "2025-03-07", // Friday: five working days elapsed
      dailySpend: {
        "2025-03-02": 999, // before the sprint: ignored
        "2025-03-03": 100,
        "2025-03-04": 150,
        "2025-03-06": 250,
        "2025-03-07": 300,
        "2025-03-10": 50, // after today: ignored
      },
    });
    expect(result.available).toBe(1_000);
    expect(result.markers).toEqual([
      { threshold: 75, credits: 750 },
      { threshold: 90, credits: 900 },
      { threshold: 100, credits: 1_000 },
    ]);
    expect(result.days.map((d) => d.cumulative)).toEqual([
      100,
      250,
      250,
      500,
      800,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(result).toMatchObject({
      spentToDate: 800,
      elapsedWorkingDays: 5,
      remainingWorkingDays: 5,
      averagePerWorkingDay: 160,
      projectedTotal: 1_600,
      crossed: [75],
      newlyCrossed: [75],
    });
    // The projection starts at today's actual total and stays flat over the weekend.
    expect(result.days.map((d) => d.projected)).toEqual([
      null,
      null,
      null,
      null,
      800,
      800,
      800,
      960,
      1_120,
      1_280,
      1_440,
      1_600,
    ]);
  });

  it("alerts once per threshold", () => {
    const result = burnUp({ ...sprint, today: "2025-03-14", dailySpend: { "2025-03-05": 950 }, alreadyAlerted: [75] });
    expect(result.crossed).toEqual([75, 90]);
    expect(result.newlyCrossed).toEqual([90]);
    expect(result.projectedTotal).toBe(950);
  });

  it("has no projection before the first working day and crosses nothing at zero spend", () => {
    const before = burnUp({ ...sprint, today: "2025-03-01", dailySpend: {} });
    expect(before).toMatchObject({
      elapsedWorkingDays: 0,
      remainingWorkingDays: 10,
      averagePerWorkingDay: null,
      projectedTotal: null,
    });
    expect(before.days.every((d) => d.cumulative === null && d.projected === null)).toBe(true);
    expect(burnUp({ ...sprint, capacity: 0, today: "2025-03-05", dailySpend: {} }).crossed).toEqual([]);
  });

  it("projects monotonically in spend", () => {
    fc.assert(
      fc.property(
        date,
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { maxLength: 31 }),
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        (start, length, elapsed, spend, bumpDay, bump) => {
          const end = addDays(start, length);
          const today = addDays(start, elapsed);
          const dailySpend = Object.fromEntries(spend.map((credits, i) => [addDays(start, i), credits]));
          const bumpDate = addDays(start, bumpDay);
          const more = { ...dailySpend, [bumpDate]: (dailySpend[bumpDate] ?? 0) + bump };
          const input = { start, end, today, capacity: 1_000, reservePercent: 10 };
          const lower = burnUp({ ...input, dailySpend });
          const higher = burnUp({ ...input, dailySpend: more });
          expect(higher.projectedTotal ?? 0).toBeGreaterThanOrEqual(lower.projectedTotal ?? 0);
          higher.days.forEach((day, i) => {
            expect(day.projected ?? 0).toBeGreaterThanOrEqual(lower.days[i]?.projected ?? 0);
          });
        },
      ),
    );
  });
});
