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
