// The organisation forms that take numbers (month pool, allocations, cost centers): what an org admin
// may enter, checked with zod before anything reaches the database.
import { z } from "zod";
import { Id, LineText, listOf } from "~/domain/form-fields";
import { MAX_CREDITS } from "./credits";
import { MonthField } from "./month-param";

/** "" → undefined; "1,900" → 1900; anything else through Number (so "1e308" fails the max). */
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

const credits = (what: string) =>
  z
    .number({ message: `Enter ${what} in credits` })
    .finite({ message: `Enter ${what} in credits` })
    .min(0, "Cannot be negative")
    .max(MAX_CREDITS, `At most ${MAX_CREDITS.toLocaleString("en-US")} credits`);

export const PoolFormSchema = z
  .object({
    month: MonthField,
    poolSource: z.enum(["seats", "fixed"], { message: "Choose how the pool is set" }),
    plan: z.enum(["copilot-business", "copilot-enterprise", "custom"]).default("copilot-business"),
    seats: optionalNumber(
      z
        .number({ message: "Enter a number of seats" })
        .int("Seats are whole")
        .min(0, "Cannot be negative")
        .max(1_000_000, "At most 1,000,000 seats"),
    ),
    includedPerSeat: optionalNumber(credits("the included credits per seat").max(1e7, "At most 10,000,000 per seat")),
    fixedCredits: optionalNumber(credits("the pool")),
    overageBudgetCredits: optionalNumber(credits("the overage budget")),
    exhaustionPolicy: z.enum(["block", "metered"], { message: "Choose what happens when the pool is empty" }),
    allocationPolicy: z.enum(["warn", "refuse"], { message: "Choose what a sprint over its allocation gets" }),
  })
  .superRefine((v, ctx) => {
    if (v.poolSource === "seats") {
      if (v.seats === undefined) ctx.addIssue({ code: "custom", path: ["seats"], message: "Enter a number of seats" });
      if (v.includedPerSeat === undefined)
        ctx.addIssue({ code: "custom", path: ["includedPerSeat"], message: "Enter the included credits per seat" });
    } else if (v.fixedCredits === undefined) {
      ctx.addIssue({ code: "custom", path: ["fixedCredits"], message: "Enter the pool in credits" });
    }
  })
  .transform((v) => ({
    month: v.month,
    settings: {
      poolSource: v.poolSource,
      plan: v.poolSource === "seats" ? v.plan : null,
      seats: v.poolSource === "seats" ? (v.seats ?? 0) : null,
      includedPerSeat: v.poolSource === "seats" ? (v.includedPerSeat ?? 0) : null,
      fixedCredits: v.poolSource === "fixed" ? (v.fixedCredits ?? 0) : null,
      overageBudgetCredits: v.overageBudgetCredits ?? 0,
      exhaustionPolicy: v.exhaustionPolicy,
      allocationPolicy: v.allocationPolicy,
    },
  }));

const MAX_TEAMS = 500;

/**
 * The allocation form: one row per team, as parallel lists (teamId, amount, kind). An empty amount
 * gives the team nothing this month.
 */
export const AllocationFormSchema = z
  .object({
    month: MonthField,
    teamId: listOf(z.array(Id).max(MAX_TEAMS)),
    amount: listOf(z.array(z.string().max(40)).max(MAX_TEAMS)),
    kind: listOf(z.array(z.enum(["credits", "percent"])).max(MAX_TEAMS)),
  })
  .superRefine((v, ctx) => {
    if (v.teamId.length !== v.amount.length || v.teamId.length !== v.kind.length)
      ctx.addIssue({ code: "custom", path: ["form"], message: "The form was incomplete; reload the page." });
  })
  .transform((v, ctx) => {
    const allocations: (
      { teamId: number; kind: "credits"; credits: number } | { teamId: number; kind: "percent"; percent: number }
    )[] = [];
    v.teamId.forEach((teamId, i) => {
      const raw = (v.amount[i] ?? "").replace(/[,\s_%]/g, "");
      if (raw === "") return;
      const value = Number(raw);
      const kind = v.kind[i] ?? "credits";
      if (!Number.isFinite(value) || value < 0 || value > (kind === "percent" ? 100 : MAX_CREDITS)) {
        ctx.addIssue({
          code: "custom",
          path: [`amount-${teamId}`],
          message: kind === "percent" ? "Enter a share between 0 and 100 %" : "Enter credits (0 or more)",
        });
        return;
      }
      allocations.push(
        kind === "percent" ? { teamId, kind, percent: value } : { teamId, kind: "credits", credits: value },
      );
    });
    return { month: v.month, allocations };
  });

export const CostCenterFormSchema = z.object({
  costCenterId: z.preprocess((v) => (v === "" || v === undefined ? null : v), Id.nullable()),
  name: LineText.min(1, "Give the cost center a name").max(80, "At most 80 characters"),
  capCredits: optionalNumber(credits("the cap")).transform((v) => v ?? null),
});
