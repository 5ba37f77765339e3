import { describe, expect, it } from "vitest";
import { SprintFormSchema } from "~/domain/sprint-form";

const base = {
  name: " Sprint 9 ",
  goal: "",
  start: "2026-11-23",
  end: "2026-12-04",
  capacityKind: "credits",
  capacityCredits: "3,000",
  poolPlan: "",
  poolSeats: "",
  poolPerSeat: "",
  reservePercent: "10",
  commitBasis: "expected",
  exhaustionPolicy: "hard-stop",
};
const errors = (input: Record<string, string>) => {
  const r = SprintFormSchema.safeParse(input);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join("."), i.message]));
};

describe("sprint form", () => {
  it("reads a plain capacity, thousands separators included, and drops the pool fields", () => {
    expect(SprintFormSchema.parse({ ...base, poolSeats: "4" })).toEqual({
      name: "Sprint 9",
      goal: "",
      start: "2026-11-23",
      end: "2026-12-04",
      capacityKind: "credits",
      capacityCredits: 3_000,
      poolPlan: null,
      poolSeats: null,
      poolPerSeat: null,
      reservePercent: 10,
      commitBasis: "expected",
      exhaustionPolicy: "hard-stop",
    });
  });

  it("reads the pool calculator, custom credits per seat only for the custom plan", () => {
    const pool = SprintFormSchema.parse({
      ...base,
      capacityKind: "pool",
      capacityCredits: "",
      poolPlan: "custom",
      poolSeats: "3",
      poolPerSeat: "2500",
    });
    expect(pool).toMatchObject({ capacityCredits: null, poolPlan: "custom", poolSeats: 3, poolPerSeat: 2_500 });
    const business = SprintFormSchema.parse({
      ...base,
      capacityKind: "pool",
      poolPlan: "copilot-business",
      poolSeats: "3",
      poolPerSeat: "2500",
    });
    expect(business).toMatchObject({ poolPlan: "copilot-business", poolPerSeat: null, capacityCredits: null });
  });

  it("says what is missing or wrong, field by field", () => {
    expect(errors({ ...base, name: "  " })).toEqual({ name: "Give the sprint a name" });
    expect(errors({ ...base, capacityCredits: "" })).toEqual({
      capacityCredits: "Enter the sprint's capacity in credits",
    });
    expect(errors({ ...base, end: "2026-11-20" })).toEqual({ end: "The sprint must end on or after its start" });
    expect(errors({ ...base, start: "2026-11-28", end: "2026-11-29" })).toEqual({
      end: "The sprint needs at least one working day (Mon–Fri)",
    });
    expect(errors({ ...base, end: "2027-06-01" })).toEqual({ end: "A sprint can last at most 92 days" });
    expect(errors({ ...base, start: "2026-02-30" })).toEqual({ start: "Pick a start date" });
    expect(errors({ ...base, reservePercent: "120", capacityCredits: "-5" })).toMatchObject({
      reservePercent: "Between 0 and 100",
      capacityCredits: "Capacity cannot be negative",
    });
    expect(errors({ ...base, capacityKind: "pool", poolPlan: "custom", poolSeats: "2.5" })).toMatchObject({
      poolSeats: "Seats are whole numbers",
    });
    expect(errors({ ...base, capacityKind: "pool", poolPlan: "custom", poolSeats: "2" })).toEqual({
      poolPerSeat: "Enter the credits included per seat a month",
    });
    expect(errors({ ...base, exhaustionPolicy: "yolo" })).toHaveProperty("exhaustionPolicy");
  });

  it("treats an empty reserve as none", () => {
    expect(SprintFormSchema.parse({ ...base, reservePercent: "" }).reservePercent).toBe(0);
  });
});
