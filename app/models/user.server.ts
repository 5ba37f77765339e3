import type { DB } from "~/utils/db.server";
import { hashPassword, verifyPassword } from "~/utils/crypto.server";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(db: DB, input: { email: string; name: string; password: string }) {
  return db
    .insertInto("users")
    .values({
      email: normalizeEmail(input.email),
      name: input.name.trim(),
      passwordHash: await hashPassword(input.password),
    })
    .returning(["id", "email", "name"])
    .executeTakeFirstOrThrow();
}

/** Whether the database has any account yet (an empty one gets the demo at start-up). */
export async function hasAnyUser(db: DB): Promise<boolean> {
  return !!(await db.selectFrom("users").select("id").limit(1).executeTakeFirst());
}

export function getUserById(db: DB, id: number) {
  return db.selectFrom("users").select(["id", "email", "name"]).where("id", "=", id).executeTakeFirst();
}

export function getUserByEmail(db: DB, email: string) {
  return db
    .selectFrom("users")
    .select(["id", "email", "name"])
    .where("email", "=", normalizeEmail(email))
    .executeTakeFirst();
}

// A fixed scrypt hash (same parameters as real ones) checked when no account has the e-mail, so a
// wrong e-mail costs the same time as a wrong password and the answer time tells nothing.
const DUMMY_HASH =
  "scrypt$16384$8$1$MuN/QoupuALu1wJYv1ffFA==$ya0K1F86Frulf2wjNm9+juzJQKR6DkIFMyHtkUBlnslPWV5jx8YfBcf4wbN0Ois+hO6G1TD1ZIKkvAmqTMUFJA==";

/** The user when email and password match; null otherwise (without saying which was wrong). */
export async function verifyLogin(db: DB, input: { email: string; password: string }) {
  const row = await db
    .selectFrom("users")
    .select(["id", "email", "name", "passwordHash"])
    .where("email", "=", normalizeEmail(input.email))
    .executeTakeFirst();
  const matches = await verifyPassword(input.password, row?.passwordHash ?? DUMMY_HASH);
  if (!row || !matches) return null;
  return { id: row.id, email: row.email, name: row.name };
}

/** Sets a new password: ends every session of the account and kills its unused reset links. */
export async function setPassword(db: DB, input: { userId: number; password: string }) {
  const passwordHash = await hashPassword(input.password);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("users").set({ passwordHash }).where("id", "=", input.userId).execute();
    await endAccountAccess(trx, input.userId);
  });
}

/** Ends every session of the account and kills every unused reset link of it (used ones stay as a record). */
export async function endAccountAccess(db: DB, userId: number) {
  await db.deleteFrom("sessions").where("userId", "=", userId).execute();
  await db.deleteFrom("passwordResets").where("userId", "=", userId).where("usedAt", "is", null).execute();
}
