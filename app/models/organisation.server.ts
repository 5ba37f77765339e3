// Organisations (issue 17): the organisation itself, its members (admin / viewer) and invite links,
// the teams attached to it (an admin asks, the team's owner accepts; a team leaves when it wants),
// cost centers and the event log. Every query is scoped by organisation, and the team-side ones by
// team, so a request never reaches another organisation's rows.
//
// The month's pool and its allocations live in organisation-month.server.ts and allocation.server.ts.
import { sql } from "kysely";
import type { OrgRole } from "~/domain/organisation/roles";
import { hashToken, newToken } from "~/utils/crypto.server";
import type { DB } from "~/utils/db.server";

export const ORG_INVITE_DAYS = 7;

export class OrganisationError extends Error {
  constructor(
    message: string,
    readonly status = 409,
  ) {
    super(message);
    this.name = "OrganisationError";
  }
}

// ---- the organisation and its members ---------------------------------------------------------

export async function isOrgSlugTaken(db: DB, slug: string) {
  return !!(await db.selectFrom("organisations").select("id").where("slug", "=", slug).executeTakeFirst());
}

/** A new organisation; its creator becomes its (first) admin. */
export async function createOrganisation(db: DB, input: { name: string; slug: string; creatorId: number }) {
  return db.transaction().execute(async (trx) => {
    const org = await trx
      .insertInto("organisations")
      .values({ name: input.name.trim(), slug: input.slug, createdBy: input.creatorId })
      .returning(["id", "slug", "name"])
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("organisationMembers")
      .values({ organisationId: org.id, userId: input.creatorId, role: "admin" })
      .execute();
    await logOrgEvent(trx, { organisationId: org.id, actorId: input.creatorId, kind: "created", message: "Created." });
    return org;
  });
}

export function listOrgMembers(db: DB, organisationId: number) {
  return db
    .selectFrom("organisationMembers as m")
    .innerJoin("users as u", "u.id", "m.userId")
    .select(["u.id as userId", "u.name", "u.email", "m.role", "m.createdAt"])
    .where("m.organisationId", "=", organisationId)
    .orderBy("u.name")
    .execute();
}

export class LastAdminError extends OrganisationError {
  constructor() {
    super("An organisation needs at least one admin: make someone else admin first.");
  }
}

async function countAdmins(db: DB, organisationId: number) {
  const row = await db
    .selectFrom("organisationMembers")
    .select((eb) => eb.fn.countAll<number>().as("admins"))
    .where("organisationId", "=", organisationId)
    .where("role", "=", "admin")
    .executeTakeFirstOrThrow();
  return Number(row.admins);
}

function getOrgMemberRole(db: DB, input: { organisationId: number; userId: number }) {
  return db
    .selectFrom("organisationMembers")
    .select("role")
    .where("organisationId", "=", input.organisationId)
    .where("userId", "=", input.userId)
    .forUpdate()
    .executeTakeFirst()
    .then((row) => row?.role);
}

/** false when the user is not a member. Refuses to leave the organisation without an admin. */
export async function changeOrgMemberRole(db: DB, input: { organisationId: number; userId: number; role: OrgRole }) {
  return db.transaction().execute(async (trx) => {
    const current = await getOrgMemberRole(trx, input);
    if (!current) return false;
    if (current === "admin" && input.role !== "admin" && (await countAdmins(trx, input.organisationId)) <= 1) {
      throw new LastAdminError();
    }
    await trx
      .updateTable("organisationMembers")
      .set({ role: input.role })
      .where("organisationId", "=", input.organisationId)
      .where("userId", "=", input.userId)
      .execute();
    return true;
  });
}

export async function removeOrgMember(db: DB, input: { organisationId: number; userId: number }) {
  return db.transaction().execute(async (trx) => {
    const current = await getOrgMemberRole(trx, input);
    if (!current) return false;
    if (current === "admin" && (await countAdmins(trx, input.organisationId)) <= 1) throw new LastAdminError();
    await trx
      .deleteFrom("organisationMembers")
      .where("organisationId", "=", input.organisationId)
      .where("userId", "=", input.userId)
      .execute();
    return true;
  });
}

// ---- invite links (only the token's hash is kept, as for team invites) --------------------------

export async function createOrgInvite(
  db: DB,
  input: { organisationId: number; role: OrgRole; createdBy: number; days?: number },
) {
  const token = newToken();
  const expiresAt = new Date(Date.now() + (input.days ?? ORG_INVITE_DAYS) * 86_400_000);
  await db
    .insertInto("organisationInvites")
    .values({
      organisationId: input.organisationId,
      tokenHash: hashToken(token),
      role: input.role,
      createdBy: input.createdBy,
      expiresAt,
    })
    .execute();
  return { token, expiresAt };
}

export function listOpenOrgInvites(db: DB, organisationId: number) {
  return db
    .selectFrom("organisationInvites")
    .select(["id", "role", "expiresAt", "createdAt"])
    .where("organisationId", "=", organisationId)
    .where("revokedAt", "is", null)
    .where("usedAt", "is", null)
    .where("expiresAt", ">", new Date())
    .orderBy("createdAt", "desc")
    .execute();
}

export function revokeOrgInvite(db: DB, input: { organisationId: number; inviteId: number }) {
  return db
    .updateTable("organisationInvites")
    .set({ revokedAt: new Date() })
    .where("organisationId", "=", input.organisationId)
    .where("id", "=", input.inviteId)
    .execute();
}

/**
 * What an invite link is now: `open` (it can seat one person), `used` (someone joined with it; with
 * whether that was `userId`, so the person who used it is told where they are), or undefined when no
 * open or used link has that token (wrong, expired or revoked: one answer for all three).
 */
export async function findOrgInvite(db: DB, token: string, userId?: number | null) {
  const row = await db
    .selectFrom("organisationInvites as i")
    .innerJoin("organisations as o", "o.id", "i.organisationId")
    .select([
      "i.id",
      "i.role",
      "i.expiresAt",
      "i.revokedAt",
      "i.usedAt",
      "i.usedBy",
      "o.id as organisationId",
      "o.slug",
      "o.name",
    ])
    .where("i.tokenHash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row) return undefined;
  const invite = {
    id: Number(row.id),
    role: row.role,
    organisationId: Number(row.organisationId),
    slug: row.slug,
    name: row.name,
  };
  // A used link says so even after it would have expired: "used" explains more than "expired".
  if (row.usedAt !== null)
    return { state: "used" as const, invite, usedByYou: userId != null && Number(row.usedBy) === userId };
  if (row.revokedAt !== null || new Date(row.expiresAt) <= new Date()) return undefined;
  return { state: "open" as const, invite, usedByYou: false };
}

/**
 * Joins the user to the invite's organisation and uses the link up, in one transaction: the link is
 * claimed by a conditional update (`used_at is null`), so of two people accepting at once one joins
 * and the other is told the link was used. Someone already in the organisation keeps their role and
 * leaves the link for the person it was meant for.
 */
export async function acceptOrgInvite(
  db: DB,
  input: { token: string; userId: number },
): Promise<{ status: "joined"; slug: string } | { status: "used" } | null> {
  return db.transaction().execute(async (trx) => {
    const found = await findOrgInvite(trx, input.token, input.userId);
    if (!found) return null;
    const member = await trx
      .selectFrom("organisationMembers")
      .select("userId")
      .where("organisationId", "=", found.invite.organisationId)
      .where("userId", "=", input.userId)
      .executeTakeFirst();
    if (member) return { status: "joined", slug: found.invite.slug };
    if (found.state === "used") return { status: "used" };
    const claimed = await trx
      .updateTable("organisationInvites")
      .set({ usedAt: new Date(), usedBy: input.userId })
      .where("id", "=", found.invite.id)
      .where("usedAt", "is", null)
      .where("revokedAt", "is", null)
      .where("expiresAt", ">", new Date())
      .returning("id")
      .executeTakeFirst();
    if (!claimed) return { status: "used" };
    await trx
      .insertInto("organisationMembers")
      .values({ organisationId: found.invite.organisationId, userId: input.userId, role: found.invite.role })
      .onConflict((oc) => oc.columns(["organisationId", "userId"]).doNothing())
      .execute();
    return { status: "joined", slug: found.invite.slug };
  });
}

// ---- teams: asked for by an admin, accepted by the team's owner ------------------------------------

/**
 * An admin asks to attach the team with that address. The answer is the same whether or not such a
 * team exists (an organisation admin must not learn which team addresses exist by asking), except
 * for a team already in this organisation, which the admin can see anyway.
 */
export async function requestTeamAttachment(
  db: DB,
  input: { organisationId: number; teamSlug: string; requestedBy: number },
): Promise<"requested" | "already-attached"> {
  return db.transaction().execute(async (trx) => {
    const team = await trx.selectFrom("teams").select("id").where("slug", "=", input.teamSlug).executeTakeFirst();
    if (!team) return "requested";
    const existing = await trx
      .selectFrom("organisationTeams")
      .select("status")
      .where("organisationId", "=", input.organisationId)
      .where("teamId", "=", team.id)
      .executeTakeFirst();
    if (existing?.status === "accepted") return "already-attached";
    if (!existing) {
      await trx
        .insertInto("organisationTeams")
        .values({
          organisationId: input.organisationId,
          teamId: team.id,
          status: "requested",
          requestedBy: input.requestedBy,
        })
        .execute();
    }
    return "requested";
  });
}

export interface OrgTeam {
  teamId: number;
  /** The team's name once it has accepted; its address only, while asked (the admin typed it). */
  name: string;
  slug: string;
  status: "requested" | "accepted";
  costCenterId: number | null;
  costCenterName: string | null;
  acceptedAt: Date | null;
}

/** The organisation's teams (accepted first, by name) and the requests still waiting. */
export async function listOrgTeams(db: DB, organisationId: number): Promise<OrgTeam[]> {
  const rows = await db
    .selectFrom("organisationTeams as ot")
    .innerJoin("teams as t", "t.id", "ot.teamId")
    .leftJoin("costCenters as cc", (join) =>
      join.onRef("cc.id", "=", "ot.costCenterId").onRef("cc.organisationId", "=", "ot.organisationId"),
    )
    .select([
      "ot.teamId",
      "t.name",
      "t.slug",
      "ot.status",
      "ot.costCenterId",
      "cc.name as costCenterName",
      "ot.acceptedAt",
    ])
    .where("ot.organisationId", "=", organisationId)
    .orderBy(sql`ot.status = 'accepted'`, "desc")
    .orderBy("t.name")
    .execute();
  return rows.map((r) => ({ ...r, name: r.status === "accepted" ? r.name : r.slug }));
}

/** The accepted teams only. */
export async function listAttachedTeams(db: DB, organisationId: number) {
  return (await listOrgTeams(db, organisationId)).filter((t) => t.status === "accepted");
}

/** An admin withdraws a request or removes an attached team (the team's own data is untouched). */
export async function detachTeam(db: DB, input: { organisationId: number; teamId: number; actorId: number }) {
  const gone = await db
    .deleteFrom("organisationTeams")
    .where("organisationId", "=", input.organisationId)
    .where("teamId", "=", input.teamId)
    .returning(["status"])
    .executeTakeFirst();
  if (gone?.status === "accepted") {
    await logOrgEvent(db, { ...input, kind: "team-removed", message: "Removed a team from the organisation." });
  }
  return !!gone;
}

/** For the team's settings page: the organisation it is in, if any, and requests waiting for it. */
export async function getTeamOrganisationLinks(db: DB, teamId: number) {
  return db
    .selectFrom("organisationTeams as ot")
    .innerJoin("organisations as o", "o.id", "ot.organisationId")
    .select(["o.id as organisationId", "o.slug", "o.name", "ot.status", "ot.requestedAt", "ot.acceptedAt"])
    .where("ot.teamId", "=", teamId)
    .orderBy("ot.requestedAt")
    .execute();
}

/** The organisation a team has joined, or undefined. */
export function getTeamOrganisation(db: DB, teamId: number) {
  return db
    .selectFrom("organisationTeams as ot")
    .innerJoin("organisations as o", "o.id", "ot.organisationId")
    .select(["o.id as organisationId", "o.slug", "o.name"])
    .where("ot.teamId", "=", teamId)
    .where("ot.status", "=", "accepted")
    .executeTakeFirst();
}

/**
 * The team's owner accepts an organisation's request. A team is in one organisation at most: while
 * it is in one, accepting another is refused (leave first). The other waiting requests stay.
 */
export async function acceptTeamRequest(db: DB, input: { teamId: number; organisationId: number; userId: number }) {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("organisationTeams")
      .select("organisationId")
      .where("teamId", "=", input.teamId)
      .where("status", "=", "accepted")
      .forUpdate()
      .executeTakeFirst();
    if (current) throw new OrganisationError("The team is already in an organisation: leave it first.");
    const updated = await trx
      .updateTable("organisationTeams")
      .set({ status: "accepted", acceptedBy: input.userId, acceptedAt: new Date() })
      .where("teamId", "=", input.teamId)
      .where("organisationId", "=", input.organisationId)
      .where("status", "=", "requested")
      .executeTakeFirst();
    if (!updated.numUpdatedRows) throw new OrganisationError("That request is no longer open.", 404);
    await logOrgEvent(trx, {
      organisationId: input.organisationId,
      teamId: input.teamId,
      actorId: input.userId,
      kind: "team-joined",
      message: "A team joined the organisation.",
    });
  });
}

/** The team declines a request, or leaves its organisation: the link goes, the team's data stays. */
export async function leaveOrDeclineOrganisation(
  db: DB,
  input: { teamId: number; organisationId: number; userId: number },
) {
  const gone = await db
    .deleteFrom("organisationTeams")
    .where("teamId", "=", input.teamId)
    .where("organisationId", "=", input.organisationId)
    .returning(["status"])
    .executeTakeFirst();
  if (gone?.status === "accepted") {
    await logOrgEvent(db, {
      organisationId: input.organisationId,
      teamId: input.teamId,
      actorId: input.userId,
      kind: "team-left",
      message: "A team left the organisation.",
    });
  }
  return gone?.status ?? null;
}

// ---- cost centers ------------------------------------------------------------------------------

export function listCostCenters(db: DB, organisationId: number) {
  return db
    .selectFrom("costCenters")
    .select(["id", "name", "capCredits"])
    .where("organisationId", "=", organisationId)
    .orderBy("name")
    .execute();
}

export async function saveCostCenter(
  db: DB,
  input: { organisationId: number; costCenterId: number | null; name: string; capCredits: number | null },
) {
  const clash = await db
    .selectFrom("costCenters")
    .select("id")
    .where("organisationId", "=", input.organisationId)
    .where("name", "=", input.name)
    .executeTakeFirst();
  if (clash && clash.id !== input.costCenterId) throw new OrganisationError(`There is a cost center "${input.name}".`);
  if (input.costCenterId === null) {
    await db
      .insertInto("costCenters")
      .values({ organisationId: input.organisationId, name: input.name, capCredits: input.capCredits })
      .execute();
    return;
  }
  const updated = await db
    .updateTable("costCenters")
    .set({ name: input.name, capCredits: input.capCredits })
    .where("organisationId", "=", input.organisationId)
    .where("id", "=", input.costCenterId)
    .executeTakeFirst();
  if (!updated.numUpdatedRows) throw new OrganisationError("No such cost center.", 404);
}

export function deleteCostCenter(db: DB, input: { organisationId: number; costCenterId: number }) {
  return db
    .deleteFrom("costCenters")
    .where("organisationId", "=", input.organisationId)
    .where("id", "=", input.costCenterId)
    .execute();
}

/** Puts an attached team in one of the organisation's cost centers (null: none). */
export async function setTeamCostCenter(
  db: DB,
  input: { organisationId: number; teamId: number; costCenterId: number | null },
) {
  if (input.costCenterId !== null) {
    const ours = await db
      .selectFrom("costCenters")
      .select("id")
      .where("organisationId", "=", input.organisationId)
      .where("id", "=", input.costCenterId)
      .executeTakeFirst();
    if (!ours) throw new OrganisationError("No such cost center.", 404);
  }
  const updated = await db
    .updateTable("organisationTeams")
    .set({ costCenterId: input.costCenterId })
    .where("organisationId", "=", input.organisationId)
    .where("teamId", "=", input.teamId)
    .where("status", "=", "accepted")
    .executeTakeFirst();
  if (!updated.numUpdatedRows) throw new OrganisationError("That team is not in the organisation.", 404);
}

// ---- events ------------------------------------------------------------------------------------

export async function logOrgEvent(
  db: DB,
  e: { organisationId: number; teamId?: number | null; actorId: number | null; kind: string; message: string },
) {
  await db
    .insertInto("organisationEvents")
    .values({
      organisationId: e.organisationId,
      teamId: e.teamId ?? null,
      actorId: e.actorId,
      kind: e.kind,
      message: e.message,
    })
    .execute();
}

export function listOrgEvents(db: DB, input: { organisationId: number; limit?: number }) {
  return db
    .selectFrom("organisationEvents as e")
    .leftJoin("users as u", "u.id", "e.actorId")
    .select(["e.id", "e.kind", "e.message", "e.createdAt", "u.name as actorName"])
    .where("e.organisationId", "=", input.organisationId)
    .orderBy("e.id", "desc")
    .limit(input.limit ?? 20)
    .execute();
}
