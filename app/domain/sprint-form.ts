// The sprint form (create and edit): what a manager may enter, checked the same way on both pages.
import { z } from "zod";
import { BlockText, LineText, MAX_CREDITS, isIsoDay, isoDay } from "~/domain/form-fields";
import { workingDaysBetween } from "~/domain/capacity";

/** Longer than a quarter is not a sprint; it would also make the burn-up unreadable. */
export const MAX_SPRINT_DAYS = 92;

// The app's one day rule: a real date within MIN_DAY…MAX_DAY ("0000-00-00" and year 9999 are not).
const isRealDate = isIsoDay;

/** "" → undefined, so an empty number box means "not given" rather than 0. */
const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess(
    (v) =>
      typeof v === "string" && v.trim() === ""
        ? undefined
        : typeof v === "string"
          ? Number(v.replace(/[,\s_]/g, ""))
          : v,
    schema.optional(),
  );

export const SprintFormSchema = z
  .object({
    name: LineText.min(1, "Give the sprint a name").max(120, "At most 120 characters"),
    goal: BlockText.max(500, "At most 500 characters").default(""),
    start: isoDay("Pick a start date"),
    end: isoDay("Pick an end date"),
    capacityKind: z.enum(["credits", "pool"], { message: "Choose how to set capacity" }),
    capacityCredits: optionalNumber(
      z
        .number({ message: "Enter a number of credits" })
        .min(0, "Capacity cannot be negative")
        .max(MAX_CREDITS, "That is too large"),
    ),
    poolPlan: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.enum(["copilot-business", "copilot-enterprise", "custom"], { message: "Pick a plan" }).optional(),
    ),
    poolSeats: optionalNumber(
      z
        .number({ message: "Enter a number of seats" })
        .int("Seats are whole numbers")
        .min(0, "Seats cannot be negative")
        .max(100_000, "That is too many seats"),
    ),
    poolPerSeat: optionalNumber(
      z.number({ message: "Enter credits per seat" }).min(0, "Cannot be negative").max(1e7, "That is too large"),
    ),
    reservePercent: optionalNumber(
      z.number({ message: "Enter a percentage" }).min(0, "Between 0 and 100").max(100, "Between 0 and 100"),
    ).transform((v) => v ?? 0),
    commitBasis: z.enum(["expected", "p80"]).default("expected"),
    exhaustionPolicy: z.enum(["warn", "approval", "hard-stop"]).default("warn"),
  })
  .superRefine((v, ctx) => {
    if (isRealDate(v.start) && isRealDate(v.end)) {
      if (v.end < v.start)
        ctx.addIssue({ code: "custom", path: ["end"], message: "The sprint must end on or after its start" });
      else if (workingDaysBetween(v.start, v.end) === 0)
        ctx.addIssue({ code: "custom", path: ["end"], message: "The sprint needs at least one working day (Mon–Fri)" });
      else if ((Date.parse(v.end) - Date.parse(v.start)) / 86_400_000 + 1 > MAX_SPRINT_DAYS) {
        ctx.addIssue({ code: "custom", path: ["end"], message: `A sprint can last at most ${MAX_SPRINT_DAYS} days` });
      }
    }
    if (v.capacityKind === "credits" && v.capacityCredits === undefined) {
      ctx.addIssue({ code: "custom", path: ["capacityCredits"], message: "Enter the sprint's capacity in credits" });
    }
    if (v.capacityKind === "pool") {
      if (!v.poolPlan) ctx.addIssue({ code: "custom", path: ["poolPlan"], message: "Pick a plan" });
      if (v.poolSeats === undefined)
        ctx.addIssue({ code: "custom", path: ["poolSeats"], message: "Enter the number of seats" });
      if (v.poolPlan === "custom" && v.poolPerSeat === undefined)
        ctx.addIssue({ code: "custom", path: ["poolPerSeat"], message: "Enter the credits included per seat a month" });
    }
  })
  .transform((v) => ({
    name: v.name,
    goal: v.goal,
    start: v.start,
    end: v.end,
    capacityKind: v.capacityKind,
    capacityCredits: v.capacityKind === "credits" ? (v.capacityCredits ?? 0) : null,
    poolPlan: v.capacityKind === "pool" ? (v.poolPlan ?? null) : null,
    poolSeats: v.capacityKind === "pool" ? (v.poolSeats ?? null) : null,
    poolPerSeat: v.capacityKind === "pool" && v.poolPlan === "custom" ? (v.poolPerSeat ?? null) : null,
    reservePercent: v.reservePercent,
    commitBasis: v.commitBasis,
    exhaustionPolicy: v.exhaustionPolicy,
  }));

export type SprintForm = z.infer<typeof SprintFormSchema>;
