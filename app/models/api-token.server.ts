// Team API tokens for CI steps and agent hooks that push spend. Managers create and revoke them; the
// token is shown once and only its SHA-256 is stored, like invite links and sessions.
import { hashToken, newToken } from "~/utils/crypto.server";
import type { DB } from "~/utils/db.server";

/** Tokens start with this, so a leaked one is recognisable (and secret scanners can match it). */
export const TOKEN_PREFIX = "tpk_";

export async function createApiToken(db: DB, input: { teamId: number; name: string; createdBy: number | null }) {
  const token = `${TOKEN_PREFIX}${newToken(32)}`;
  const row = await db
    .insertInto("teamApiTokens")
    .values({
      teamId: input.teamId,
      name: input.name.trim(),
      tokenHash: hashToken(token),
      tokenPrefix: token.slice(0, TOKEN_PREFIX.length + 6),
      createdBy: input.createdBy,
    })
    .returning(["id", "name", "tokenPrefix"])
    .executeTakeFirstOrThrow();
  return { ...row, token };
}

export function listApiTokens(db: DB, teamId: number) {
  return db
    .selectFrom("teamApiTokens as t")
    .leftJoin("users as u", "u.id", "t.createdBy")
    .select(["t.id", "t.name", "t.tokenPrefix", "t.createdAt", "t.lastUsedAt", "t.revokedAt", "u.name as createdByName"])
    .where("t.teamId", "=", teamId)
    .orderBy("t.revokedAt", (ob) => ob.asc().nullsFirst())
    .orderBy("t.createdAt", "desc")
    .execute();
}

export async function revokeApiToken(db: DB, input: { teamId: number; tokenId: number; revokedBy: number | null }) {
  const result = await db
    .updateTable("teamApiTokens")
    .set({ revokedAt: new Date(), revokedBy: input.revokedBy })
    .where("teamId", "=", input.teamId)
    .where("id", "=", input.tokenId)
    .where("revokedAt", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The live token's team, or null for an unknown or revoked token. Marks the token used. */
export async function authenticateApiToken(db: DB, token: string) {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await db
    .selectFrom("teamApiTokens as t")
    .innerJoin("teams", "teams.id", "t.teamId")
    .select(["t.id as tokenId", "t.name", "t.revokedAt", "teams.id as teamId", "teams.slug"])
    .where("t.tokenHash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row || row.revokedAt) return null;
  await db.updateTable("teamApiTokens").set({ lastUsedAt: new Date() }).where("id", "=", row.tokenId).execute();
  return { tokenId: row.tokenId, name: row.name, teamId: row.teamId, slug: row.slug };
}
