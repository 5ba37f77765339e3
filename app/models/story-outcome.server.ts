// The outcome note of a done story. Saving it marks the story done in the same transaction: the
// note is what "done" asks for.
import type { ReviewBurden } from "../../db/schema";
import type { StoryOutcomeInput } from "~/domain/outcome";
import type { DB } from "~/utils/db.server";

export function getStoryOutcome(db: DB, input: { teamId: number; storyId: number }) {
  return db
    .selectFrom("storyOutcomes as o")
    .leftJoin("users as u", "u.id", "o.recordedBy")
    .select([
      "o.storyId",
      "o.bought",
      "o.reviewBurden",
      "o.causeTags",
      "o.note",
      "o.createdAt",
      "o.updatedAt",
      "u.name as recordedByName",
    ])
    .where("o.teamId", "=", input.teamId)
    .where("o.storyId", "=", input.storyId)
    .executeTakeFirst();
}

/** Outcome notes of the team's stories, newest first (the organisation's finance report shows them beside outliers). */
export function listStoryOutcomes(db: DB, input: { teamId: number; storyIds?: number[] }) {
  let query = db
    .selectFrom("storyOutcomes")
    .select(["storyId", "bought", "reviewBurden", "causeTags", "note", "updatedAt"])
    .where("teamId", "=", input.teamId);
  if (input.storyIds) {
    if (input.storyIds.length === 0) return Promise.resolve([]);
    query = query.where("storyId", "in", input.storyIds);
  }
  return query.orderBy("updatedAt", "desc").execute();
}

/** Saves the note and marks the story done; false when the story is not the team's. */
export async function saveStoryOutcome(
  db: DB,
  // Cause tags: the outcome form's, or the retrospective's wider list (both stored as text).
  input: { teamId: number; storyId: number; recordedBy: number | null; markDone: boolean } & Omit<
    StoryOutcomeInput,
    "causeTags"
  > & {
      causeTags: readonly string[];
    },
) {
  return db.transaction().execute(async (trx) => {
    const story = await trx
      .selectFrom("stories")
      .select("id")
      .where("teamId", "=", input.teamId)
      .where("id", "=", input.storyId)
      .forUpdate()
      .executeTakeFirst();
    if (!story) return false;
    const values = {
      bought: input.bought,
      reviewBurden: input.reviewBurden as ReviewBurden,
      causeTags: [...input.causeTags],
      note: input.note,
      recordedBy: input.recordedBy,
    };
    await trx
      .insertInto("storyOutcomes")
      .values({ storyId: input.storyId, teamId: input.teamId, ...values })
      .onConflict((oc) => oc.column("storyId").doUpdateSet({ ...values, updatedAt: new Date() }))
      .execute();
    if (input.markDone) {
      await trx
        .updateTable("stories")
        .set({ status: "done", updatedAt: new Date() })
        .where("teamId", "=", input.teamId)
        .where("id", "=", input.storyId)
        .execute();
    }
    return true;
  });
}
