import { data } from "@remix-run/node";

/** A 400 with field errors for the form that sent them (nothing typed is lost). */
export function invalid(errors: Record<string, string>, values: Record<string, string> = {}) {
  return data({ ok: false as const, errors, values }, { status: 400 });
}

export function notFound(message = "Not found"): never {
  throw new Response(message, { status: 404 });
}

/**
 * The client's address for throttling. Our server entry sets X-Client-Ip from the socket (or from
 * X-Forwarded-For when TRUST_PROXY=1) and drops any value the client sent, so it cannot be forged.
 */
export function clientIp(request: Request): string {
  return request.headers.get("X-Client-Ip") || "unknown";
}
