// What the retrospective reads: the sprint's rows and notes, the current scheme, earlier sprints' notes and the
// sprint's budget extensions. Composes model calls only; the SQL lives in app/models.
import { listSprintExtensions } from "~/models/budget.server";
import { listExceptions } from "~/models/credit-exception.server";
import { getRetro, listEarlierNotes } from "~/models/retro.server";
import { getCurrentScheme } from "~/models/scheme.server";
import type { DB } from "~/utils/db.server";

export async function loadRetroSources(db: DB, { teamId, sprintId }: { teamId: number; sprintId: number }) {
  const [retro, scheme] = await Promise.all([getRetro(db, { teamId, sprintId }), getCurrentScheme(db, teamId)]);
  if (!retro) return null;
  const earlier = await listEarlierNotes(db, { teamId, before: retro.sprint.start });
  const extensions = await listSprintExtensions(db, { teamId, sprintId });
  // Credits asked of the organisation for this sprint (or its months): granted, declined or waiting.
  const exceptions = await listExceptions(db, {
    teamId,
    sprint: { id: sprintId, start: retro.sprint.start, end: retro.sprint.end },
  });
  return { retro, scheme, earlier, extensions, exceptions };
}
