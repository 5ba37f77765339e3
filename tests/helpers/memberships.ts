import { createSession, getSessionHolder } from "~/models/session.server";
import type { DB } from "~/utils/db.server";

/** A user's teams and organisations as their pages read them: through a session of their own. */
export async function membershipsOf(db: DB, userId: number) {
  const holder = await getSessionHolder(db, await createSession(db, userId));
  if (!holder) throw new Error(`user ${userId} has no session`);
  return holder;
}

/** The user's role on the team with that slug, or undefined (an outsider). */
export async function teamRoleOf(db: DB, userId: number, slug: string) {
  return (await membershipsOf(db, userId)).teams.find((t) => t.slug === slug)?.role;
}

/** The user's role in the organisation with that slug, or undefined (an outsider). */
export async function orgRoleOf(db: DB, userId: number, slug: string) {
  return (await membershipsOf(db, userId)).organisations.find((o) => o.slug === slug)?.role;
}
