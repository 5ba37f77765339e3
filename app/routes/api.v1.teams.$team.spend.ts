// POST /api/v1/teams/:team/spend — spend pushed by CI steps and agent hooks, with a team API token
// (Settings → API tokens). The body is a JSON array of entries (schema: app/domain/spend/api-entries.ts,
// documented in docs-spend-api.md) or a raw spend file with ?format= (or detected). Same semantics as
// the import page: atomic unless ?skipInvalid=1, idempotent, overlap-aware; the answer is the
// import's summary. Errors are JSON: 401 (no or bad token), 403 (another team's token), 413 (over a
// limit), 422 (bad body or a rejected file).
import type { ActionFunctionArgs } from "@remix-run/node";
import { readImportOptions } from "~/domain/spend/import-options";
import type { ImportResult } from "~/domain/spend/import-result";
import { authenticateApiToken } from "~/models/api-token.server";
import { importSpendFile, importSpendJson, SpendLimitError } from "~/models/spend.server";
import { getServices } from "~/utils/database-and-secrets.server";
import { BodyTooLargeError, bodyChunks, formatBytes, limitBytes } from "~/utils/upload.server";

export const API_MAX_BYTES = 20 * 1024 * 1024;
export const API_MAX_ROWS = 200_000;

function apiError(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers?: HeadersInit,
) {
  // The rest of an oversized body is read and dropped by the server entry after this answer
  // (scripts/server.ts), so the client, still sending, gets the 413 rather than a broken pipe.
  const all = new Headers(headers);
  return Response.json({ error: { code, message }, ...extra }, { status, headers: all });
}

export function loader() {
  return apiError(405, "method_not_allowed", "POST spend entries to this URL.", {}, { Allow: "POST" });
}

function summary(result: ImportResult) {
  return {
    status: result.status,
    importId: result.importId,
    file: result.file,
    format: result.format,
    rows: result.rows,
    imported: result.imported,
    updated: result.updated,
    duplicates: result.duplicates,
    overlapping: result.overlapping,
    rejected: result.rejected,
    unattributed: result.unattributed,
    unpriced: result.unpriced,
    credits: result.credits,
    byStoryKey: result.byStoryKey,
    skipped: result.skipped,
    pricedFromFile: result.pricedFromFile,
    pricedFromRateCard: result.pricedFromRateCard,
    unpricedModels: result.unpricedModels,
    errors: result.errors,
    warnings: result.warnings,
  };
}

async function readText(source: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return apiError(405, "method_not_allowed", "Use POST.", {}, { Allow: "POST" });
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("Authorization") ?? "");
  const challenge = { "WWW-Authenticate": 'Bearer realm="token-poker"' };
  if (!match) {
    return apiError(
      401,
      "missing_token",
      "Send 'Authorization: Bearer <team API token>'; managers create tokens in Settings → API tokens.",
      {},
      challenge,
    );
  }
  const { db } = await getServices();
  const token = await authenticateApiToken(db, match[1]!);
  if (!token) return apiError(401, "invalid_token", "This token is unknown or was revoked.", {}, challenge);
  if (token.slug !== params.team) return apiError(403, "wrong_team", "This token belongs to another team.");

  const declared = Number(request.headers.get("Content-Length") ?? "");
  if (Number.isFinite(declared) && declared > API_MAX_BYTES) {
    return apiError(413, "too_large", `The body is over ${formatBytes(API_MAX_BYTES)}: send it in parts.`);
  }
  const url = new URL(request.url);
  const parsed = readImportOptions(url.searchParams);
  if (!parsed.ok) return apiError(422, "bad_options", parsed.error);
  const { options } = parsed;
  const fileName = (url.searchParams.get("name") ?? "").trim().slice(0, 200) || "API";
  const target = {
    teamId: token.teamId,
    fileName,
    via: "api" as const,
    tokenId: token.tokenId,
    skipInvalid: options.skipInvalid,
    maxRows: API_MAX_ROWS,
  };
  const body = limitBytes(bodyChunks(request), API_MAX_BYTES);
  const isJson = (request.headers.get("Content-Type") ?? "").toLowerCase().includes("json");

  let result: ImportResult;
  try {
    if (isJson && !options.format) {
      let items: unknown;
      try {
        items = JSON.parse(await readText(body));
      } catch (error) {
        if (error instanceof BodyTooLargeError) throw error;
        return apiError(422, "invalid_json", `The body is not valid JSON: ${(error as Error).message}`);
      }
      if (!Array.isArray(items)) {
        return apiError(
          422,
          "not_an_array",
          "Send a JSON array of entries, or a spend file with ?format= (e.g. ?format=ccusage for a ccusage report).",
        );
      }
      result = await importSpendJson(db, items, target);
    } else {
      result = await importSpendFile(db, body, { ...target, format: options.format, mapping: options.mapping });
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return apiError(413, "too_large", `The body is over ${formatBytes(API_MAX_BYTES)}: send it in parts.`);
    if (error instanceof SpendLimitError)
      return apiError(413, "too_many_rows", `${error.message}: send at most ${API_MAX_ROWS} entries per request.`);
    throw error;
  }
  if (result.status === "rejected") {
    return apiError(
      422,
      "rejected",
      "Nothing was imported: fix the listed lines, or send ?skipInvalid=1 to import the valid ones.",
      summary(result),
    );
  }
  return Response.json(summary(result));
}
