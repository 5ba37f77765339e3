import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import { z } from "zod";
import { Id, queryText } from "~/domain/form-fields";
import { ImportResultCard } from "~/components/spend/import-result";
import { UploadForm } from "~/components/spend/upload-form";
import { FormError } from "~/components/ui/field";
import { describeCounts } from "~/domain/spend/import-result";
import { roleAtLeast } from "~/domain/roles";
import { getImportResults, listImports, undoImport, UndoError } from "~/models/spend.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { formatInstant } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export const meta: MetaFunction = () => [{ title: "Import spend · Token Poker" }];

const QuerySchema = z.object({
  done: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0)
        .slice(0, 50),
    )
    .catch([]),
  failed: queryText(300),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const query = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [results, log] = await Promise.all([
    getImportResults(db, { teamId: team.id, importIds: query.done }),
    listImports(db, { teamId: team.id, limit: 50 }),
  ]);
  return {
    canImport: roleAtLeast(role, "member"),
    results,
    failed: query.failed ?? null,
    log: log.map((l) => ({
      id: l.id,
      fileName: l.fileName,
      format: l.format,
      status: l.status,
      via: l.via,
      who:
        l.via === "seed"
          ? "demo seed"
          : l.via === "cli"
            ? "command line"
            : l.via === "api" || l.via === "otlp"
              ? `${l.via === "otlp" ? "OpenTelemetry, token" : "API token"} “${l.tokenName ?? "revoked"}”`
              : (l.userName ?? "—"),
      startedAt: l.startedAt,
      undoneAt: l.undoneAt,
      credits: l.credits,
      counts: describeCounts(l),
      rows: l.rows,
      errors: l.errors.length,
    })),
  };
}

const ActionSchema = z.discriminatedUnion("intent", [z.object({ intent: z.literal("undo"), importId: Id })]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "member");
  const form = parseForm(await request.formData(), ActionSchema);
  if (!form.ok) return invalid(form.errors);
  try {
    const undone = await undoImport(db, { teamId: team.id, importId: form.data.importId, userId: user.id });
    if (!undone) throw new Response("Import not found", { status: 404 });
    const restored = undone.restored > 0 ? `, ${undone.restored} put back as the earlier import had them` : "";
    const removed = `${undone.removed} ${undone.removed === 1 ? "entry" : "entries"} removed`;
    return data({ ok: true as const, message: `Undone: ${removed}${restored}.` });
  } catch (error) {
    if (error instanceof UndoError) return invalid({ form: error.message });
    throw error;
  }
}

const when = (date: Date | string) => formatInstant(date);

export default function ImportPage() {
  const { canImport, results, failed, log } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as
    { ok: boolean; message?: string; errors?: Record<string, string> } | undefined;
  const navigation = useNavigation();
  const { team } = useParams();
  return (
    <div className="stack">
      {failed ? <FormError message={failed} /> : null}
      {results.length ? (
        <section className="stack" aria-label="Import results">
          <h2>Results</h2>
          {results.map((r) => (
            <ImportResultCard key={r.importId} result={r} undone={r.undone} team={team ?? ""} />
          ))}
        </section>
      ) : null}

      {canImport ? (
        <section className="card stack">
          <h2>Import spend files</h2>
          <UploadForm action={`/t/${team}/spend/upload`} resultsPath={`/t/${team}/spend/import`} />
          <details>
            <summary>How imports work</summary>
            <ul>
              <li>
                A report is imported whole or not at all: one malformed row rejects it, and the errors name each bad
                line (the header is line 1). Tick “Skip invalid rows” to import the valid rows and list the rest. A
                Claude Code transcript is written while the agent runs, so its unreadable lines (a cut-off last line)
                are skipped and named in the result.
              </li>
              <li>
                Importing the same file again changes nothing. Copilot and ccusage reports grow during the day: a row
                whose values changed replaces the old one (“updated”). A Claude Code call written several times while it
                streamed counts once, at its most complete; a grown transcript updates it, and undoing that import puts
                the earlier copy back.
              </li>
              <li>
                Each result says which models were priced from the file’s own cost, which from the rate card, and which
                are left unpriced until the rate card knows them. See docs/spend-import.md for every format.
              </li>
              <li>
                The same agent work can come by several paths (Claude Code logs, ccusage, a LiteLLM gateway, an API
                hook). Entries of a session another source brought already are “overlapping” and left out — the first
                source for a session wins. Daily totals cannot be matched: use one path per tool.
              </li>
              <li>
                Undo removes the entries an import added, and the running totals it last updated — those go away whole
                (their earlier values are not kept: import the earlier report again to bring them back).
              </li>
              <li>
                From a terminal: <code>npm run spend:import -- --team &lt;slug&gt; file…</code>; from CI or an agent
                hook: the API with a token from Settings → API tokens.
              </li>
            </ul>
          </details>
        </section>
      ) : (
        <p className="muted">Observers can read the import log but not import.</p>
      )}

      <section className="card">
        <h2>Import log</h2>
        {actionData?.ok ? (
          <div className="alert alert-ok" role="status">
            {actionData.message}
          </div>
        ) : null}
        <FormError message={actionData?.errors?.form} />
        {log.length ? (
          <div className="table-wrap">
            <table className="import-log">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">File</th>
                  <th scope="col">By</th>
                  <th scope="col">Result</th>
                  <th scope="col" className="num">
                    Credits
                  </th>
                  {canImport ? <th scope="col">Undo</th> : null}
                </tr>
              </thead>
              <tbody>
                {log.map((l) => (
                  <tr key={l.id}>
                    <td>
                      <a href={`?done=${l.id}`}>{when(l.startedAt)}</a>
                    </td>
                    <th scope="row">
                      {l.fileName} {l.format ? <span className="badge">{l.format}</span> : null}
                    </th>
                    <td>{l.who}</td>
                    <td>
                      {l.status === "imported" ? (
                        l.undoneAt ? (
                          <span className="badge">Undone</span>
                        ) : (
                          <span>{l.counts}</span>
                        )
                      ) : (
                        <span className={`badge ${l.status === "running" ? "badge-info" : "badge-danger"}`}>
                          {l.status}
                        </span>
                      )}
                    </td>
                    <td className="num">{l.status === "imported" ? formatCredits(l.credits) : "—"}</td>
                    {canImport ? (
                      <td>
                        {l.status === "imported" && !l.undoneAt ? (
                          <Form method="post" preventScrollReset>
                            <input type="hidden" name="intent" value="undo" />
                            <input type="hidden" name="importId" value={l.id} />
                            <button
                              type="submit"
                              className="btn btn-ghost btn-sm"
                              disabled={navigation.state !== "idle"}
                              aria-label={`Undo import of ${l.fileName}`}
                              onClick={(e) => {
                                if (!window.confirm(`Remove the entries that the import of ${l.fileName} brought in?`))
                                  e.preventDefault();
                              }}
                            >
                              Undo
                            </button>
                          </Form>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No imports yet.</p>
        )}
      </section>
    </div>
  );
}
