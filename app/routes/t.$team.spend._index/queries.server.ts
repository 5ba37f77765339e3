// What the spend inbox reads: the overview, the unattributed entries (filtered, sorted, capped), the filter
// options and the stories to assign to. Composes model calls only; the SQL lives in app/models.
import { getInboxFilterOptions, getSpendOverview, listUnattributed } from "~/models/spend.server";
import { listStoryChoices } from "~/models/story.server";
import type { DB } from "~/utils/db.server";

type InboxInput = Omit<Parameters<typeof listUnattributed>[1], "teamId">;

export function loadInbox(db: DB, teamId: number, inbox: InboxInput) {
  return Promise.all([
    getSpendOverview(db, teamId),
    listUnattributed(db, { teamId, ...inbox }),
    getInboxFilterOptions(db, teamId),
    listStoryChoices(db, { teamId, limit: 1000 }),
  ]);
}
