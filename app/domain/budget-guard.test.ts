import { describe, expect, it } from "vitest";
import { decideBudget, type GuardInput } from "~/domain/budget-guard";

const estimate = { expected: 60, p80: 100, size: "M" };
const sprint = (policy: "warn" | "approval" | "hard-stop", spent = 0, available = 1000) => ({
  name: "S1",
  policy,
  available,
  spent,
});
const base: GuardInput = { estimate, spent: 10, extended: 0, sprint: sprint("hard-stop") };

describe("decideBudget", () => {
  it("continues well under p80 and says how much is left", () => {
    const answer = decideBudget(base);
    expect(answer).toMatchObject({ decision: "continue", leftToP80: 90, sprintRemaining: 1000 });
    expect(answer.reason).toBe("Spent 10 credits of p80 100 credits: 90 credits left.");
  });

  it("warns near p80 under every policy", () => {
    for (const policy of ["warn", "approval", "hard-stop"] as const) {
      expect(decideBudget({ ...base, spent: 95, sprint: sprint(policy) }).decision).toBe("warn");
    }
  });

  it("past p80: hard-stop stops, approval stops until extended, warn warns", () => {
    expect(decideBudget({ ...base, spent: 100 }).decision).toBe("stop");
    const approval = decideBudget({ ...base, spent: 120, sprint: sprint("approval") });
    expect(approval.decision).toBe("stop");
    expect(approval.reason).toContain("until a manager extends the budget");
    expect(decideBudget({ ...base, spent: 120, sprint: sprint("warn") }).decision).toBe("warn");
    expect(decideBudget({ ...base, spent: 120 }).leftToP80).toBe(-20);
  });

  it("an extension moves the limit: the next call continues", () => {
    const answer = decideBudget({ ...base, spent: 120, extended: 100 });
    expect(answer.decision).toBe("continue");
    expect(answer.leftToP80).toBe(80);
    expect(answer.reason).toContain("p80 + 100 credits extended");
  });

  it("past the sprint's capacity stops a hard-stop story even under its p80", () => {
    const answer = decideBudget({ ...base, spent: 5, sprint: sprint("hard-stop", 1000) });
    expect(answer.decision).toBe("stop");
    expect(answer.reason).toMatch(/sprint S1 has used its available credits/);
  });

  it("judges a story with no estimate by the sprint alone", () => {
    expect(decideBudget({ ...base, estimate: null, spent: 5000 })).toMatchObject({
      decision: "continue",
      leftToP80: null,
    });
    expect(decideBudget({ ...base, estimate: null, spent: 5000 }).reason).toMatch(/^Not estimated/);
    const over = decideBudget({ ...base, estimate: null, sprint: sprint("approval", 1200) });
    expect(over.decision).toBe("stop");
    expect(over.reason).toMatch(/^Not estimated; the sprint/);
  });

  it("continues a story in no sprint, with that reason", () => {
    const answer = decideBudget({ ...base, spent: 500, sprint: null });
    expect(answer.decision).toBe("continue");
    expect(answer.reason).toMatch(/^Not in a running sprint/);
    expect(answer.sprintRemaining).toBeNull();
  });

  it("stops when a team budget is used up", () => {
    expect(decideBudget({ ...base, teamRemaining: 0 }).decision).toBe("stop");
    expect(decideBudget({ ...base, teamRemaining: 0, sprint: sprint("warn") }).decision).toBe("warn");
  });

  it("never answers NaN for hostile numbers", () => {
    const answer = decideBudget({
      ...base,
      spent: Number.NaN,
      extended: Infinity,
      estimate: { ...estimate, p80: 1e308 },
    });
    expect(["continue", "warn", "stop"]).toContain(answer.decision);
    expect(Number.isNaN(answer.leftToP80)).toBe(false);
  });
});
