import { redirect } from "@remix-run/node";
import { roleAtLeast, type Role } from "~/domain/roles";
import { isGuestOnlyRequest } from "~/utils/poker-guest.server";
import { getSessionHolderOf } from "~/server/session.server";
import { getServices } from "~/utils/database-and-secrets.server";
import type { DB } from "~/utils/db.server";
import type { OrganisationMembership, TeamMembership } from "~/models/session.server";

export async function requireUser(request: Request) {
  return (await requireSessionHolder(request)).user;
}

/** The signed-in user with their teams and organisations; anonymous → the login page. */
export async function requireSessionHolder(request: Request) {
  const holder = await getSessionHolderOf(request);
  if (!holder) {
    const url = new URL(request.url);
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return holder;
}

export interface TeamContext {
  db: DB;
  user: { id: number; email: string; name: string };
  team: { id: number; slug: string; name: string; timeZone: string; keyPattern: string };
  role: Role;
  /** Every team and organisation the user belongs to (the header's switcher and links). */
  memberships: Memberships;
}

export type Memberships = { teams: TeamMembership[]; organisations: OrganisationMembership[] };

/** What the header's team switcher shows of the user's teams: only what the browser needs. */
export function switcherTeams(memberships: Pick<Memberships, "teams">) {
  return memberships.teams.map((t) => ({ slug: t.slug, name: t.name, role: t.role }));
}

export const OUTSIDER_MESSAGE =
  "This page is for members of a team you are not in (or there is no such team). Ask the team's owner for an invite, or the facilitator for a guest link.";

/**
 * The one gate for team pages and actions: anonymous → login; outsider → 404 (a team's existence is
 * not confirmed to strangers); a role below `minRole` → 403. Every team query takes `team.id` from
 * here, so nothing reaches another team's rows.
 */
export async function requireTeamRole(
  request: Request,
  teamSlug: string | undefined,
  minRole: Role,
): Promise<TeamContext> {
  // A poker guest (admitted by display name to one session, see poker-access.server.ts) sees
  // nothing else of any team: not even a login page that would confirm the URL means something.
  if (isGuestOnlyRequest(request)) throw new Response("Team not found", { status: 404 });
  const { user, teams, organisations } = await requireSessionHolder(request);
  const { db } = await getServices();
  const membership = teamSlug ? teams.find((t) => t.slug === teamSlug) : undefined;
  // Someone sent a member link who is not (yet) on the team: say what would help, without
  // confirming to a stranger that the team exists.
  if (!membership) throw new Response(OUTSIDER_MESSAGE, { status: 404 });
  if (!roleAtLeast(membership.role, minRole)) {
    throw new Response(
      minRole === "member" ? "Observers can look but not change anything." : `This needs the ${minRole} role.`,
      { status: 403 },
    );
  }
  return {
    db,
    user,
    team: {
      id: membership.teamId,
      slug: membership.slug,
      name: membership.name,
      timeZone: membership.timeZone,
      keyPattern: membership.keyPattern,
    },
    role: membership.role,
    memberships: { teams, organisations },
  };
}
