import type { DB } from "~/utils/db.server";

export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES = { email: 5, ip: 30 } as const;

type Scope = keyof typeof MAX_FAILURES;

/** Failed logins are kept in the database so every app instance sees the same count. */
export async function recordFailedLogin(db: DB, subjects: Record<Scope, string>) {
  await db
    .insertInto("loginAttempts")
    .values([
      { scope: "email", subject: subjects.email },
      { scope: "ip", subject: subjects.ip },
    ])
    .execute();
}

/** Which scope (if any) has too many recent failures; login is refused while one does. */
export async function throttledScope(db: DB, subjects: Record<Scope, string>): Promise<Scope | null> {
  const since = new Date(Date.now() - THROTTLE_WINDOW_MS);
  const rows = await db
    .selectFrom("loginAttempts")
    .select(["scope", (eb) => eb.fn.countAll<number>().as("failures")])
    .where("attemptedAt", ">", since)
    .where((eb) =>
      eb.or([
        eb.and([eb("scope", "=", "email"), eb("subject", "=", subjects.email)]),
        eb.and([eb("scope", "=", "ip"), eb("subject", "=", subjects.ip)]),
      ]),
    )
    .groupBy("scope")
    .execute();
  for (const row of rows) if (row.failures >= MAX_FAILURES[row.scope]) return row.scope;
  return null;
}

export async function clearFailedLogins(db: DB, email: string) {
  await db.deleteFrom("loginAttempts").where("scope", "=", "email").where("subject", "=", email).execute();
}
