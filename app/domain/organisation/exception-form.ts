// The forms of credit exceptions: a team asks (credits, reason, stories), an org admin grants (from
// the reserve or a team, how much) or declines (why). zod only: the same checks run whether the
// browser ran any JavaScript or not.
import { z } from "zod";
import { BlockText, id, IdList, OptionalId } from "~/domain/form-fields";
import { isBillingMonth } from "./billing-month";

/** More than any pool a real organisation holds; the database refuses beyond 1e12 too. */
export const MAX_EXCEPTION_CREDITS = 1e9;

/** "1,500" → 1500; "" → undefined (so "not given" differs from 0); anything else → NaN (an error). */
const typedNumber = (v: unknown) =>
  typeof v === "string" ? (v.trim() === "" ? undefined : Number(v.replace(/[,\s_]/g, ""))) : v;

const positiveCredits = (message: string) =>
  z
    .number({ message })
    .finite(message)
    .positive("Ask for more than 0 credits")
    .max(MAX_EXCEPTION_CREDITS, `At most ${MAX_EXCEPTION_CREDITS.toLocaleString("en-US")} credits`)
    // Two decimals, like every credit amount of an organisation.
    .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, "At most two decimals");

export const BillingMonthField = z.string().trim().refine(isBillingMonth, "Pick a month (YYYY-MM)");

export const ExceptionRequestSchema = z.object({
  intent: z.literal("request"),
  month: BillingMonthField,
  sprintId: OptionalId,
  credits: z.preprocess(typedNumber, positiveCredits("Enter how many credits the team needs")),
  reason: BlockText.min(1, "Say why the team needs them").max(1000, "At most 1,000 characters"),
  storyIds: IdList.pipe(z.array(z.number()).max(100, "Pick at most 100 stories")),
});

export const ExceptionDecisionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("grant"),
    exceptionId: id(),
    // "reserve" or "team:<id>": one select, so a grant is pick-a-source + press-grant.
    source: z
      .string()
      .regex(/^(reserve|team:[1-9][0-9]{0,15})$/, "Pick where the credits come from")
      .transform((v) =>
        v === "reserve"
          ? { source: "reserve" as const, sourceTeamId: null }
          : { source: "team" as const, sourceTeamId: Number(v.slice(5)) },
      ),
    credits: z.preprocess(typedNumber, positiveCredits("Enter how many credits to grant").optional()),
  }),
  z.object({
    intent: z.literal("decline"),
    exceptionId: id(),
    reason: BlockText.min(1, "Say why, so the team knows what to change").max(1000, "At most 1,000 characters"),
  }),
]);
