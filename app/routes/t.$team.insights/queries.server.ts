// The recalibration suggestion as the page and its action read it: the one fitted when a sprint closed, or
// (for a team whose last fit predates it, or whose scheme was edited since) one computed now without storing.
// Composes model calls only; the SQL lives in app/models.
import { computeSuggestion, getLatestSuggestion, getPreviousScheme } from "~/models/calibration.server";
import type { DB } from "~/utils/db.server";

export async function loadRecalibration(
  db: DB,
  { teamId, schemeId, version }: { teamId: number; schemeId: number; version: number },
  /** The closed sprints the page read already (and how many it asked for), with the current scheme. */
  known?: Parameters<typeof computeSuggestion>[2],
) {
  const [stored, previous] = await Promise.all([
    getLatestSuggestion(db, { teamId, schemeId }),
    getPreviousScheme(db, { teamId, version }),
  ]);
  const suggestion = stored?.suggestion ?? (await computeSuggestion(db, teamId, known)).suggestion;
  return { stored, previous, suggestion };
}

export async function currentSuggestion(db: DB, { teamId, schemeId }: { teamId: number; schemeId: number }) {
  const stored = await getLatestSuggestion(db, { teamId, schemeId });
  return stored?.suggestion ?? (await computeSuggestion(db, teamId)).suggestion;
}
