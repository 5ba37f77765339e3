import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSprintAgainstAllocations } from "./sprint-allocation";

const budget = (month: string, allocation: number, otherSprints = 0, policy: "warn" | "refuse" = "warn") => ({
  month,
  allocation,
  otherSprints,
  policy,
});

describe("checkSprintAgainstAllocations", () => {
  it("splits a straddling sprint by working days and checks each month on its own", () => {
    // Mon 30 March – Fri 10 April 2026: 2 working days in March, 8 in April.
    const result = checkSprintAgainstAllocations({ start: "2026-03-30", end: "2026-04-10", capacity: 1000 }, [
      budget("2026-03", 1000, 900, "refuse"),
      budget("2026-04", 5000),
    ]);
    expect(result.months).toEqual([
      {
        month: "2026-03",
        allocation: 1000,
        otherSprints: 900,
        left: 100,
        thisSprint: 200,
        over: 100,
        policy: "refuse",
      },
      { month: "2026-04", allocation: 5000, otherSprints: 0, left: 5000, thisSprint: 800, over: 0, policy: "warn" },
    ]);
    expect(result).toMatchObject({ refused: true, warned: false });
  });

  it("warns rather than refuses under the warn policy, and limits nothing where a month has no pool", () => {
    const over = checkSprintAgainstAllocations({ start: "2026-04-06", end: "2026-04-17", capacity: 3000 }, [
      budget("2026-04", 2000),
    ]);
    expect(over).toMatchObject({ warned: true, refused: false, months: [{ over: 1000 }] });
    const none = checkSprintAgainstAllocations({ start: "2026-04-06", end: "2026-04-17", capacity: 3000 }, []);
    expect(none).toEqual({ months: [], warned: false, refused: false });
  });

  it("never calls a sprint that fits over, and the months' parts add up to the capacity", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (startOffset, length, capacity) => {
          const start = new Date(Date.UTC(2026, 0, 1 + startOffset)).toISOString().slice(0, 10);
          const end = new Date(Date.UTC(2026, 0, 1 + startOffset + length)).toISOString().slice(0, 10);
          const months = new Set<string>();
          for (let d = 0; d <= length; d++)
            months.add(new Date(Date.UTC(2026, 0, 1 + startOffset + d)).toISOString().slice(0, 7));
          const roomy = [...months].map((m) => budget(m, capacity + 1, 0, "refuse"));
          const result = checkSprintAgainstAllocations({ start, end, capacity }, roomy);
          expect(result.refused).toBe(false);
          const sum = result.months.reduce((s, m) => s + Math.round(m.thisSprint * 100), 0);
          expect(sum).toBe(Math.round(capacity * 100));
        },
      ),
    );
  });
});
