import { createCookie, redirect } from "@remix-run/node";
import { sameOriginPath } from "~/domain/redirect";
import { createSession, deleteSession, getSessionHolder } from "~/models/session.server";
import { SESSION_DAYS } from "~/models/session.server";
import { memoPerRequest } from "~/utils/request-memo.server";
import { cookiesSecure, LOGIN_PROBE_COOKIE } from "~/utils/cookie-security.server";
import { getServices } from "~/utils/database-and-secrets.server";
import { singleton } from "~/utils/singleton.server";

// The cookie holds only a random session id, signed; the session itself lives in the database so
// logout and password resets end it everywhere.
async function sessionCookie() {
  const { sessionSecret } = await getServices();
  return singleton(`session-cookie:${sessionSecret}`, () =>
    createCookie("__session", {
      httpOnly: true,
      sameSite: "lax",
      // Secure per answer, from how the page is served (cookiesSecure), not from NODE_ENV.
      secure: false,
      path: "/",
      maxAge: SESSION_DAYS * 86_400,
      secrets: [sessionSecret],
    }),
  );
}

async function readSessionId(request: Request): Promise<string | null> {
  const cookie = await sessionCookie();
  const value = await cookie.parse(request.headers.get("Cookie"));
  return typeof value === "string" ? value : null;
}

/**
 * Who is signed in, with their teams and organisations (one statement, shared by the loaders of
 * a page view), or null.
 */
export async function getSessionHolderOf(request: Request) {
  const sessionId = await readSessionId(request);
  if (!sessionId) return null;
  return memoPerRequest(`session:${sessionId}`, async () => {
    const { db } = await getServices();
    return (await getSessionHolder(db, sessionId)) ?? null;
  });
}

export async function getCurrentUser(request: Request) {
  return (await getSessionHolderOf(request))?.user ?? null;
}

/** Logs the user in with a brand-new session id (never reusing one from before login). */
export async function startUserSession(request: Request, userId: number, redirectTo: string) {
  const { db } = await getServices();
  const previous = await readSessionId(request);
  if (previous) await deleteSession(db, previous);
  const sessionId = await createSession(db, userId);
  const cookie = await sessionCookie();
  const secure = cookiesSecure(request, (await getServices()).env.APP_ORIGIN);
  const headers = new Headers();
  headers.append("Set-Cookie", await cookie.serialize(sessionId, { secure }));
  // A plain marker beside it: if the login cookie does not come back, the login page can say why.
  headers.append("Set-Cookie", `${LOGIN_PROBE_COOKIE}=1; Path=/; Max-Age=120; SameSite=Lax`);
  return redirect(safeRedirect(request, redirectTo), { headers });
}

/** Logged in a moment ago, yet the browser did not send the login cookie back. */
export function loginCookieWasDropped(request: Request): boolean {
  const header = request.headers.get("Cookie") ?? "";
  const names = new Set(header.split(";").map((part) => part.split("=")[0]!.trim()));
  return names.has(LOGIN_PROBE_COOKIE) && !names.has("__session");
}

export async function endUserSession(request: Request) {
  const { db } = await getServices();
  const sessionId = await readSessionId(request);
  if (sessionId) await deleteSession(db, sessionId);
  const cookie = await sessionCookie();
  const secure = cookiesSecure(request, (await getServices()).env.APP_ORIGIN);
  return redirect("/login", { headers: { "Set-Cookie": await cookie.serialize("", { maxAge: 0, secure }) } });
}

/**
 * The one reader of ?redirectTo= (login, sign-up, invites, resets): only a path on this site, else
 * `fallback`. A crafted value ("/\t/evil.test", "//evil.test", a newline) must not send people elsewhere.
 */
export function safeRedirect(
  request: Request,
  to: FormDataEntryValue | string | null | undefined,
  fallback = "/",
): string {
  return sameOriginPath(to, new URL(request.url).origin, fallback);
}
