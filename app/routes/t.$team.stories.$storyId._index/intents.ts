import { z } from "zod";
import { LineText } from "~/domain/form-fields";
import { BUDGET_EXTENSION_FIELDS } from "~/domain/budget-guard";
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
      ...BUDGET_EXTENSION_FIELDS,
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
