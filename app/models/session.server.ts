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

export async function getSessionUser(db: DB, sessionId: string) {
  return db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.userId")
    .select(["users.id", "users.email", "users.name"])
    .where("sessions.idHash", "=", hashToken(sessionId))
    .where("sessions.expiresAt", ">", new Date())
    .executeTakeFirst();
}

export async function deleteSession(db: DB, sessionId: string) {
  await db.deleteFrom("sessions").where("idHash", "=", hashToken(sessionId)).execute();
}
