// The stored recalibration suggestion: fitted once when a sprint closes (or a scheme version is
// applied or rolled back) and read by the insights page, so a page view never refits. Scoped by team.
import { buildSuggestion, SUGGESTION_SPRINTS, type StoredSuggestion } from "~/domain/recalibration";
import { listClosedSprintRows, type ClosedSprintRows } from "~/models/retro.server";
import { getCurrentScheme, saveSchemeVersion, type SchemeVersion } from "~/models/scheme.server";
import type { SizingScheme } from "~/domain/sizing-scheme";
import type { DB } from "~/utils/db.server";

/** The backtest looks this far back for sprints closed since the current version. */
export const HISTORY_SPRINTS = SUGGESTION_SPRINTS + 6;

/**
 * Fits a suggestion on the last `HISTORY_SPRINTS` closed sprints. A caller that has read at least
 * that many already (`listClosedSprintRows` with `finishedOnly`, the insights page) passes them with
 * the current scheme, so their spend is not summed a second time.
 */
export async function computeSuggestion(
  db: DB,
  teamId: number,
  known?: { closed: ClosedSprintRows[]; limit: number; scheme: SchemeVersion },
): Promise<{ scheme: SchemeVersion; suggestion: StoredSuggestion }> {
  // Reusable only if the caller asked for at least as many sprints: the last HISTORY_SPRINTS of a
  // longer list (oldest first) are the ones a read of HISTORY_SPRINTS returns.
  const reuse = known && known.limit >= HISTORY_SPRINTS ? known : undefined;
  const [closed, scheme] = reuse
    ? [reuse.closed.slice(-HISTORY_SPRINTS), reuse.scheme]
    : await Promise.all([
        listClosedSprintRows(db, { teamId, limit: HISTORY_SPRINTS, finishedOnly: true }),
        getCurrentScheme(db, teamId),
      ]);
  const ids = closed.map((c) => c.sprint.id);
  const closedAt = new Map(
    ids.length
      ? (
          await db
            .selectFrom("sprints")
            .select(["id", "closedAt"])
            .where("teamId", "=", teamId)
            .where("id", "in", ids)
            .execute()
        ).map((r) => [r.id, r.closedAt?.toISOString() ?? ""])
      : [],
  );
  const suggestion = buildSuggestion(
    { version: scheme.version, scheme: scheme.scheme, createdAt: scheme.createdAt.toISOString() },
    closed.map((c) => ({
      sprint: { id: c.sprint.id, name: c.sprint.name },
      closedAt: closedAt.get(c.sprint.id) ?? "",
      rows: c.rows,
    })),
  );
  return { scheme, suggestion };
}

/** Fits and stores a fresh suggestion; called inside the sprint-close transaction and after scheme changes. */
export async function refreshSuggestion(
  db: DB,
  input: { teamId: number; sprintId: number | null },
): Promise<StoredSuggestion> {
  const { scheme, suggestion } = await computeSuggestion(db, input.teamId);
  await db
    .insertInto("calibrationSuggestions")
    .values({
      teamId: input.teamId,
      schemeId: scheme.id,
      sprintId: input.sprintId,
      token: suggestion.token,
      suggestion: JSON.stringify(suggestion),
    })
    .execute();
  // Only the newest few are ever read; older ones are history nobody asks for.
  const keep = await db
    .selectFrom("calibrationSuggestions")
    .select("id")
    .where("teamId", "=", input.teamId)
    .orderBy("id", "desc")
    .offset(20)
    .limit(1)
    .executeTakeFirst();
  if (keep)
    await db
      .deleteFrom("calibrationSuggestions")
      .where("teamId", "=", input.teamId)
      .where("id", "<=", keep.id)
      .execute();
  return suggestion;
}

export interface LatestSuggestion {
  id: number;
  createdAt: Date;
  suggestion: StoredSuggestion;
}

/** The newest stored suggestion fitted against the team's current scheme version, if any. */
export async function getLatestSuggestion(
  db: DB,
  input: { teamId: number; schemeId: number },
): Promise<LatestSuggestion | undefined> {
  const row = await db
    .selectFrom("calibrationSuggestions")
    .select(["id", "createdAt", "suggestion"])
    .where("teamId", "=", input.teamId)
    .where("schemeId", "=", input.schemeId)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, createdAt: row.createdAt, suggestion: row.suggestion as StoredSuggestion } : undefined;
}

/** The version before the current one, if there is one. */
export async function getPreviousScheme(db: DB, input: { teamId: number; version: number }) {
  const row = await db
    .selectFrom("sizingSchemes")
    .select(["id", "version", "scheme"])
    .where("teamId", "=", input.teamId)
    .where("version", "=", input.version - 1)
    .executeTakeFirst();
  return row ? { ...row, scheme: row.scheme as SizingScheme } : undefined;
}

/**
 * Rolls the current version back to the one before it, as a new version (old estimates keep the
 * version they froze). `expectVersion` guards against a double submit rolling back twice.
 */
export async function rollBackScheme(db: DB, input: { teamId: number; createdBy: number; expectVersion: number }) {
  const current = await getCurrentScheme(db, input.teamId);
  if (current.version !== input.expectVersion)
    return { ok: false as const, reason: "The scheme changed since the page was loaded." };
  const previous = await getPreviousScheme(db, { teamId: input.teamId, version: current.version });
  if (!previous) return { ok: false as const, reason: "There is no earlier version to roll back to." };
  // saveSchemeVersion numbers the new version inside its own transaction, so two racing submits
  // cannot both become "current + 1"; the second finds the version moved on.
  const saved = await saveSchemeVersion(db, {
    teamId: input.teamId,
    scheme: previous.scheme,
    createdBy: input.createdBy,
    note: `Rolled back version ${current.version} to the scheme of version ${previous.version}`,
  });
  await refreshSuggestion(db, { teamId: input.teamId, sprintId: null });
  return { ok: true as const, version: saved.version };
}
