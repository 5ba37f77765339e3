// What a story form may hold, shared by the add and edit pages. Pure zod: the key is checked
// against the team's pattern here; uniqueness needs the database and is checked by the route.

import { z } from "zod";
import { BlockText, LineText } from "~/domain/form-fields";
import { safeKeyPattern } from "~/domain/key-pattern";
import { isStoryKey, MAX_TITLE_LENGTH, parseLabels, parseLink } from "~/domain/story-import";

/** Trimmed text, "" when absent; one line unless `block` (a description keeps its line breaks). */
const text = (max: number, tooLong: string, base: typeof LineText = LineText) =>
  base
    .max(max, tooLong)
    .optional()
    .transform((v) => v ?? "");

export function storyFieldsSchema(keyPattern: string | null | undefined) {
  const pattern = safeKeyPattern(keyPattern);
  return z.object({
    title: text(MAX_TITLE_LENGTH + 50, `Keep the title to ${MAX_TITLE_LENGTH} characters`).pipe(
      z
        .string()
        .min(1, "Give the story a title")
        .max(MAX_TITLE_LENGTH, `Keep the title to ${MAX_TITLE_LENGTH} characters`),
    ),
    key: text(100, "That is too long for a key").transform((v, ctx) => {
      if (!v) return null;
      if (!isStoryKey(v, pattern)) {
        ctx.addIssue({ code: "custom", message: `Keys look like PAY-412 (the team's pattern is ${pattern})` });
        return z.NEVER;
      }
      return v;
    }),
    link: text(2000, "That link is too long").transform((v, ctx) => {
      const parsed = parseLink(v);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", message: parsed.message });
        return z.NEVER;
      }
      return parsed.link;
    }),
    labels: text(500, "Too many labels").transform(parseLabels),
    description: text(10_000, "Keep the description under 10,000 characters", BlockText),
  });
}

export type StoryFields = z.infer<ReturnType<typeof storyFieldsSchema>>;
