// The insights page's form intents: apply the suggested recalibration, roll back a version, refit.
import { z } from "zod";
import { LineText } from "~/domain/form-fields";

export const InsightsIntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("apply-recalibration"), token: LineText.min(1).max(100) }),
  z.object({ intent: z.literal("roll-back"), version: z.coerce.number().int().positive().max(1e9) }),
  z.object({ intent: z.literal("refit") }),
]);
