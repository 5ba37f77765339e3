import type { Role } from "~/domain/roles";
import type { DB } from "~/utils/db.server";
import { hashToken, newToken } from "~/utils/crypto.server";
import { seedRates } from "~/models/rate.server";
import { getCurrentScheme } from "~/models/scheme.server";

export const INVITE_DAYS = 7;

export function getTeamBySlug(db: DB, slug: string) {
  return db.selectFrom("teams").selectAll().where("slug", "=", slug).executeTakeFirst();
}

export async function createTeam(db: DB, input: { name: string; slug: string; ownerId: number }) {
  return db.transaction().execute(async (trx) => {
    const team = await trx
      .insertInto("teams")
      .values({ name: input.name.trim(), slug: input.slug })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.insertInto("memberships").values({ teamId: team.id, userId: input.ownerId, role: "owner" }).execute();
    await getCurrentScheme(trx, team.id);
    await seedRates(trx, team.id);
    return team;
  });
}

export async function isSlugTaken(db: DB, slug: string) {
  return !!(await db.selectFrom("teams").select("id").where("slug", "=", slug).executeTakeFirst());
}

export function updateTeamSettings(
  db: DB,
  input: { teamId: number; name: string; timeZone: string; keyPattern: string },
) {
  return db
    .updateTable("teams")
    .set({ name: input.name, timeZone: input.timeZone, keyPattern: input.keyPattern })
    .where("id", "=", input.teamId)
    .execute();
}

export function listMembers(db: DB, teamId: number) {
  return db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.userId")
    .select(["users.id as userId", "users.name", "users.email", "memberships.role", "memberships.createdAt"])
    .where("memberships.teamId", "=", teamId)
    .orderBy("users.name")
    .execute();
}

export function getMemberRole(db: DB, input: { teamId: number; userId: number }) {
  return db
    .selectFrom("memberships")
    .select("role")
    .where("teamId", "=", input.teamId)
    .where("userId", "=", input.userId)
    .executeTakeFirst()
    .then((row) => row?.role);
}

async function countOwners(db: DB, teamId: number) {
  const row = await db
    .selectFrom("memberships")
    .select((eb) => eb.fn.countAll<number>().as("owners"))
    .where("teamId", "=", teamId)
    .where("role", "=", "owner")
    .executeTakeFirstOrThrow();
  return row.owners;
}

export class LastOwnerError extends Error {
  constructor() {
    super("A team needs at least one owner: make someone else owner first.");
  }
}

export async function changeMemberRole(db: DB, input: { teamId: number; userId: number; role: Role }) {
  return db.transaction().execute(async (trx) => {
    const current = await getMemberRole(trx, input);
    if (!current) return false;
    if (current === "owner" && input.role !== "owner" && (await countOwners(trx, input.teamId)) <= 1) {
      throw new LastOwnerError();
    }
    await trx
      .updateTable("memberships")
      .set({ role: input.role })
      .where("teamId", "=", input.teamId)
      .where("userId", "=", input.userId)
      .execute();
    return true;
  });
}

export async function removeMember(db: DB, input: { teamId: number; userId: number }) {
  return db.transaction().execute(async (trx) => {
    const current = await getMemberRole(trx, input);
    if (!current) return false;
    if (current === "owner" && (await countOwners(trx, input.teamId)) <= 1) throw new LastOwnerError();
    await trx.deleteFrom("memberships").where("teamId", "=", input.teamId).where("userId", "=", input.userId).execute();
    // Leaving a team kills every unused reset link of the account: a team must not keep a way into
    // an account it no longer holds (and links from elsewhere are cheap to make again).
    await trx.deleteFrom("passwordResets").where("userId", "=", input.userId).where("usedAt", "is", null).execute();
    return true;
  });
}

export async function addMember(db: DB, input: { teamId: number; userId: number; role: Role }) {
  await db
    .insertInto("memberships")
    .values(input)
    .onConflict((oc) => oc.columns(["teamId", "userId"]).doNothing())
    .execute();
}

// ---- invites ---------------------------------------------------------------------------------

export async function createInvite(
  db: DB,
  input: { teamId: number; role: Exclude<Role, "owner">; createdBy: number; days?: number },
) {
  const token = newToken();
  const expiresAt = new Date(Date.now() + (input.days ?? INVITE_DAYS) * 86_400_000);
  await db
    .insertInto("invites")
    .values({
      teamId: input.teamId,
      tokenHash: hashToken(token),
      role: input.role,
      createdBy: input.createdBy,
      expiresAt,
    })
    .execute();
  return { token, expiresAt };
}

export function listOpenInvites(db: DB, teamId: number) {
  return db
    .selectFrom("invites")
    .select(["id", "role", "expiresAt", "createdAt"])
    .where("teamId", "=", teamId)
    .where("revokedAt", "is", null)
    .where("expiresAt", ">", new Date())
    .orderBy("createdAt", "desc")
    .execute();
}

export function revokeInvite(db: DB, input: { teamId: number; inviteId: number }) {
  return db
    .updateTable("invites")
    .set({ revokedAt: new Date() })
    .where("teamId", "=", input.teamId)
    .where("id", "=", input.inviteId)
    .execute();
}

/** An invite that can still be used, with its team. */
export function findUsableInvite(db: DB, token: string) {
  return db
    .selectFrom("invites")
    .innerJoin("teams", "teams.id", "invites.teamId")
    .select(["invites.id", "invites.role", "invites.expiresAt", "teams.id as teamId", "teams.slug", "teams.name"])
    .where("invites.tokenHash", "=", hashToken(token))
    .where("invites.revokedAt", "is", null)
    .where("invites.expiresAt", ">", new Date())
    .executeTakeFirst();
}

/** Joins the user to the invite's team; an existing member keeps their (possibly higher) role. */
export async function acceptInvite(db: DB, input: { token: string; userId: number }) {
  const invite = await findUsableInvite(db, input.token);
  if (!invite) return null;
  await addMember(db, { teamId: invite.teamId, userId: input.userId, role: invite.role });
  return invite;
}
