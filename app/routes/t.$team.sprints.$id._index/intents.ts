// The sprint board's form intents: commit, remove, done, deciding over-capacity requests, and
// extending the budget of a story the guard stopped.
import { z } from "zod";
import { BUDGET_EXTENSION_FIELDS } from "~/domain/budget-guard";
import { BlockText, Id } from "~/domain/form-fields";

const id = Id;
export const BoardIntentSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("commit"),
    storyId: id,
    reason: BlockText.max(1000, "At most 1,000 characters").optional(),
  }),
  z.object({ intent: z.literal("remove"), storyId: id }),
  z.object({ intent: z.literal("done"), storyId: id, done: z.enum(["1", "0"]) }),
  z.object({ intent: z.literal("approve"), requestId: id, note: BlockText.max(1000).default("") }),
  z.object({ intent: z.literal("decline"), requestId: id, note: BlockText.max(1000).default("") }),
  z.object({ intent: z.literal("extend-budget"), storyId: id, ...BUDGET_EXTENSION_FIELDS }),
]);
