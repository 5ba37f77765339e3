import { orgRoleAtLeast, type OrgRole } from "~/domain/organisation/roles";
import { requireSessionHolder, type Memberships } from "~/server/auth.server";
import { isGuestOnlyRequest } from "~/utils/poker-guest.server";
import { getServices } from "~/utils/database-and-secrets.server";
import type { DB } from "~/utils/db.server";

export interface OrgContext {
  db: DB;
  user: { id: number; email: string; name: string };
  org: { id: number; slug: string; name: string };
  role: OrgRole;
  /** Every team and organisation the user belongs to (the header's switcher). */
  memberships: Memberships;
}

export const ORG_OUTSIDER_MESSAGE =
  "This page is for members of an organisation you are not in (or there is no such organisation). Ask one of its admins for an invite.";

/**
 * The one gate for organisation pages and actions, like requireTeamRole for teams: anonymous →
 * login; a poker guest or a non-member → 404 (an organisation's existence is not confirmed to
 * strangers, and membership of one of its teams does not count); a viewer where an admin is needed
 * → 403. Every organisation query takes `org.id` from here.
 */
export async function requireOrgRole(
  request: Request,
  orgSlug: string | undefined,
  minRole: OrgRole,
): Promise<OrgContext> {
  if (isGuestOnlyRequest(request)) throw new Response("Organisation not found", { status: 404 });
  const { user, teams, organisations } = await requireSessionHolder(request);
  const { db } = await getServices();
  const membership = orgSlug ? organisations.find((o) => o.slug === orgSlug) : undefined;
  if (!membership) throw new Response(ORG_OUTSIDER_MESSAGE, { status: 404 });
  if (!orgRoleAtLeast(membership.role, minRole)) {
    throw new Response("Org viewers can read but not change anything.", { status: 403 });
  }
  return {
    db,
    user,
    org: { id: membership.organisationId, slug: membership.slug, name: membership.name },
    role: membership.role,
    memberships: { teams, organisations },
  };
}
