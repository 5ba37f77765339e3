// Where to send someone after logging in, signing up or joining: only a path on this site. The
// target is parsed the way a browser will read it (`new URL(to, origin)`: tabs and newlines are
// dropped, "\" is "/", "//host" is another host) and kept only when it resolves to our own origin;
// what is returned is the parsed path, so no raw control character ever reaches a header.
export function sameOriginPath(to: unknown, origin: string, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.length > 2000) return fallback;
  let base: URL;
  let target: URL;
  try {
    base = new URL(origin);
    target = new URL(to, base);
  } catch {
    return fallback;
  }
  if (target.origin !== base.origin) return fallback;
  const path = `${target.pathname}${target.search}${target.hash}`;
  // A path that starts "//" (e.g. "/%2F/x" decoded by a server further on) is kept out as well.
  return path.startsWith("//") || path.startsWith("/\\") ? fallback : path;
}

/**
 * Where an accepted invite lands: the page it was made from (a poker room's "invite a new member"
 * link carries `?to=/t/<team>/poker/<id>`) when that is a page of the invite's own team, else the
 * team's dashboard. `to` travels in the link, so anyone could edit it: kept inside the team, an
 * edited one can only send the new member to another page of the team they just joined.
 */
export function inviteLanding(teamSlug: string, to: unknown): string {
  const home = `/t/${teamSlug}`;
  const path = sameOriginPath(to, "http://invite.invalid", home);
  const pathname = path.split(/[?#]/)[0]!;
  return pathname === home || pathname.startsWith(`${home}/`) ? path : home;
}
