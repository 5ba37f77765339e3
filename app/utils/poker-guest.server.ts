// The poker guest cookie: a display name admitted to one session through its guest link. It holds a
// random token (stored hashed on the guest's participant row) and nothing else. No imports from the
// rest of the app: auth.server.ts asks `isGuestOnlyRequest` to turn team pages into 404s for guests.
import { createCookie } from "@remix-run/node";
import { cookiesSecure } from "~/utils/cookie-security.server";
import { getServices } from "~/utils/database-and-secrets.server";
import { singleton } from "~/utils/singleton.server";

export const GUEST_COOKIE = "__poker_guest";
const SESSION_COOKIE = "__session";
/** A planning meeting, with room to spare; the session ending revokes access sooner. */
const GUEST_HOURS = 12;

async function guestCookie() {
  const { sessionSecret } = await getServices();
  return singleton(`poker-guest-cookie:${sessionSecret}`, () =>
    createCookie(GUEST_COOKIE, {
      httpOnly: true,
      sameSite: "lax",
      // Secure per answer, from how the page is served (cookiesSecure), not from NODE_ENV.
      secure: false,
      path: "/",
      maxAge: GUEST_HOURS * 3600,
      secrets: [sessionSecret],
    }),
  );
}

export async function readGuestToken(request: Request): Promise<string | null> {
  const value = await (await guestCookie()).parse(request.headers.get("Cookie"));
  return typeof value === "string" && value ? value : null;
}

export async function guestCookieHeader(request: Request, token: string): Promise<string> {
  const secure = cookiesSecure(request, (await getServices()).env.APP_ORIGIN);
  return (await guestCookie()).serialize(token, { secure });
}

function cookieNames(request: Request): Set<string> {
  const header = request.headers.get("Cookie") ?? "";
  return new Set(header.split(";").map((part) => part.split("=")[0]!.trim()));
}

/** A visitor with a guest cookie and no login: someone admitted to one poker session only. */
export function isGuestOnlyRequest(request: Request): boolean {
  const names = cookieNames(request);
  return names.has(GUEST_COOKIE) && !names.has(SESSION_COOKIE);
}
