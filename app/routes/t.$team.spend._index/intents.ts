// The spend page's one form intent: assigning selected entries to a story.
import { z } from "zod";
import { Checkbox, Id, id, listOf } from "~/domain/form-fields";

export const SpendIntentSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("assign"),
    entryId: listOf(
      z.array(Id).min(1, "Select the entries to assign first.").max(5000, "Assign at most 5,000 entries at once."),
    ),
    storyId: id("Pick a story."),
    mapSessions: Checkbox,
  }),
]);
