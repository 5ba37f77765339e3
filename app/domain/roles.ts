export type Role = "owner" | "manager" | "member" | "observer";

// Ordered from least to most: a role can do everything the roles before it can.
export const ROLES: Role[] = ["observer", "member", "manager", "owner"];

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  manager: "Manager",
  member: "Member",
  observer: "Observer",
};

/** Whether `actor` may give `target` (currently `from`) the role `to`. Owners only by owners. */
export function canChangeRole(actor: Role, from: Role, to: Role): boolean {
  if (!roleAtLeast(actor, "manager")) return false;
  if (actor !== "owner" && (from === "owner" || to === "owner")) return false;
  return true;
}

/** A URL slug from a team name: lowercase letters, digits and single dashes, 3–40 chars. */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/g, "");
  return slug.length >= 3 ? slug : `${slug || "team"}-${"x".repeat(3 - Math.min(slug.length, 3))}`.slice(0, 40);
}

/** Whether `maker` stands strictly above `target` (an owner does not outrank another owner). */
export function outranks(maker: Role, target: Role): boolean {
  return ROLES.indexOf(maker) > ROLES.indexOf(target);
}

/**
 * Whether a team may make a password-reset link for an account. A link resets the whole account,
 * so the team (through the maker) must already control everything the account can reach: the
 * account is in the making team, the maker manages that team, and in EVERY team the account
 * belongs to the maker is a member who outranks it. `memberships` lists all of the account's
 * teams with the maker's role there (null: the maker is not in that team).
 */
export function mayMakeResetLink(input: {
  teamId: number;
  memberships: { teamId: number; role: Role; makerRole: Role | null }[];
}): boolean {
  const here = input.memberships.find((m) => m.teamId === input.teamId);
  if (!here?.makerRole || !roleAtLeast(here.makerRole, "manager")) return false;
  return input.memberships.every((m) => m.makerRole !== null && outranks(m.makerRole, m.role));
}
