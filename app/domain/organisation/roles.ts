// Roles in an organisation. Two, ordered: a viewer (finance) reads the organisation's pages and
// reports; an admin also sets pools and allocations, attaches teams, decides exceptions and places
// identities. Neither role says anything about a team: team pages still need team membership.
export type OrgRole = "viewer" | "admin";

export const ORG_ROLES: OrgRole[] = ["viewer", "admin"];

export function orgRoleAtLeast(role: OrgRole, min: OrgRole): boolean {
  return ORG_ROLES.indexOf(role) >= ORG_ROLES.indexOf(min);
}

export const ORG_ROLE_LABELS: Record<OrgRole, string> = {
  admin: "Org admin",
  viewer: "Org viewer",
};
