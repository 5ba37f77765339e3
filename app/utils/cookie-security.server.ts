// Whether the cookies of one answer may be marked Secure. A browser drops a Secure cookie set over
// plain http (a LAN address such as http://192.0.2.2:3000), so login would silently fail: the
// flag follows how the page is served — APP_ORIGIN when set, else the request (or, behind a
// trusted proxy, its X-Forwarded-Proto) — not NODE_ENV.
export function cookiesSecure(request: Request, appOrigin: string | undefined): boolean {
  if (appOrigin) return appOrigin.startsWith("https:");
  if (process.env.TRUST_PROXY === "1") {
    const proto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
    if (proto) return proto === "https";
  }
  return new URL(request.url).protocol === "https:";
}

/** Set with the login cookie, readable over http: the login page can tell that the login cookie did not come back. */
export const LOGIN_PROBE_COOKIE = "__login_sent";
