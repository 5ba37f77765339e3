import { z } from "zod";
import { LineText } from "~/domain/form-fields";
import { withoutControlChars } from "~/domain/otlp/spend";
import { storyFieldsSchema } from "~/domain/story-form";
import { STORY_STATUSES, type StoryStatus } from "~/models/story.server";

const LevelId = LineText.min(1, "Pick a level").max(60);

/** The story page's one `intent` union: edit, solo estimate, archive/restore, extend the budget. */
export const StoryIntentSchema = (keyPattern: string) =>
  z.discriminatedUnion("intent", [
    storyFieldsSchema(keyPattern).extend({
      intent: z.literal("update"),
      status: z.enum(STORY_STATUSES as [StoryStatus, ...StoryStatus[]]),
    }),
    z.object({
      intent: z.literal("estimate"),
      intensity: LevelId.optional().pipe(z.string({ error: "Pick a model intensity" })),
      autonomy: LevelId.optional().pipe(z.string({ error: "Pick an autonomy level" })),
      risk: LevelId.optional().pipe(z.string({ error: "Pick a budget risk" })),
    }),
    z.object({ intent: z.literal("archive") }),
    z.object({ intent: z.literal("restore") }),
    z.object({
      intent: z.literal("extend-budget"),
      credits: z.coerce
        .number({ error: "Give a number of credits" })
        .finite()
        .positive("Give a positive number of credits")
        .max(1_000_000_000),
      reason: z
        .string()
        .transform((v) => withoutControlChars(v).trim())
        .pipe(z.string().min(1, "Say why the story needs more").max(500, "Keep it under 500 characters")),
    }),
  ]);

export type StoryIntent = z.infer<ReturnType<typeof StoryIntentSchema>>;

export type ActionResult = {
  ok: boolean;
  intent: string;
  errors: Record<string, string>;
  values: Record<string, string>;
  message?: string;
};
