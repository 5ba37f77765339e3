// Who is looking at a poker room: a team member (through requireTeamRole, like every team page) or
// a guest whose cookie belongs to exactly this open session. Guests get nothing else.
import type { Viewer } from "~/domain/poker";
import type { Role } from "~/domain/roles";
import { findGuest } from "~/models/poker.server";
import { requireTeamRole, type Memberships } from "~/server/auth.server";
import type { DB } from "~/utils/db.server";
import { readGuestToken } from "~/utils/poker-guest.server";
import { getSessionHolderOf } from "~/server/session.server";
import { getServices } from "~/utils/database-and-secrets.server";

export interface PokerAccess {
  db: DB;
  team: { id: number; slug: string; name: string };
  viewer: Viewer;
  /** Present for members. */
  user: { id: number; name: string; email: string } | null;
  role: Role | null;
  /** Present for members: their teams and organisations (the room's header). */
  memberships: Memberships | null;
}

/**
 * For the room's pages, stream and actions. `minRole` applies to members ("observer" to look,
 * "member" to change anything); a guest passes only for their own open session, and the caller
 * decides which few actions (voting) a guest may take.
 */
export async function requirePokerAccess(
  request: Request,
  teamSlug: string | undefined,
  sessionId: number,
  minRole: Role,
): Promise<PokerAccess> {
  const token = await readGuestToken(request);
  if (token) {
    const { db } = await getServices();
    const guest = await findGuest(db, token);
    if (guest && guest.sessionId === sessionId && guest.teamSlug === teamSlug && guest.status === "open") {
      // A logged-in member of this team is a member here, whatever cookie they also carry.
      const holder = await getSessionHolderOf(request);
      if (!holder?.teams.some((t) => t.slug === guest.teamSlug)) {
        return {
          db,
          team: { id: guest.teamId, slug: guest.teamSlug, name: guest.teamName },
          viewer: { kind: "guest", participantId: guest.participantId },
          user: null,
          role: null,
          memberships: null,
        };
      }
    }
  }
  const ctx = await requireTeamRole(request, teamSlug, minRole);
  return {
    db: ctx.db,
    team: { id: ctx.team.id, slug: ctx.team.slug, name: ctx.team.name },
    viewer: { kind: "member", userId: ctx.user.id, teamRole: ctx.role },
    user: ctx.user,
    role: ctx.role,
    memberships: ctx.memberships,
  };
}

/** Route parameter → session id; anything else is a 404. */
export function parseSessionId(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0 || String(id) !== value) throw new Response("Not found", { status: 404 });
  return id;
}
