// The sprint board's reads: backlog (while open), stories, commit requests, history, allocations and the burn
// (once started). Composes model calls only; the SQL lives in app/models.
import {
  listAllocations,
  listBacklogForBoard,
  listCommitRequests,
  listSprintEvents,
  listSprintStories,
  sprintBurn,
} from "~/models/sprint.server";
import type { DB } from "~/utils/db.server";

type Sprint = Parameters<typeof sprintBurn>[1]["sprint"];

export function loadBoardSources(
  db: DB,
  {
    teamId,
    timeZone,
    sprint,
    now,
    closed,
    planned,
  }: { teamId: number; timeZone: string; sprint: Sprint; now: Date; closed: boolean; planned: boolean },
) {
  return Promise.all([
    closed ? Promise.resolve([]) : listBacklogForBoard(db, { teamId }),
    listSprintStories(db, { teamId, sprintId: sprint.id }),
    listCommitRequests(db, { teamId, sprintId: sprint.id }),
    listSprintEvents(db, { teamId, sprintId: sprint.id, limit: 30 }),
    listAllocations(db, { teamId, sprintId: sprint.id }),
    planned ? Promise.resolve(null) : sprintBurn(db, { teamId, timeZone, sprint, now }),
  ]);
}
