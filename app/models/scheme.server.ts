import { createHash } from "node:crypto";
import { DEFAULT_SCHEME, type SizingScheme } from "~/domain/sizing-scheme";
import type { DB } from "~/utils/db.server";

export interface SchemeVersion {
  id: number;
  version: number;
  scheme: SizingScheme;
  note: string | null;
  createdAt: Date;
}

// The hash names the content, so "is this the same scheme?" never depends on key order (jsonb
// stores keys in its own order).
function contentHash(scheme: SizingScheme): string {
  return createHash("sha256").update(canonicalJson(scheme)).digest("hex").slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The team's newest scheme version; a team without one gets the defaults as version 1. */
export async function getCurrentScheme(db: DB, teamId: number): Promise<SchemeVersion> {
  const row = await db
    .selectFrom("sizingSchemes")
    .select(["id", "version", "scheme", "note", "createdAt"])
    .where("teamId", "=", teamId)
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst();
  if (row) return { ...row, scheme: row.scheme as SizingScheme };
  await db
    .insertInto("sizingSchemes")
    .values({
      teamId,
      version: 1,
      scheme: JSON.stringify(DEFAULT_SCHEME),
      contentHash: contentHash(DEFAULT_SCHEME),
      note: "Defaults",
    })
    .onConflict((oc) => oc.columns(["teamId", "version"]).doNothing())
    .execute();
  return getCurrentScheme(db, teamId);
}

export async function getSchemeVersion(
  db: DB,
  input: { teamId: number; schemeId: number },
): Promise<SchemeVersion | undefined> {
  const row = await db
    .selectFrom("sizingSchemes")
    .select(["id", "version", "scheme", "note", "createdAt"])
    .where("teamId", "=", input.teamId)
    .where("id", "=", input.schemeId)
    .executeTakeFirst();
  return row ? { ...row, scheme: row.scheme as SizingScheme } : undefined;
}

export async function listSchemeVersions(db: DB, teamId: number) {
  return db
    .selectFrom("sizingSchemes")
    .leftJoin("users", "users.id", "sizingSchemes.createdBy")
    .select([
      "sizingSchemes.id",
      "sizingSchemes.version",
      "sizingSchemes.note",
      "sizingSchemes.createdAt",
      "users.name as createdByName",
    ])
    .select((eb) =>
      eb
        .selectFrom("estimates")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("estimates.schemeId", "=", "sizingSchemes.id")
        .as("estimateCount"),
    )
    .where("sizingSchemes.teamId", "=", teamId)
    .orderBy("sizingSchemes.version", "desc")
    .execute();
}

/**
 * Saves a new version (never rewriting an old one, so old estimates read the same). Saving an
 * unchanged scheme returns the current version instead of adding a copy.
 */
export async function saveSchemeVersion(
  db: DB,
  input: { teamId: number; scheme: SizingScheme; createdBy: number; note?: string },
) {
  return db.transaction().execute(async (trx) => {
    const current = await getCurrentScheme(trx, input.teamId);
    const hash = contentHash(input.scheme);
    if (contentHash(current.scheme) === hash) return current;
    const inserted = await trx
      .insertInto("sizingSchemes")
      .values({
        teamId: input.teamId,
        version: current.version + 1,
        scheme: JSON.stringify(input.scheme),
        contentHash: hash,
        note: input.note ?? null,
        createdBy: input.createdBy,
      })
      .returning(["id", "version", "note", "createdAt"])
      .executeTakeFirstOrThrow();
    return { ...inserted, scheme: input.scheme };
  });
}
