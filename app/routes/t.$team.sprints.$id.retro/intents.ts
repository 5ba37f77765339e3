// The retrospective's one form intent: saving an outlier's inspection note.
import { z } from "zod";
import { RetroNoteSchema } from "~/domain/retro";

export const RetroIntentSchema = z.discriminatedUnion("intent", [
  RetroNoteSchema.extend({ intent: z.literal("save-note") }),
]);
