import { rankBetween } from "~/domain/ranks";
import { fieldsOf, planTrackerImport, type BacklogStory, type ImportPlan } from "~/domain/trackers/import-plan";
import type { TrackerItem } from "~/domain/trackers/tracker-file";
import { refreshRollupsReaching } from "~/models/attributed-spend.server";
import { lastRank, retryingRankCollisions } from "~/models/story.server";
import type { DB } from "~/utils/db.server";

/** The team's stories a tracker file could match: by key or by link (archived ones too, so none is duplicated). */
async function matchingStories(db: DB, teamId: number, items: TrackerItem[], lock = false): Promise<BacklogStory[]> {
  const keys = items.flatMap((i) => (i.key ? [i.key] : []));
  const links = items.flatMap((i) => (i.link ? [i.link] : []));
  if (!keys.length && !links.length) return [];
  const query = db
    .selectFrom("stories")
    .select(["id", "key", "link", "title", "labels", "description", "trackerClosed"])
    .where("teamId", "=", teamId)
    .where((eb) =>
      eb.or([...(keys.length ? [eb("key", "in", keys)] : []), ...(links.length ? [eb("link", "in", links)] : [])]),
    );
  // Locked in id order, so two imports reaching overlapping stories queue instead of deadlocking.
  return (lock ? query.orderBy("id").forUpdate() : query).execute();
}

/** What importing these items would do, for the preview. */
export async function previewTrackerImport(
  db: DB,
  input: { teamId: number; items: TrackerItem[] },
): Promise<ImportPlan> {
  return planTrackerImport(await matchingStories(db, input.teamId, input.items), input.items);
}

/**
 * Imports tracker items in one transaction: new items go to the end of the backlog in file order,
 * matched stories get the tracker's fields. The plan is made again inside the transaction, so what
 * another person changed since the preview is respected rather than overwritten blindly.
 */
export async function importTrackerItems(db: DB, input: { teamId: number; items: TrackerItem[] }): Promise<ImportPlan> {
  return retryingRankCollisions(() =>
    db.transaction().execute(async (trx) => {
      // Locked: a story re-keyed meanwhile is planned from its new key, so the key it leaves behind
      // (whose entries go back to waiting) is the one the rollups refresh.
      const matched = await matchingStories(trx, input.teamId, input.items, true);
      const plan = planTrackerImport(matched, input.items);
      const keyBefore = new Map(matched.map((s) => [s.id, s.key]));
      // Keys that start or stop naming a story: the entries carrying them change story.
      const keys: (string | null)[] = [];
      let rank = await lastRank(trx, input.teamId);
      const created = plan.changes.flatMap((c) => {
        if (c.kind !== "create") return [];
        rank = rankBetween(rank, null);
        const fields = fieldsOf(c.item);
        keys.push(fields.key);
        return [{ teamId: input.teamId, ...fields, rank }];
      });
      for (let i = 0; i < created.length; i += 500) {
        await trx
          .insertInto("stories")
          .values(created.slice(i, i + 500))
          .execute();
      }
      for (const change of plan.changes) {
        if (change.kind !== "update") continue;
        if (change.values.key !== undefined && change.values.key !== keyBefore.get(change.storyId))
          keys.push(change.values.key, keyBefore.get(change.storyId) ?? null);
        await trx
          .updateTable("stories")
          .set({ ...change.values, updatedAt: new Date() })
          .where("teamId", "=", input.teamId)
          .where("id", "=", change.storyId)
          .execute();
      }
      await refreshRollupsReaching(trx, input.teamId, { storyKeys: keys });
      return plan;
    }),
  );
}
