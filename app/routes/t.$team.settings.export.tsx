// Settings → Export: download the team as one JSON document (export.json), and import such a
// document into this team while it is new. The import is a plain multipart form, so it works
// without JavaScript; the whole file is read (up to IMPORT_MAX_BYTES), checked, then written in one
// transaction by importTeam — a refused file leaves nothing behind.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Checkbox } from "~/domain/form-fields";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { roleAtLeast } from "~/domain/roles";
import { readTeamExport } from "~/domain/team-export";
import {
  CONTENT_LABELS,
  countTeamContent,
  importTeam,
  isEmptyTeam,
  TeamImportError,
  type TeamImportSummary,
} from "~/models/team-export.server";
import { requireTeamRole } from "~/server/auth.server";
import { BodyTooLargeError, formatBytes, isMultipart, streamMultipart } from "~/utils/upload.server";

export const meta: MetaFunction = () => [{ title: "Export and import · Token Poker" }];

/** The document is parsed whole (it must be, to check its references), so it has a ceiling. */
export const IMPORT_MAX_BYTES = 100 * 1024 * 1024;
/**
 * A file over the ceiling is still read to its end (and dropped) up to this much more, so the
 * browser gets the 413 page: cutting the upload short resets the connection, and the browser shows
 * that instead of the answer. Past it the connection is cut after all.
 */
const READ_PAST_LIMIT_BYTES = 64 * 1024 * 1024;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const canManage = roleAtLeast(role, "manager");
  if (!canManage) return { canManage, slug: team.slug, contents: [] as string[], empty: false };
  const counts = await countTeamContent(db, team.id);
  const contents = (Object.entries(counts) as [keyof typeof counts, number][])
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n.toLocaleString("en")} ${CONTENT_LABELS[what][n === 1 ? 0 : 1]}`);
  return { canManage, slug: team.slug, contents, empty: isEmptyTeam(counts) };
}

type ActionResult =
  | { ok: true; summary: TeamImportSummary }
  | { ok: false; message: string; details: string[]; askAboutPeople?: boolean };

const fail = (status: number, message: string, details: string[] = [], extra: { askAboutPeople?: boolean } = {}) =>
  data<ActionResult>(
    { ok: false, message, details, ...extra },
    { status, headers: status === 413 ? { Connection: "close" } : undefined },
  );

/**
 * The form's one text field is tiny, but a stray long one must not cut the connection either (as
 * the upload helper's 64 KB field limit would). When the body's length is declared, and so bounded,
 * fields may be as long as the body; a body of unknown length keeps the helper's limit.
 */
function fieldLimit(request: Request): number | undefined {
  const declared = Number(request.headers.get("Content-Length") ?? Number.NaN);
  return Number.isSafeInteger(declared) && declared <= IMPORT_MAX_BYTES + READ_PAST_LIMIT_BYTES
    ? Math.max(declared, 1)
    : undefined;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "manager");
  if (!isMultipart(request)) return fail(415, "Send the export file with the form on this page (a multipart upload).");
  const tooLarge = () =>
    fail(413, `The file is larger than ${formatBytes(IMPORT_MAX_BYTES)}, the most an import takes.`);
  let files: (Buffer | null)[];
  let fields: URLSearchParams;
  try {
    ({ results: files, fields } = await streamMultipart(
      request,
      async (file) => {
        let chunks: Uint8Array[] = [];
        let size = 0;
        for await (const chunk of file.data) {
          size += chunk.byteLength;
          if (size <= IMPORT_MAX_BYTES) chunks.push(chunk);
          else chunks = [];
        }
        return size <= IMPORT_MAX_BYTES ? Buffer.concat(chunks) : null;
      },
      { maxFileBytes: IMPORT_MAX_BYTES + READ_PAST_LIMIT_BYTES, maxFieldBytes: fieldLimit(request) },
    ));
  } catch (error) {
    if (error instanceof BodyTooLargeError) return tooLarge();
    if (error instanceof TypeError) return fail(400, "The upload was not a readable form.");
    throw error;
  }
  if (files.some((f) => f === null)) return tooLarge();
  if (files.length !== 1)
    return fail(422, files.length ? "Choose one export file." : "Choose the export file to import.");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(files[0]!);
  } catch {
    return fail(422, "The file is not text (UTF-8): choose the .json file an export downloaded.");
  }
  // Said first, before the file's own problems: no file can be imported into this team.
  if (!isEmptyTeam(await countTeamContent(db, team.id))) {
    return fail(
      409,
      "This team is not new: an export can only be imported into a team with no stories, sprints, poker sessions or spend yet.",
    );
  }
  const parsed = readTeamExport(text);
  if (!parsed.ok) return fail(422, "That file cannot be imported; nothing was changed.", parsed.errors);
  try {
    const summary = await importTeam(db, {
      teamId: team.id,
      doc: parsed.doc,
      actingUserId: user.id,
      allowUnknownPeople: Checkbox.parse(fields.get("allowUnknownPeople") ?? undefined),
    });
    return data<ActionResult>({ ok: true, summary });
  } catch (error) {
    if (error instanceof TeamImportError) {
      return fail(error.status, error.message, error.details, {
        askAboutPeople: error.status === 409 && error.details.some((d) => d.includes("@")),
      });
    }
    throw error;
  }
}

export default function ExportSettings() {
  const { canManage, slug, contents, empty } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state === "submitting";
  if (!canManage) {
    return (
      <div className="stack">
        <p className="muted">Managers download the team's data as one file and import such a file into a new team.</p>
      </div>
    );
  }
  return (
    <div className="stack">
      {result?.ok ? <ImportDone slug={slug} summary={result.summary} /> : null}

      <section className="card stack" aria-labelledby="export-heading">
        <h2 id="export-heading">Export</h2>
        <p>
          One JSON file with the team's stories, estimates and sizing scheme versions, poker sessions, sprints
          (settings, commitments, allocations, approvals, closing snapshots), spend with its imports and attributions,
          identities, outcome notes and rate card. People are named by e-mail. Passwords, sessions, API tokens, invites,
          guest links and the webhook address are not in it.
        </p>
        {contents.length ? <p className="muted">This team has {contents.join(", ")}.</p> : null}
        <p>
          <a className="btn btn-primary" href={`/t/${slug}/settings/export.json`} download>
            Download the export
          </a>
        </p>
      </section>

      <section className="card stack" aria-labelledby="import-heading">
        <h2 id="import-heading">Import</h2>
        {empty ? (
          <>
            <p>
              Bring a team's export into this team. The export's time zone, story-key pattern, credit value, sizing
              scheme and rate card replace this team's; its name and address stay. People are matched by e-mail to this
              team's members: invite them first.
            </p>
            {result && !result.ok ? (
              <div className="alert alert-error" role="alert">
                <p>{result.message}</p>
                {result.details.length ? (
                  <ul>
                    {result.details.map((d, i) => (
                      <li key={i}>{d}</li>
                    ))}
                  </ul>
                ) : null}
              </div>
            ) : null}
            <Form method="post" encType="multipart/form-data" className="stack">
              <div className="field">
                <label htmlFor="export-file">Export file (.json)</label>
                <input
                  id="export-file"
                  type="file"
                  name="file"
                  accept=".json,application/json"
                  required
                  aria-describedby="export-file-hint"
                />
                <p id="export-file-hint" className="field-hint">
                  Up to {IMPORT_MAX_BYTES / (1024 * 1024)} MB. Nothing is written unless the whole file goes in.
                </p>
              </div>
              <label className="field-check">
                <input
                  type="checkbox"
                  name="allowUnknownPeople"
                  value="on"
                  defaultChecked={!!(result && !result.ok && result.askAboutPeople)}
                />{" "}
                Import even if some people are not members of this team — their estimates, votes and spend then name
                nobody, and their sprint allocations and identity mappings are left out
              </label>
              <div className="row">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  {busy ? "Importing…" : "Import"}
                </button>
              </div>
            </Form>
          </>
        ) : result?.ok ? null : (
          <p className="muted">
            Only a new team takes an import (one with no stories, sprints, poker sessions or spend yet).{" "}
            <Link to="/teams/new">Create a team</Link>, then import there.
          </p>
        )}
      </section>
    </div>
  );
}

function ImportDone({ slug, summary }: { slug: string; summary: TeamImportSummary }) {
  const n = (count: number, one: string, many: string) => `${count.toLocaleString("en")} ${count === 1 ? one : many}`;
  return (
    <div className="alert alert-ok stack" role="status">
      <p>
        Imported {n(summary.stories, "story", "stories")}, {n(summary.estimates, "estimate", "estimates")},{" "}
        {n(summary.pokerSessions, "poker session", "poker sessions")}, {n(summary.sprints, "sprint", "sprints")} and{" "}
        {n(summary.spendEntries, "spend entry", "spend entries")}.{" "}
        <Link to={`/t/${slug}/backlog`}>Open the backlog</Link>.
      </p>
      {summary.unknownPeople.length ? (
        <p>Not members of this team, so their records name nobody: {summary.unknownPeople.join(", ")}.</p>
      ) : null}
      {summary.leftOut.length ? (
        <>
          <p>Left out for that reason:</p>
          <ul>
            {summary.leftOut.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
