import { sql } from "kysely";
import type { AttemptScope } from "../../db/schema";
import type { DB } from "~/utils/db.server";

export const THROTTLE_WINDOW_MS = 15 * 60_000;

/** How many attempts each subject may make in its window (the attempt being made included). */
export const LIMITS: Record<AttemptScope, { max: number; windowMs: number }> = {
  // Wrong passwords for one account, and from one client address.
  email: { max: 5, windowMs: THROTTLE_WINDOW_MS },
  ip: { max: 30, windowMs: THROTTLE_WINDOW_MS },
  // Sign-ups from one address: sign-up says when an e-mail is taken, so it is an enumeration oracle.
  "signup-ip": { max: 20, windowMs: 60 * 60_000 },
  // "Forgot password" mails: per account, and per client address.
  "reset-email": { max: 3, windowMs: 60 * 60_000 },
  "reset-ip": { max: 10, windowMs: THROTTLE_WINDOW_MS },
};
export const MAX_FAILURES = { email: LIMITS.email.max, ip: LIMITS.ip.max } as const;

/** The first key of the attempt locks (advisory locks: two int4 keys, apart from the one-key space). */
const ATTEMPT_LOCK_SPACE = 4006;

export type Attempt = { ok: true; ids: number[] } | { ok: false; scope: AttemptScope };

/**
 * Counts an attempt BEFORE the work it guards (a password check, a sign-up, a reset mail), so
 * parallel requests cannot all slip under the limit. One transaction per attempt takes a lock per
 * subject (an advisory lock, always in the same order), counts the window and records the attempt
 * only when it is within the limit: of any number of requests at once, exactly `max` go ahead, on one
 * connection or many. A refused attempt records nothing (refusals do not extend the lock-out); an
 * allowed one stays counted until the caller forgets it (a login that succeeded) or it ages out.
 */
export async function takeAttempt(
  db: DB,
  subjects: Partial<Record<AttemptScope, string>>,
  limits: Partial<Record<AttemptScope, { max: number; windowMs: number }>> = {},
): Promise<Attempt> {
  const entries = (Object.entries(subjects) as [AttemptScope, string][])
    .filter(([, subject]) => subject)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return { ok: true, ids: [] };
  const limitOf = (scope: AttemptScope) => limits[scope] ?? LIMITS[scope];
  return db.transaction().execute(async (trx) => {
    for (const [scope, subject] of entries) {
      await sql`select pg_advisory_xact_lock(${ATTEMPT_LOCK_SPACE}, hashtext(current_schema() || ${`:${scope}:${subject}`}))`.execute(
        trx,
      );
    }
    const counts = await trx
      .selectFrom("loginAttempts")
      .select(["scope", (eb) => eb.fn.countAll<string | number>().as("attempts")])
      .where((eb) =>
        eb.or(
          entries.map(([scope, subject]) =>
            eb.and([
              eb("scope", "=", scope),
              eb("subject", "=", subject),
              eb("attemptedAt", ">", sql<Date>`now() - make_interval(secs => ${limitOf(scope).windowMs / 1000})`),
            ]),
          ),
        ),
      )
      .groupBy("scope")
      .execute();
    const over = counts.find((row) => Number(row.attempts) >= limitOf(row.scope).max);
    if (over) return { ok: false as const, scope: over.scope };
    const inserted = await trx
      .insertInto("loginAttempts")
      .values(entries.map(([scope, subject]) => ({ scope, subject })))
      .returning("id")
      .execute();
    return { ok: true as const, ids: inserted.map((row) => row.id) };
  });
}

/** Removes an allowed attempt's rows (the login succeeded: it was not a failure). */
export async function forgetAttempts(db: DB, ids: number[]) {
  if (ids.length) await db.deleteFrom("loginAttempts").where("id", "in", ids).execute();
}

/** After a successful login the account's earlier failures are forgiven. */
export async function clearFailedLogins(db: DB, email: string) {
  await db.deleteFrom("loginAttempts").where("scope", "=", "email").where("subject", "=", email).execute();
}
