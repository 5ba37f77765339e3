// The OTLP/HTTP receiver behind POST /otlp/v1/{logs,metrics,traces}: a team API token in
// `Authorization: Bearer …` names the team; the body is an export request in protobuf or JSON,
// optionally gzip. Answers as the OTLP spec says: 200 (with partial_success for records that could
// not be read), 400 bad body, 401 no/bad token, 413 too large, 415 wrong content type or encoding,
// 429 / 503 with Retry-After (exporters retry those). See docs/agents.md.
import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_RECORDS, recordCount } from "~/domain/otlp/spend";
import { authenticateApiToken } from "~/models/api-token.server";
import { ingestOtlp } from "~/models/otlp.server";
import { clientIp } from "~/utils/http.server";
import {
  decodeOtlp,
  encodingOf,
  OtlpRequestError,
  otlpError,
  otlpSuccess,
  readOtlpBody,
  type OtlpSignal,
} from "~/utils/otlp-wire.server";
import { takeToken } from "~/utils/rate-limit.server";
import { getServices } from "~/utils/database-and-secrets.server";
import { BodyTooLargeError, formatBytes } from "~/utils/upload.server";

/** On the wire and once inflated. Exporters batch 512 records by default: far below this. */
export const OTLP_MAX_BYTES = 4 * 1024 * 1024;
/** Per token: a burst of 60 exports, then 20 a second (Claude Code sends one every 5 s per signal). */
const PER_TOKEN = { burst: 60, perSecond: 20 };
/** Per address, for requests whose token is missing or wrong: guessing tokens gets slow. */
const BAD_TOKEN_PER_IP = { burst: 20, perSecond: 0.5 };

export function otlpLoader() {
  return otlpError(405, "Send OTLP export requests with POST.", { Allow: "POST" });
}

export async function receiveOtlp(signal: OtlpSignal, { request }: ActionFunctionArgs): Promise<Response> {
  if (request.method !== "POST") return otlpError(405, "Send OTLP export requests with POST.", { Allow: "POST" });
  const ip = clientIp(request);
  const challenge = { "WWW-Authenticate": 'Bearer realm="token-poker"' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("Authorization") ?? "");
  const refuse = (message: string) => {
    const wait = takeToken("otlp-bad-token", ip, BAD_TOKEN_PER_IP);
    if (wait !== null) return otlpError(429, "Too many requests with a wrong token.", { "Retry-After": String(wait) });
    return otlpError(401, message, challenge);
  };
  if (!match)
    return refuse(
      "Send 'Authorization: Bearer <team API token>' (OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer …\").",
    );
  const { db } = await getServices();
  let token;
  try {
    token = await authenticateApiToken(db, match[1]!);
  } catch (error) {
    console.error("[otlp] token check failed:", (error as Error).message);
    return otlpError(503, "The server cannot check tokens right now.", { "Retry-After": "5" });
  }
  if (!token) return refuse("This token is unknown or was revoked.");
  const wait = takeToken("otlp-token", String(token.tokenId), PER_TOKEN);
  if (wait !== null) return otlpError(429, "Too many export requests for this token.", { "Retry-After": String(wait) });

  const encoding = encodingOf(request.headers.get("Content-Type"));
  if (!encoding) return otlpError(415, "Send application/x-protobuf or application/json.");
  const declared = Number(request.headers.get("Content-Length") ?? "");
  if (Number.isFinite(declared) && declared > OTLP_MAX_BYTES) {
    return otlpError(413, `The body is over ${formatBytes(OTLP_MAX_BYTES)}: export smaller batches.`);
  }
  let decoded: unknown;
  try {
    decoded = decodeOtlp(signal, encoding, await readOtlpBody(request, OTLP_MAX_BYTES));
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return otlpError(413, `The body is over ${formatBytes(OTLP_MAX_BYTES)}: export smaller batches.`);
    if (error instanceof OtlpRequestError) return otlpError(error.status, error.message);
    throw error;
  }
  const records = recordCount(signal, decoded);
  if (records > MAX_RECORDS)
    return otlpError(413, `${records} records is over ${MAX_RECORDS} per request: export smaller batches.`);

  try {
    const result = await ingestOtlp(db, {
      teamId: token.teamId,
      tokenId: token.tokenId,
      defaultUser: token.userEmail,
      signal,
      request: decoded,
    });
    const reasons = result.rejected.slice(0, 5).map((r) => `record ${r.record}: ${r.reason}`);
    const message = result.rejected.length
      ? `${result.rejected.length} record(s) could not be read (${reasons.join("; ")})`
      : "";
    return otlpSuccess(signal, encoding, result.rejected.length, message);
  } catch (error) {
    // The database is down or busy: the exporter keeps the batch and retries.
    console.error("[otlp] ingest failed:", error);
    return otlpError(503, "The server could not store this batch; retry later.", { "Retry-After": "10" });
  }
}
