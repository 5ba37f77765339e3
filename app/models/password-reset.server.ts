// Password reset links. A link resets the whole account, so who may make one is narrow (see
// docs/decisions/0014-password-resets.md):
// - a team, only for an account that every one of its teams lets the maker outrank (mayMakeResetLink);
//   the rule is checked again when the link is used, so a link made before the account joined
//   another team, or before the maker lost their role, no longer works;
// - the operator on the command line (npm run user:reset-link), for any account;
// - the account's own mailbox ("Forgot password?", only when SMTP_URL is set).
// Using a link, setting a password, or leaving a team kills the account's other links; a reset ends
// every session of the account. Only token hashes are stored; tokens are never logged.
import type { ResetKind } from "../../db/schema";
import { mayMakeResetLink, type Role } from "~/domain/roles";
import type { DB } from "~/utils/db.server";
import { hashPassword, hashToken, newToken } from "~/utils/crypto.server";
import { endAccountAccess, normalizeEmail } from "~/models/user.server";

export const RESET_HOURS = 24;
/** A mailed link is shorter-lived: the mailbox may be read by more eyes than the person's. */
export const MAILED_RESET_MINUTES = 60;

/** The account's teams, each with the maker's role there (null: the maker is not in that team). */
async function membershipsAgainst(db: DB, input: { userId: number; makerId: number }) {
  return db
    .selectFrom("memberships as target")
    .leftJoin("memberships as maker", (join) =>
      join.onRef("maker.teamId", "=", "target.teamId").on("maker.userId", "=", input.makerId),
    )
    .select(["target.teamId", "target.role", "maker.role as makerRole"])
    .where("target.userId", "=", input.userId)
    .execute() as Promise<{ teamId: number; role: Role; makerRole: Role | null }[]>;
}

/**
 * Accounts in an organisation: a team does not control everything such an account reaches (the
 * organisation's pools, allocations and aggregates), so no team link resets them (issue 17).
 */
async function organisationMembers(db: DB, userIds: readonly number[]): Promise<Set<number>> {
  if (!userIds.length) return new Set();
  const rows = await db
    .selectFrom("organisationMembers")
    .select("userId")
    .distinct()
    .where("userId", "in", [...userIds])
    .execute();
  return new Set(rows.map((r) => r.userId));
}

/** Whether `makerId`, through team `teamId`, may make (or use) a reset link for `userId`. */
export async function teamMayReset(db: DB, input: { teamId: number; makerId: number; userId: number }) {
  if (input.makerId === input.userId) return false;
  if ((await organisationMembers(db, [input.userId])).size) return false;
  const memberships = await membershipsAgainst(db, input);
  return mayMakeResetLink({ teamId: input.teamId, memberships });
}

/** The members of `teamId` for whom `makerId` may make a reset link through this team (one query). */
export async function listResettableMembers(db: DB, input: { teamId: number; makerId: number }): Promise<Set<number>> {
  const rows = (await db
    .selectFrom("memberships as here")
    .innerJoin("memberships as target", "target.userId", "here.userId")
    .leftJoin("memberships as maker", (join) =>
      join.onRef("maker.teamId", "=", "target.teamId").on("maker.userId", "=", input.makerId),
    )
    .select(["target.userId", "target.teamId", "target.role", "maker.role as makerRole"])
    .where("here.teamId", "=", input.teamId)
    .where("here.userId", "<>", input.makerId)
    .execute()) as { userId: number; teamId: number; role: Role; makerRole: Role | null }[];
  const byUser = new Map<number, typeof rows>();
  for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
  const allowed = new Set<number>();
  const inOrganisations = await organisationMembers(db, [...byUser.keys()]);
  for (const [userId, memberships] of byUser) {
    if (inOrganisations.has(userId)) continue;
    if (mayMakeResetLink({ teamId: input.teamId, memberships })) allowed.add(userId);
  }
  return allowed;
}

async function insertReset(
  db: DB,
  input: { userId: number; kind: ResetKind; teamId?: number; createdBy?: number; expiresAt: Date },
) {
  const token = newToken();
  await db
    .insertInto("passwordResets")
    .values({
      tokenHash: hashToken(token),
      userId: input.userId,
      teamId: input.teamId ?? null,
      createdBy: input.createdBy ?? null,
      kind: input.kind,
      expiresAt: input.expiresAt,
    })
    .execute();
  return { token, expiresAt: input.expiresAt };
}

export class ResetNotAllowedError extends Error {
  constructor() {
    super(
      "You do not outrank this person in every team they are in, so a reset link from this team could take over " +
        "more than this team controls. They can use “Forgot password?” on the login page, or ask the operator of this server.",
    );
  }
}

/** A team's link (from its members page); refused unless the maker outranks the account everywhere. */
export async function createTeamReset(db: DB, input: { teamId: number; makerId: number; userId: number }) {
  return db.transaction().execute(async (trx) => {
    if (!(await teamMayReset(trx, input))) throw new ResetNotAllowedError();
    return insertReset(trx, {
      userId: input.userId,
      kind: "team",
      teamId: input.teamId,
      createdBy: input.makerId,
      expiresAt: new Date(Date.now() + RESET_HOURS * 3_600_000),
    });
  });
}

/** The operator's link for any account, by e-mail; null when no account has that e-mail. */
export async function createOperatorReset(db: DB, email: string) {
  const user = await findUserIdByEmail(db, email);
  if (!user) return null;
  const link = await insertReset(db, {
    userId: user.id,
    kind: "operator",
    expiresAt: new Date(Date.now() + RESET_HOURS * 3_600_000),
  });
  return { ...link, email: user.email };
}

/** A link to mail to the account's own address; null when no account has that e-mail. */
export async function createMailedReset(db: DB, email: string) {
  const user = await findUserIdByEmail(db, email);
  if (!user) return null;
  const link = await insertReset(db, {
    userId: user.id,
    kind: "mail",
    expiresAt: new Date(Date.now() + MAILED_RESET_MINUTES * 60_000),
  });
  return { ...link, email: user.email, name: user.name };
}

function findUserIdByEmail(db: DB, email: string) {
  return db
    .selectFrom("users")
    .select(["id", "email", "name"])
    .where("email", "=", normalizeEmail(email))
    .executeTakeFirst();
}

/** An unused, unexpired link whose maker may still make it; with the account it resets. */
export async function findUsableReset(db: DB, token: string) {
  const row = await db
    .selectFrom("passwordResets")
    .innerJoin("users", "users.id", "passwordResets.userId")
    .select([
      "passwordResets.tokenHash",
      "passwordResets.kind",
      "passwordResets.teamId",
      "passwordResets.createdBy",
      "users.id as userId",
      "users.email",
      "users.name",
    ])
    .where("passwordResets.tokenHash", "=", hashToken(token))
    .where("passwordResets.usedAt", "is", null)
    .where("passwordResets.expiresAt", ">", new Date())
    .executeTakeFirst();
  if (!row || !(await stillAllowed(db, row))) return undefined;
  return { userId: row.userId, email: row.email, name: row.name, kind: row.kind };
}

async function stillAllowed(
  db: DB,
  row: { kind: ResetKind; teamId: number | null; createdBy: number | null; userId: number },
) {
  if (row.kind !== "team") return true;
  if (row.teamId === null || row.createdBy === null) return false;
  return teamMayReset(db, { teamId: row.teamId, makerId: row.createdBy, userId: row.userId });
}

/**
 * Uses a link: sets the new password, kills every other link of the account and ends all of its
 * sessions, in one transaction. Returns the account's id, or null when the link is used, expired,
 * or no longer allowed (two tabs racing: exactly one wins).
 */
export async function redeemReset(db: DB, input: { token: string; password: string }): Promise<number | null> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("passwordResets")
      .set({ usedAt: new Date() })
      .where("tokenHash", "=", hashToken(input.token))
      .where("usedAt", "is", null)
      .where("expiresAt", ">", new Date())
      .returning(["tokenHash", "kind", "teamId", "createdBy", "userId"])
      .executeTakeFirst();
    if (!row) return null;
    if (!(await stillAllowed(trx, row))) {
      await trx.deleteFrom("passwordResets").where("tokenHash", "=", row.tokenHash).execute();
      return null;
    }
    await trx.updateTable("users").set({ passwordHash }).where("id", "=", row.userId).execute();
    await endAccountAccess(trx, row.userId);
    return row.userId;
  });
}
