import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { FormError } from "~/components/ui/field";
import { TrackerPreview } from "~/components/backlog/tracker-preview";
import { Id } from "~/domain/form-fields";
import { roleAtLeast } from "~/domain/roles";
import { previewRows, type ImportPlan, type PreviewRow } from "~/domain/trackers/import-plan";
import {
  checkTrackerItems,
  parseTrackerFile,
  TRACKER_FORMAT_LABELS,
  type TrackerFormat,
} from "~/domain/trackers/tracker-file";
import { listTrackerConnections, openTrackerApi } from "~/models/tracker-connection.server";
import { importTrackerItems, previewTrackerImport } from "~/models/tracker-import.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { getServices } from "~/utils/database-and-secrets.server";
import { TrackerApiError } from "~/utils/tracker-api.server";

export const meta: MetaFunction = () => [{ title: "Import from a tracker · Token Poker" }];

// Forms are capped at 1 MB before parsing; a larger export is better split by the tracker's filter.
const MAX_FILE_CHARS = 1_000_000;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const isManager = roleAtLeast(role, "manager");
  const connections = (await listTrackerConnections(db, team.id))
    .filter((c) => isManager || c.membersCanPull)
    .map((c) => ({ id: c.id, kind: c.kind, project: c.project }));
  return { backlog: `/t/${team.slug}/backlog`, canEdit: roleAtLeast(role, "member"), connections };
}

type PullFilter = { connectionId: string; label: string; milestone: string; jql: string };
type Preview = {
  step: "preview";
  /** Set when the items came from a tracker's API: the import pulls again with the same filter. */
  pull: PullFilter | null;
  format: TrackerFormat;
  formatLabel: string;
  plan: Pick<ImportPlan, "counts"> & { rows: PreviewRow[] };
  text: string;
  jiraSite: string;
};
type Failure = { step: "failed"; error: string; lines: string[]; jiraSite: string };

const SiteSchema = z
  .string()
  .trim()
  .max(200)
  .refine((v) => !v || /^https:\/\/[^\s/]+\/?$/.test(v), "A site looks like https://your-company.atlassian.net")
  .optional();

const Filter = z.string().trim().max(500).optional().default("");
const PullSchema = z.object({
  connectionId: Id,
  label: Filter,
  milestone: Filter,
  jql: z.string().trim().max(2_000).optional().default(""),
});

const IntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("preview"), text: z.string().max(MAX_FILE_CHARS).optional(), jiraSite: SiteSchema }),
  z.object({ intent: z.literal("import"), text: z.string().min(1).max(MAX_FILE_CHARS), jiraSite: SiteSchema }),
  PullSchema.extend({ intent: z.literal("pull-preview") }),
  PullSchema.extend({ intent: z.literal("pull-import") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "member");
  const formData = await request.formData();
  const form = parseForm(formData, IntentSchema);
  const jiraSite = String(formData.get("jiraSite") ?? "");
  const fail = (error: string, lines: string[] = []) =>
    data<Failure>({ step: "failed", error, lines, jiraSite }, { status: 400 });
  if (!form.ok) return fail(Object.values(form.errors)[0] ?? "Choose a file");

  if (form.data.intent === "pull-preview" || form.data.intent === "pull-import") {
    const { intent, ...filter } = form.data;
    const { sessionSecret } = await getServices();
    const opened = await openTrackerApi(db, {
      teamId: team.id,
      connectionId: filter.connectionId,
      secret: sessionSecret,
    });
    if (!opened || (!opened.connection.membersCanPull && !roleAtLeast(role, "manager"))) {
      return fail("That tracker connection is gone, not this team's, or open to managers only.");
    }
    let items;
    try {
      items = await opened.api.pull({ label: filter.label, milestone: filter.milestone, jql: filter.jql });
    } catch (error) {
      if (error instanceof TrackerApiError) return fail(`Nothing was imported: ${error.message}.`);
      throw error;
    }
    const parsedItems = checkTrackerItems(opened.connection.kind === "github" ? "github-json" : "jira-csv", items, {
      keyPattern: team.keyPattern,
    });
    if (!parsedItems.ok)
      return fail(
        "Nothing was imported. Fix these and try again:",
        parsedItems.errors.map((e) => e.message),
      );
    if (intent === "pull-import") {
      const plan = await importTrackerItems(db, { teamId: team.id, items: parsedItems.items });
      return redirect(`/t/${team.slug}/backlog?added=${plan.counts.create}&updated=${plan.counts.update}`);
    }
    const plan = await previewTrackerImport(db, { teamId: team.id, items: parsedItems.items });
    return data<Preview>({
      step: "preview",
      pull: {
        connectionId: String(filter.connectionId),
        label: filter.label,
        milestone: filter.milestone,
        jql: filter.jql,
      },
      format: parsedItems.format,
      formatLabel: `${opened.connection.kind === "github" ? "GitHub" : "Jira"} ${opened.connection.project}`,
      plan: { counts: plan.counts, rows: previewRows(plan) },
      text: "",
      jiraSite,
    });
  }

  let text = form.data.text ?? "";
  const file = formData.get("file");
  if (form.data.intent === "preview" && file && typeof file !== "string" && file.size > 0) {
    if (file.size > MAX_FILE_CHARS)
      return fail("The file is over 1 MB: export fewer items (a filter, a milestone) and import in parts.");
    text = await file.text();
  }
  if (!text.trim()) return fail("Choose an exported file, or paste its text.");

  const parsed = parseTrackerFile(text, { keyPattern: team.keyPattern, jiraSite: form.data.jiraSite || null });
  if (!parsed.ok) {
    return fail(
      "Nothing was imported. Fix these and try again:",
      parsed.errors.map((e) => (e.line === null ? e.message : `line ${e.line}: ${e.message}`)),
    );
  }
  if (form.data.intent === "import") {
    const plan = await importTrackerItems(db, { teamId: team.id, items: parsed.items });
    const { create, update } = plan.counts;
    return redirect(`/t/${team.slug}/backlog?added=${create}&updated=${update}`);
  }
  const plan = await previewTrackerImport(db, { teamId: team.id, items: parsed.items });
  return data<Preview>({
    step: "preview",
    pull: null,
    format: parsed.format,
    formatLabel: TRACKER_FORMAT_LABELS[parsed.format],
    plan: { counts: plan.counts, rows: previewRows(plan) },
    text,
    jiraSite,
  });
}

export default function TrackerImportPage() {
  const { backlog, canEdit, connections } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Preview | Failure | undefined;
  const busy = useNavigation().state === "submitting";
  const preview = result?.step === "preview" ? result : undefined;
  const failure = result?.step === "failed" ? result : undefined;

  return (
    <>
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to={backlog}>Backlog</Link> /
          </p>
          <h1>Import from a tracker</h1>
        </div>
      </div>
      {!canEdit ? (
        <p className="alert">Observers can read the backlog but not add to it.</p>
      ) : (
        <div className="stack">
          <section className="card stack" aria-labelledby="tracker-file">
            <h2 id="tracker-file">1. Choose an export</h2>
            <p className="muted tracker-intro">
              A Jira CSV export (all fields or current fields), a Linear CSV export, an Azure Boards query exported to
              CSV, or GitHub issues from <code>gh issue list --json number,title,body,labels,url,milestone,state</code>.
              The format is recognised from its header. Items are matched to stories by key, else by link: importing
              again updates them and never adds a story twice; items the tracker closed are marked closed, never
              deleted.
            </p>
            <Form method="post" encType="multipart/form-data" className="stack">
              <input type="hidden" name="intent" value="preview" />
              <FormError message={failure?.error} />
              {failure?.lines.length ? (
                <ul className="import-errors">
                  {failure.lines.map((l) => (
                    <li key={l}>{l}</li>
                  ))}
                </ul>
              ) : null}
              <div className="field">
                <label htmlFor="tracker-upload">Exported file</label>
                <input id="tracker-upload" name="file" type="file" accept=".csv,.json,text/csv,application/json" />
              </div>
              <div className="field">
                <label htmlFor="jira-site">Jira site (optional)</label>
                <input
                  id="jira-site"
                  name="jiraSite"
                  type="url"
                  placeholder="https://your-company.atlassian.net"
                  defaultValue={preview?.jiraSite ?? failure?.jiraSite ?? ""}
                  aria-describedby="jira-site-hint"
                />
                <p id="jira-site-hint" className="field-hint">
                  Jira's CSV carries no links; with the site, each story links to <code>…/browse/KEY</code>.
                </p>
              </div>
              <div className="row">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  Preview
                </button>
              </div>
            </Form>
          </section>
          {connections.length ? (
            <section className="card stack" aria-labelledby="tracker-pull">
              <h2 id="tracker-pull">… or pull from a connected tracker</h2>
              <Form method="post" className="stack">
                <input type="hidden" name="intent" value="pull-preview" />
                <div className="field">
                  <label htmlFor="pull-connection">Tracker</label>
                  <select id="pull-connection" name="connectionId">
                    {connections.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.kind === "github" ? "GitHub" : "Jira"} {c.project}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="pull-label">GitHub: label (optional)</label>
                  <input id="pull-label" name="label" maxLength={500} />
                </div>
                <div className="field">
                  <label htmlFor="pull-milestone">GitHub: milestone number (optional)</label>
                  <input id="pull-milestone" name="milestone" maxLength={20} inputMode="numeric" />
                </div>
                <div className="field">
                  <label htmlFor="pull-jql">Jira: JQL (optional; the whole project otherwise)</label>
                  <input
                    id="pull-jql"
                    name="jql"
                    maxLength={2000}
                    placeholder="project = PAY AND sprint in openSprints()"
                  />
                </div>
                <div className="row">
                  <button type="submit" className="btn btn-primary" disabled={busy}>
                    See what would come in
                  </button>
                </div>
              </Form>
            </section>
          ) : null}
          {preview ? (
            <section className="card stack" aria-labelledby="tracker-preview">
              <h2 id="tracker-preview">2. Check and import</h2>
              <TrackerPreview formatLabel={preview.formatLabel} counts={preview.plan.counts} rows={preview.plan.rows} />
              <Form method="post" className="row">
                {preview.pull ? (
                  <>
                    <input type="hidden" name="intent" value="pull-import" />
                    {Object.entries(preview.pull).map(([name, value]) => (
                      <input key={name} type="hidden" name={name} value={value} />
                    ))}
                  </>
                ) : (
                  <>
                    <input type="hidden" name="intent" value="import" />
                    <input type="hidden" name="jiraSite" value={preview.jiraSite} />
                    {/* Controlled, so a second preview on the same page replaces the text the import will send. */}
                    <textarea name="text" value={preview.text} hidden readOnly aria-hidden="true" tabIndex={-1} />
                  </>
                )}
                <button
                  type="submit"
                  className="btn btn-primary"
                  disabled={busy || preview.plan.counts.create + preview.plan.counts.update === 0}
                >
                  {preview.plan.counts.create + preview.plan.counts.update === 0
                    ? "Nothing to change"
                    : `Import ${preview.plan.counts.create} new, update ${preview.plan.counts.update}`}
                </button>
                <Link to={backlog} className="btn">
                  Cancel
                </Link>
              </Form>
            </section>
          ) : null}
        </div>
      )}
    </>
  );
}
