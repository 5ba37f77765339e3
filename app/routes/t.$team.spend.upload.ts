// Where the import page's files go: a multipart body streamed file by file into the importer. The
// page's script posts here with XHR (for the upload progress bar) and asks for JSON; without
// JavaScript the plain form posts here too and is sent back to the import page with the results.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { readImportOptions } from "~/domain/spend/import-options";
import type { ImportResult } from "~/domain/spend/import-result";
import { importSpendFile, SpendLimitError } from "~/models/spend.server";
import { requireTeamRole } from "~/server/auth.server";
import { BodyTooLargeError, formatBytes, isMultipart, streamMultipart } from "~/utils/upload.server";

/** Streaming keeps memory flat, so the page takes far larger files than the API's 20 MB. */
export const UPLOAD_MAX_BYTES = 500 * 1024 * 1024;
export const UPLOAD_MAX_ROWS = 2_000_000;

class OptionsError extends Error {}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "member");
  const wantsJson = (request.headers.get("Accept") ?? "").includes("application/json");
  const page = `/t/${team.slug}/spend/import`;
  const fail = (status: number, message: string) =>
    wantsJson
      ? Response.json({ error: { message } }, { status, headers: status === 413 ? { Connection: "close" } : undefined })
      : redirect(`${page}?failed=${encodeURIComponent(message.slice(0, 300))}`);

  if (!isMultipart(request)) return fail(415, "Send the files as a multipart form (the import page does this).");
  let results: ImportResult[];
  try {
    ({ results } = await streamMultipart(
      request,
      async (file, fields) => {
        const parsed = readImportOptions(fields);
        if (!parsed.ok) throw new OptionsError(parsed.error);
        return importSpendFile(db, file.data, {
          teamId: team.id,
          fileName: file.filename,
          via: "upload",
          userId: user.id,
          ...parsed.options,
          maxRows: UPLOAD_MAX_ROWS,
        });
      },
      { maxFileBytes: UPLOAD_MAX_BYTES },
    ));
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return fail(413, `A file is larger than ${formatBytes(UPLOAD_MAX_BYTES)}: split it.`);
    if (error instanceof SpendLimitError) return fail(413, `A file has ${error.message}: split it.`);
    if (error instanceof OptionsError) return fail(422, error.message);
    if (error instanceof TypeError) return fail(400, "The upload was not a readable form.");
    throw error;
  }
  if (results.length === 0) return fail(422, "Choose at least one file.");
  if (wantsJson) return Response.json({ results });
  return redirect(`${page}?done=${results.map((r) => r.importId).join(",")}`);
}
