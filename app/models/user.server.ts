import type { DB } from "~/utils/db.server";
import { hashPassword, verifyPassword } from "~/utils/crypto.server";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(db: DB, input: { email: string; name: string; password: string }) {
  return db
    .insertInto("users")
    .values({ email: normalizeEmail(input.email), name: input.name.trim(), passwordHash: await hashPassword(input.password) })
    .returning(["id", "email", "name"])
    .executeTakeFirstOrThrow();
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

/** The user when email and password match; null otherwise (without saying which was wrong). */
export async function verifyLogin(db: DB, input: { email: string; password: string }) {
  const row = await db
    .selectFrom("users")
    .select(["id", "email", "name", "passwordHash"])
    .where("email", "=", normalizeEmail(input.email))
    .executeTakeFirst();
  if (!row || !(await verifyPassword(input.password, row.passwordHash))) return null;
  return { id: row.id, email: row.email, name: row.name };
}

export async function setPassword(db: DB, input: { userId: number; password: string }) {
  await db
    .updateTable("users")
    .set({ passwordHash: await hashPassword(input.password) })
    .where("id", "=", input.userId)
    .execute();
  // A new password ends every existing session of that user.
  await db.deleteFrom("sessions").where("userId", "=", input.userId).execute();
}
