// Which team member a tool's user name or e-mail probably is — a suggestion preselected on the
// Identities page, never applied without a person confirming it.

export interface MemberLike {
  userId: number;
  name: string;
  email: string;
}

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** The one member an identity points to (same e-mail, same e-mail name, same first name), or null. */
export function suggestMember(identity: string, members: readonly MemberLike[]): number | null {
  const id = identity.trim().toLowerCase();
  if (!id) return null;
  const byEmail = members.filter((m) => m.email.toLowerCase() === id);
  if (byEmail.length === 1) return byEmail[0]!.userId;
  const local = id.split("@")[0]!;
  const byLocal = members.filter((m) => m.email.toLowerCase().split("@")[0] === local);
  if (byLocal.length === 1) return byLocal[0]!.userId;
  const first = words(local)[0];
  if (!first || first.length < 3) return null;
  const byName = members.filter((m) => words(m.name)[0] === first || words(m.email.split("@")[0]!)[0] === first);
  return byName.length === 1 ? byName[0]!.userId : null;
}
