import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { Role } from "~/domain/roles";
import type { OrgRole } from "~/domain/organisation/roles";
import type { DB } from "~/utils/db.server";
import { hashToken, newToken } from "~/utils/crypto.server";

export const SESSION_DAYS = 30;

/** Starts a session and returns its id (the cookie value); only the hash is stored. */
export async function createSession(db: DB, userId: number): Promise<string> {
  const id = newToken(32);
  await db
    .insertInto("sessions")
    .values({ idHash: hashToken(id), userId, expiresAt: new Date(Date.now() + SESSION_DAYS * 86_400_000) })
    .execute();
  return id;
}

export interface TeamMembership {
  teamId: number;
  slug: string;
  name: string;
  timeZone: string;
  keyPattern: string;
  role: Role;
}

export interface OrganisationMembership {
  organisationId: number;
  slug: string;
  name: string;
  role: OrgRole;
}

/**
 * The signed-in user of a live session, with every team and organisation they belong to (by name),
 * or undefined. One statement: every page asks who is signed in, whether they are on the team or
 * organisation of its URL and, for the header, where else they belong (issue 15: three or four
 * statements a page before).
 */
export async function getSessionHolder(db: DB, sessionId: string) {
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.userId")
    .select((eb) => [
      "users.id",
      "users.email",
      "users.name",
      jsonArrayFrom(
        eb
          .selectFrom("memberships")
          .innerJoin("teams", "teams.id", "memberships.teamId")
          .select([
            "teams.id as teamId",
            "teams.slug",
            "teams.name",
            "teams.timeZone",
            "teams.keyPattern",
            "memberships.role",
          ])
          .whereRef("memberships.userId", "=", "users.id")
          .orderBy("teams.name"),
      ).as("teams"),
      jsonArrayFrom(
        eb
          .selectFrom("organisationMembers as m")
          .innerJoin("organisations as o", "o.id", "m.organisationId")
          .select(["o.id as organisationId", "o.slug", "o.name", "m.role"])
          .whereRef("m.userId", "=", "users.id")
          .orderBy("o.name"),
      ).as("organisations"),
    ])
    .where("sessions.idHash", "=", hashToken(sessionId))
    .where("sessions.expiresAt", ">", new Date())
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    user: { id: row.id, email: row.email, name: row.name },
    teams: row.teams as TeamMembership[],
    organisations: row.organisations as OrganisationMembership[],
  };
}

export async function deleteSession(db: DB, sessionId: string) {
  await db.deleteFrom("sessions").where("idHash", "=", hashToken(sessionId)).execute();
}
