// Team API tokens for CI steps and agent hooks that push spend. Managers create and revoke them; the
// token is shown once and only its SHA-256 is stored, like invite links and sessions.
import { hashToken, newToken } from "~/utils/crypto.server";
import type { ApiTokenScope } from "../../db/schema";
import type { DB } from "~/utils/db.server";

/** Tokens start with this, so a leaked one is recognisable (and secret scanners can match it). */
export const TOKEN_PREFIX = "tpk_";

export class ApiTokenError extends Error {}

/**
 * A token: scope 'team' (push spend and read the budget guard) or 'ingest' (push only — OTLP, the
 * spend API and the hook's decision; it cannot read a figure back). An ingest token may belong to
 * one member, whose spend it is when the data names nobody.
 */
export async function createApiToken(
  db: DB,
  input: { teamId: number; name: string; createdBy: number | null; scope?: ApiTokenScope; userId?: number | null },
) {
  if (input.userId !== undefined && input.userId !== null) {
    const member = await db
      .selectFrom("memberships")
      .select("userId")
      .where("teamId", "=", input.teamId)
      .where("userId", "=", input.userId)
      .executeTakeFirst();
    if (!member) throw new ApiTokenError("That person is not a member of this team.");
  }
  const token = `${TOKEN_PREFIX}${newToken(32)}`;
  const row = await db
    .insertInto("teamApiTokens")
    .values({
      teamId: input.teamId,
      name: input.name.trim(),
      tokenHash: hashToken(token),
      tokenPrefix: token.slice(0, TOKEN_PREFIX.length + 6),
      createdBy: input.createdBy,
      scope: input.scope ?? "team",
      userId: input.scope === "ingest" ? (input.userId ?? null) : null,
    })
    .returning(["id", "name", "tokenPrefix", "scope"])
    .executeTakeFirstOrThrow();
  return { ...row, token };
}

export function listApiTokens(db: DB, teamId: number) {
  return db
    .selectFrom("teamApiTokens as t")
    .leftJoin("users as u", "u.id", "t.createdBy")
    .leftJoin("users as p", "p.id", "t.userId")
    .select([
      "t.id",
      "t.name",
      "t.tokenPrefix",
      "t.createdAt",
      "t.lastUsedAt",
      "t.revokedAt",
      "t.scope",
      "u.name as createdByName",
      "p.name as personName",
    ])
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

export type AuthenticatedToken = NonNullable<Awaited<ReturnType<typeof authenticateApiToken>>>;

/** How often a token's last use is written: an exporter every 5 s must not write every time. */
const LAST_USED_EVERY_MS = 60_000;

/** The live token's team, or null for an unknown or revoked token. Marks the token used. */
export async function authenticateApiToken(db: DB, token: string) {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await db
    .selectFrom("teamApiTokens as t")
    .innerJoin("teams", "teams.id", "t.teamId")
    // A person's token stops working when they leave the team.
    .leftJoin("memberships as m", (join) => join.onRef("m.teamId", "=", "t.teamId").onRef("m.userId", "=", "t.userId"))
    .leftJoin("users as p", "p.id", "m.userId")
    .select([
      "t.id as tokenId",
      "t.name",
      "t.revokedAt",
      "t.lastUsedAt",
      "t.scope",
      "t.userId",
      "p.email as userEmail",
      "teams.id as teamId",
      "teams.slug",
    ])
    .where("t.tokenHash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row || row.revokedAt) return null;
  if (row.userId !== null && row.userEmail === null) return null;
  if (!row.lastUsedAt || Date.now() - new Date(row.lastUsedAt).getTime() > LAST_USED_EVERY_MS) {
    await db.updateTable("teamApiTokens").set({ lastUsedAt: new Date() }).where("id", "=", row.tokenId).execute();
  }
  return {
    tokenId: row.tokenId,
    name: row.name,
    teamId: row.teamId,
    slug: row.slug,
    scope: row.scope,
    userId: row.userId,
    userEmail: row.userEmail,
  };
}
