// Bearer-token gate for the JSON API (budget guard, Claude Code hook): the token names its team;
// the URL's team must be the same. Errors are JSON answers, never redirects.
import type { ApiTokenScope } from "../../db/schema";
import { authenticateApiToken, type AuthenticatedToken } from "~/models/api-token.server";
import { clientIp } from "~/utils/http.server";
import { takeToken } from "~/utils/rate-limit.server";
import { getServices } from "~/utils/database-and-secrets.server";
import type { DB } from "~/utils/db.server";

export function apiError(status: number, code: string, message: string, headers?: HeadersInit) {
  return Response.json({ error: { code, message } }, { status, headers });
}

const BAD_TOKEN_PER_IP = { burst: 20, perSecond: 0.5 };
const PER_TOKEN = { burst: 120, perSecond: 20 };

/** The token, or a Response to answer with (401/403/429). `scopes`: the scopes this route takes. */
export async function requireApiToken(
  request: Request,
  teamSlug: string | undefined,
  scopes: readonly ApiTokenScope[],
): Promise<{ db: DB; token: AuthenticatedToken } | Response> {
  const challenge = { "WWW-Authenticate": 'Bearer realm="token-poker"' };
  const refuse = (code: string, message: string) => {
    const wait = takeToken("api-bad-token", clientIp(request), BAD_TOKEN_PER_IP);
    if (wait !== null)
      return apiError(429, "rate_limited", "Too many requests with a wrong token.", { "Retry-After": String(wait) });
    return apiError(401, code, message, challenge);
  };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("Authorization") ?? "");
  if (!match)
    return refuse(
      "missing_token",
      "Send 'Authorization: Bearer <team API token>'; managers create tokens in Settings → API tokens.",
    );
  const { db } = await getServices();
  const token = await authenticateApiToken(db, match[1]!);
  if (!token) return refuse("invalid_token", "This token is unknown or was revoked.");
  if (token.slug !== teamSlug) return apiError(403, "wrong_team", "This token belongs to another team.");
  if (!scopes.includes(token.scope)) {
    return apiError(
      403,
      "wrong_scope",
      "This is an ingest token: it can push spend but not read budgets. Use a team token.",
    );
  }
  const wait = takeToken("api-token", String(token.tokenId), PER_TOKEN);
  if (wait !== null)
    return apiError(429, "rate_limited", "Too many requests for this token.", { "Retry-After": String(wait) });
  return { db, token };
}
