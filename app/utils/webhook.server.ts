// Outgoing webhooks (burn alerts). A team's manager types the URL and the server POSTs to it, so
// the server must not become that manager's way into its own machine or network
// (docs/decisions/0015-webhook-targets.md):
//   - the address is checked where the connection is made: a lookup of our own on the socket sees
//     every address DNS gave and refuses the lot if any is loopback, private, link-local, unique-
//     local, CGNAT, multicast or unspecified (IPv4-mapped IPv6 included), so a name that resolves
//     to a public address at save time and to 127.0.0.1 at send time (DNS rebinding) still fails;
//     an IP literal in the URL is checked before connecting (sockets do not look literals up);
//   - redirects are not followed (a 3xx is a failed delivery), so a public hook cannot bounce us
//     inward;
//   - the team sees only "the webhook could not be delivered" and the HTTP status if one came
//     back, never the network error (ECONNREFUSED 127.0.0.1:4304 turned the error into a port
//     scanner); the operator's log has the detail.
// WEBHOOK_ALLOW_PRIVATE=1 lets an operator send to internal receivers (and the tests to theirs).
// A slow or dead receiver must not hold up the request that triggered the alert: short timeout.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { addressKind } from "~/domain/ip-address";

export type WebhookResult = { ok: true; status: number } | { ok: false; error: string };

/** What a team is told when a delivery failed; the status only when the receiver answered. */
export function deliveryError(status?: number): string {
  return status === undefined
    ? "the webhook could not be delivered"
    : `the webhook could not be delivered (HTTP ${status})`;
}

class RefusedAddressError extends Error {
  readonly code = "EREFUSEDADDRESS";
  constructor(host: string, address: string) {
    super(
      `refused to connect to ${host} (${address}, ${addressKind(address)}): set WEBHOOK_ALLOW_PRIVATE=1 to allow internal webhooks`,
    );
  }
}

function allowPrivate(): boolean {
  return process.env.WEBHOOK_ALLOW_PRIVATE === "1";
}

/** dns.lookup, refusing a name any of whose addresses is not public. */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const refused = addresses.find((a) => addressKind(a.address) !== "public");
    if (refused) return callback(new RefusedAddressError(hostname, refused.address), "", 0);
    if (options.all) return (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
    callback(null, first.address, first.family);
  });
};

export async function postJson(
  url: string,
  body: unknown,
  options: { timeoutMs?: number } = {},
): Promise<WebhookResult> {
  const result = await send(url, JSON.stringify(body), options.timeoutMs ?? 4_000);
  if ("status" in result && result.status >= 200 && result.status < 300) return { ok: true, status: result.status };
  if ("status" in result) return { ok: false, error: deliveryError(result.status) };
  console.error(`[webhook] delivery to ${safeOrigin(url)} failed: ${result.detail}`);
  return { ok: false, error: deliveryError() };
}

function send(url: string, payload: string, timeoutMs: number): Promise<{ status: number } | { detail: string }> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ detail: "not a URL" });
  }
  const client = target.protocol === "https:" ? https : target.protocol === "http:" ? http : null;
  if (!client) return Promise.resolve({ detail: `unsupported protocol ${target.protocol}` });
  const literal = target.hostname.replace(/^\[|\]$/g, "");
  const kind = addressKind(literal);
  if (!allowPrivate() && kind !== "invalid" && kind !== "public") {
    return Promise.resolve({ detail: new RefusedAddressError(target.hostname, literal).message });
  }
  return new Promise((resolve) => {
    const request = client.request(
      target,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "TokenPoker-Alerts/1",
          "Content-Length": Buffer.byteLength(payload),
        },
        // A fresh connection each time: a pooled socket would skip the lookup that checks the address.
        agent: false,
        lookup: allowPrivate() ? undefined : publicOnlyLookup,
        timeout: timeoutMs,
      },
      (response) => {
        // Drain the body so the socket closes; the status is all we keep.
        response.resume();
        response.on("end", () => resolve({ status: response.statusCode ?? 0 }));
        response.on("error", () => resolve({ status: response.statusCode ?? 0 }));
      },
    );
    const deadline = setTimeout(() => request.destroy(new Error("timed out")), timeoutMs);
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", (error: Error & { code?: string }) =>
      resolve({ detail: error.message || error.code || "error" }),
    );
    request.on("close", () => clearTimeout(deadline));
    request.end(payload);
  });
}

/** The URL's origin for the log: its path may hold the receiver's secret. */
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(not a URL)";
  }
}

/** http(s) only: a webhook URL is typed by a manager and fetched by the server. */
export function isWebhookUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}
