import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, evaluateCommit, isWorkingDay, workingDaysBetween, type ExhaustionPolicy } from "~/domain/capacity";
import {
  buildSnapshot,
  burnAlert,
  burnAlertLevel,
  evaluateStoryCommit,
  isOverdue,
  meterGeometry,
  nextSprintDates,
  nextSprintName,
  planClose,
  sprintCapacity,
  sprintStatus,
  statusOutsideSprint,
} from "~/domain/sprint";

const date = fc.integer({ min: 0, max: 20_000 }).map((n) => addDays("2000-01-01", n));
const credits = fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true });
const policy = fc.constantFrom<ExhaustionPolicy>("warn", "approval", "hard-stop");
const basis = fc.constantFrom<"expected" | "p80">("expected", "p80");

describe("sprint status", () => {
  it("is planned before the start, active from it, closed once closed", () => {
    const s = { start: "2026-11-23", end: "2026-12-04", closed: false };
    expect(sprintStatus(s, "2026-11-22")).toBe("planned");
    expect(sprintStatus(s, "2026-11-23")).toBe("active");
    expect(sprintStatus(s, "2026-12-10")).toBe("active");
    expect(isOverdue(s, "2026-12-10")).toBe(true);
    expect(isOverdue(s, "2026-12-04")).toBe(false);
    expect(sprintStatus({ ...s, closed: true }, "2026-11-01")).toBe("closed");
  });

  it("never goes back from active to planned as days pass", () => {
    fc.assert(
      fc.property(
        date,
        fc.integer({ min: 0, max: 60 }),
        date,
        fc.integer({ min: 1, max: 60 }),
        (start, len, today, later) => {
          const s = { start, end: addDays(start, len), closed: false };
          if (sprintStatus(s, today) === "active") expect(sprintStatus(s, addDays(today, later))).toBe("active");
        },
      ),
    );
  });
});

describe("sprint capacity from settings", () => {
  const base = { start: "2026-11-23", end: "2026-12-04", poolPlan: null, poolSeats: null, poolPerSeat: null };
  it("takes a plain number and holds back the reserve", () => {
    expect(
      sprintCapacity({ ...base, capacityKind: "credits", capacityCredits: 5_000, reservePercent: 10 }),
    ).toMatchObject({
      capacity: 5_000,
      available: 4_500,
      reserve: 500,
      workingDays: 10,
      pool: null,
    });
  });

  it("prorates the seat pool per month and shows the arithmetic", () => {
    const cap = sprintCapacity({
      ...base,
      capacityKind: "pool",
      capacityCredits: null,
      poolPlan: "copilot-business",
      poolSeats: 4,
      reservePercent: 20,
    });
    // Nov 2026: 21 working days, 6 in the sprint; Dec 2026: 23 working days, 4 in the sprint.
    expect(cap.pool!.months.map((m) => [m.month, m.workingDaysInSprint, m.workingDaysInMonth])).toEqual([
      ["2026-11", 6, 21],
      ["2026-12", 4, 23],
    ]);
    expect(cap.capacity).toBe(Math.floor(7_600 * (6 / 21) + 7_600 * (4 / 23)));
    expect(cap.available).toBeCloseTo(cap.capacity * 0.8);
    expect(cap.pool!.explanation[0]).toBe("4 seats × 1,900 credits (Copilot Business) = 7,600 credits a month.");
  });

  it("uses the custom amount per seat", () => {
    const cap = sprintCapacity({
      ...base,
      capacityKind: "pool",
      capacityCredits: null,
      poolPlan: "custom",
      poolSeats: 2,
      poolPerSeat: 1_000,
      reservePercent: 0,
      start: "2026-06-01",
      end: "2026-06-30",
    });
    expect(cap.capacity).toBe(2_000);
  });
});

describe("committing a story", () => {
  it("measures the story on the sprint's basis", () => {
    const r = evaluateStoryCommit({
      policy: "hard-stop",
      basis: "p80",
      available: 1_000,
      committedBefore: 900,
      estimate: { expected: 50, p80: 125 },
      story: "PAY-1",
    });
    expect(r).toMatchObject({ outcome: "refused", load: 125, overBy: 25 });
    expect(r.message).toContain("by 25 credits");
    expect(
      evaluateStoryCommit({
        policy: "hard-stop",
        basis: "expected",
        available: 1_000,
        committedBefore: 900,
        estimate: { expected: 50, p80: 125 },
      }).outcome,
    ).toBe("ok");
  });

  it("treats an unestimated story as unknown: never simply ok", () => {
    fc.assert(
      fc.property(policy, basis, credits, credits, (p, b, available, before) => {
        const r = evaluateStoryCommit({
          policy: p,
          basis: b,
          available,
          committedBefore: before,
          estimate: null,
          story: "PAY-9",
        });
        expect(r.outcome).not.toBe("ok");
        expect(r.load).toBeNull();
        expect(r.overBy).toBeNull();
        expect(r.outcome).toBe({ warn: "warn", approval: "needs-approval", "hard-stop": "refused" }[p]);
      }),
    );
  });

  it("agrees with evaluateCommit for estimated stories", () => {
    fc.assert(
      fc.property(policy, basis, credits, credits, credits, credits, (p, b, available, before, expected, extra) => {
        const estimate = { expected, p80: expected + extra };
        const r = evaluateStoryCommit({ policy: p, basis: b, available, committedBefore: before, estimate });
        const plain = evaluateCommit({ policy: p, available, committedBefore: before, adding: estimate[b] });
        expect(r.outcome).toBe(plain.outcome);
        expect(r.overBy).toBe(plain.overBy);
      }),
    );
  });

  it("puts a story leaving a sprint back where its estimate says", () => {
    expect(statusOutsideSprint(true)).toBe("estimated");
    expect(statusOutsideSprint(false)).toBe("backlog");
  });
});

describe("capacity meter", () => {
  it("fills to expected, hatches up to p80, and marks over-commitment", () => {
    const fits = meterGeometry({ available: 1_000, expected: 400, p80: 700, basis: "expected", unestimatedCount: 0 });
    expect(fits).toMatchObject({
      expectedPct: 40,
      rangePct: 30,
      availablePct: 100,
      over: false,
      percentOfAvailable: 40,
    });
    const over = meterGeometry({ available: 1_000, expected: 800, p80: 2_000, basis: "p80", unestimatedCount: 2 });
    expect(over).toMatchObject({ expectedPct: 40, rangePct: 60, availablePct: 50, over: true, overBy: 1_000 });
    expect(over.summary).toContain("2 committed stories have no estimate (unknown)");
  });

  it("keeps segments inside the track and flags over exactly when the load exceeds available", () => {
    fc.assert(
      fc.property(credits, credits, credits, basis, fc.nat(5), (available, expected, extra, b, unknown) => {
        const g = meterGeometry({ available, expected, p80: expected + extra, basis: b, unestimatedCount: unknown });
        expect(g.expectedPct).toBeGreaterThanOrEqual(0);
        expect(g.rangePct).toBeGreaterThanOrEqual(0);
        expect(g.expectedPct + g.rangePct).toBeLessThanOrEqual(100 + 1e-9);
        expect(g.availablePct).toBeLessThanOrEqual(100 + 1e-9);
        expect(g.over).toBe((b === "expected" ? expected : expected + extra) > available);
      }),
    );
  });
});

describe("closing a sprint", () => {
  const stories = fc.array(
    fc.record({ storyId: fc.nat(), status: fc.constantFrom("committed", "done", "estimated", "backlog") }),
    { maxLength: 30 },
  );
  const destination = fc.oneof(
    fc.constant({ kind: "backlog" as const }),
    fc.nat().map((sprintId) => ({ kind: "sprint" as const, sprintId })),
  );

  it("puts every story in exactly one place and never moves a done story", () => {
    fc.assert(
      fc.property(stories, destination, (list, dest) => {
        const plan = planClose(list, dest);
        expect(plan.done.length + plan.carried.length + plan.returned.length).toBe(list.length);
        expect(plan.done).toEqual(list.filter((s) => s.status === "done").map((s) => s.storyId));
        if (dest.kind === "backlog") expect(plan.carried).toEqual([]);
        else expect(plan.returned).toEqual([]);
      }),
    );
  });

  it("snapshots capacity and each commitment with its frozen estimate", () => {
    const plan = planClose(
      [
        { storyId: 1, status: "done" },
        { storyId: 2, status: "committed" },
        { storyId: 3, status: "committed" },
      ],
      { kind: "backlog" },
    );
    const est = (expected: number, p80: number) => ({
      levels: { intensity: "standard", autonomy: "pair", risk: "low" },
      size: "S",
      expected,
      p80,
      bandLow: 25,
      bandHigh: 100,
      schemeVersion: 1,
    });
    const snap = buildSnapshot({
      closedAt: new Date("2026-11-20T17:00:00Z"),
      sprint: {
        id: 7,
        name: "Sprint 7",
        goal: "Ship",
        start: "2026-11-09",
        end: "2026-11-20",
        workingDays: 10,
        timeZone: "UTC",
      },
      settings: {
        start: "2026-11-09",
        end: "2026-11-20",
        capacityKind: "credits",
        capacityCredits: 1_000,
        poolPlan: null,
        poolSeats: null,
        poolPerSeat: null,
        reservePercent: 10,
        basis: "expected",
        policy: "warn",
      },
      actualAtClose: 640,
      allocations: [],
      destination: { kind: "backlog" },
      stories: [
        { storyId: 1, key: "PAY-1", title: "One", status: "done", ...est(50, 75) },
        { storyId: 2, key: "PAY-2", title: "Two", status: "committed", ...est(50, 125) },
        {
          storyId: 3,
          key: null,
          title: "Three",
          status: "committed",
          levels: null,
          size: null,
          expected: null,
          p80: null,
          bandLow: null,
          bandHigh: null,
          schemeVersion: null,
        },
      ],
      plan,
    });
    expect(snap.capacity).toMatchObject({
      credits: 1_000,
      available: 900,
      reservePercent: 10,
      basis: "expected",
      policy: "warn",
    });
    expect(snap.committed).toEqual({ expected: 100, p80: 200, estimatedCount: 2, unestimatedCount: 1 });
    expect(snap.stories.map((s) => s.outcome)).toEqual(["done", "returned", "returned"]);
    expect(snap.stories[0]).toMatchObject({ key: "PAY-1", size: "S", bandLow: 25, bandHigh: 100, schemeVersion: 1 });
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });
});

describe("new sprint dates", () => {
  it("starts the Monday after the last sprint and runs two working weeks", () => {
    expect(nextSprintDates("2026-12-04", "2026-11-28")).toEqual({ start: "2026-12-07", end: "2026-12-18" });
    expect(nextSprintDates(null, "2026-11-30")).toEqual({ start: "2026-11-30", end: "2026-12-11" });
    expect(nextSprintDates("2026-01-02", "2026-11-28")).toEqual({ start: "2026-11-30", end: "2026-12-11" });
  });

  it("always gives a Monday start, ten working days, and never overlaps the last sprint", () => {
    fc.assert(
      fc.property(fc.option(date, { nil: null }), date, (lastEnd, today) => {
        const { start, end } = nextSprintDates(lastEnd, today);
        expect(new Date(`${start}T00:00:00Z`).getUTCDay()).toBe(1);
        expect(isWorkingDay(end)).toBe(true);
        expect(workingDaysBetween(start, end)).toBe(10);
        expect(start >= today).toBe(true);
        if (lastEnd) expect(start > lastEnd).toBe(true);
      }),
    );
  });
});

describe("new sprint name", () => {
  it("bumps the latest sprint's number, or counts", () => {
    expect(nextSprintName("Sprint 24", 5)).toBe("Sprint 25");
    expect(nextSprintName("Payments 2026-09", 1)).toBe("Payments 2026-10");
    expect(nextSprintName("Kick-off", 1)).toBe("Sprint 2");
    expect(nextSprintName(null, 0)).toBe("Sprint 1");
  });
});

describe("burn alerts", () => {
  it("writes a Slack-compatible text with the threshold, spend and projection", () => {
    const alert = burnAlert({
      team: "Payments",
      sprint: { id: 3, name: "Sprint 3", start: "2026-11-23", end: "2026-12-04", url: "http://x/t/pay/sprints/3" },
      threshold: 90,
      spent: 3_650,
      available: 4_000,
      projected: 5_200,
    });
    expect(alert.text).toBe(
      "⚠️ Payments · Sprint 3 reached 90 % of its available AI credits: 3,650 of 4,000 credits spent (91 %). " +
        "Projected by 4 Dec 2026: 5,200 credits (130 %). <http://x/t/pay/sprints/3|Open the sprint>",
    );
    expect(alert).toMatchObject({
      threshold: 90,
      spentCredits: 3_650,
      availableCredits: 4_000,
      projectedCredits: 5_200,
    });
  });

  it("shows the highest crossed threshold", () => {
    expect(burnAlertLevel([])).toBeNull();
    expect(burnAlertLevel([75, 90])).toEqual({ threshold: 90, tone: "warn" });
    expect(burnAlertLevel([75, 90, 100])).toEqual({ threshold: 100, tone: "error" });
  });
});
