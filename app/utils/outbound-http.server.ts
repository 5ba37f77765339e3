// Requests the server makes to an address a team typed (a tracker's API, a self-hosted Jira). The
// same guard as the burn-alert webhooks (docs/decisions/0015-webhook-targets.md): the address is
// checked where the connection is made, so a team cannot make the server read its own machine or
// network; redirects are not followed; bodies are read up to a cap. WEBHOOK_ALLOW_PRIVATE=1 lets an
// operator reach internal services (and the tests their local stand-ins).
import http from "node:http";
import https from "node:https";
import { addressKind } from "~/domain/ip-address";
import { publicOnlyLookup } from "~/utils/webhook.server";

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class OutboundError extends Error {}

const allowPrivate = () => process.env.WEBHOOK_ALLOW_PRIVATE === "1";

export function outboundRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
    maxBytes?: number;
  } = {},
): Promise<OutboundResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new OutboundError("not a URL"));
  }
  const client = target.protocol === "https:" ? https : target.protocol === "http:" ? http : null;
  if (!client) return Promise.reject(new OutboundError(`unsupported protocol ${target.protocol}`));
  const literal = target.hostname.replace(/^\[|\]$/g, "");
  const kind = addressKind(literal);
  if (!allowPrivate() && kind !== "invalid" && kind !== "public") {
    return Promise.reject(new OutboundError(`refused to connect to ${target.hostname} (${kind})`));
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 5_000_000;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: options.method ?? "GET",
        headers: {
          "User-Agent": "TokenPoker/1",
          ...(options.body !== undefined ? { "Content-Length": String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
        // A fresh connection each time: a pooled socket would skip the lookup that checks the address.
        agent: false,
        lookup: allowPrivate() ? undefined : publicOnlyLookup,
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) request.destroy(new OutboundError(`the answer is over ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    const deadline = setTimeout(() => request.destroy(new OutboundError("timed out")), timeoutMs);
    request.on("timeout", () => request.destroy(new OutboundError("timed out")));
    request.on("error", reject);
    request.on("close", () => clearTimeout(deadline));
    request.end(options.body);
  });
}
