// Cookies are SameSite=Lax and no GET changes data; on top of that, a browser's cross-origin POST
// is refused outright. Requests without an Origin header (curl, API clients with bearer tokens)
// pass: they carry no ambient cookies from another site.
export function isCrossOriginMutation(input: {
  method: string;
  origin: string | null | undefined;
  secFetchSite?: string | null;
  host: string | null | undefined;
  appOrigin?: string;
}): boolean {
  if (input.method === "GET" || input.method === "HEAD" || input.method === "OPTIONS") return false;
  if (input.secFetchSite === "cross-site") return true;
  if (!input.origin) return false;
  if (input.origin === "null") return true;
  let origin: URL;
  try {
    origin = new URL(input.origin);
  } catch {
    return true;
  }
  if (input.appOrigin) return origin.origin !== new URL(input.appOrigin).origin;
  return origin.host !== input.host;
}
