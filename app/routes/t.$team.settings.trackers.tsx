import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError } from "~/components/ui/field";
import { Checkbox, Id } from "~/domain/form-fields";
import { roleAtLeast } from "~/domain/roles";
import {
  addTrackerConnection,
  listTrackerConnections,
  removeTrackerConnection,
  updateTrackerConnection,
} from "~/models/tracker-connection.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { getServices } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "Trackers · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  return { canManage: roleAtLeast(role, "manager"), connections: await listTrackerConnections(db, team.id) };
}

const PushMode = z.enum(["off", "ask", "always"]);
const HttpsRoot = z
  .string()
  .trim()
  .max(200)
  .refine(
    (v) => /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v),
    "An address like https://api.github.com or https://acme.atlassian.net",
  );

const IntentSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("add-github"),
    baseUrl: HttpsRoot.default("https://api.github.com"),
    project: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/, "The repository as owner/name, e.g. acme/pay-api"),
    token: z.string().trim().min(8, "Paste a GitHub token with access to the repository's issues").max(500),
    pushMode: PushMode.default("ask"),
    membersCanPull: Checkbox,
  }),
  z.object({
    intent: z.literal("add-jira"),
    baseUrl: HttpsRoot,
    project: z
      .string()
      .trim()
      .regex(/^[A-Z][A-Z0-9_]{0,19}$/, "The project key, e.g. PAY"),
    account: z.string().trim().email("The e-mail of the Atlassian account the token belongs to").max(200),
    token: z.string().trim().min(8, "Paste an Atlassian API token").max(500),
    pushMode: PushMode.default("ask"),
    membersCanPull: Checkbox,
  }),
  z.object({
    intent: z.literal("update"),
    connectionId: Id,
    pushMode: PushMode,
    membersCanPull: Checkbox,
  }),
  z.object({ intent: z.literal("remove"), connectionId: Id }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "manager");
  const form = parseForm(await request.formData(), IntentSchema);
  if (!form.ok) return invalid(form.errors, { ...form.values, token: "" });
  const input = form.data;
  if (input.intent === "add-github" || input.intent === "add-jira") {
    const { sessionSecret } = await getServices();
    await addTrackerConnection(db, {
      teamId: team.id,
      kind: input.intent === "add-github" ? "github" : "jira",
      baseUrl: input.baseUrl,
      project: input.project,
      account: input.intent === "add-jira" ? input.account : null,
      token: input.token,
      pushMode: input.pushMode,
      membersCanPull: input.membersCanPull,
      createdBy: user.id,
      secret: sessionSecret,
    });
    return data({ ok: true as const, message: "Connected. The token is stored sealed and is not shown again." });
  }
  const done =
    input.intent === "update"
      ? await updateTrackerConnection(db, { teamId: team.id, ...input })
      : await removeTrackerConnection(db, { teamId: team.id, connectionId: input.connectionId });
  if (!done) return invalid({ form: "That connection is gone, or not this team's." });
  return data({ ok: true as const, message: input.intent === "update" ? "Saved." : "Removed; its token is deleted." });
}

const PUSH_LABELS = {
  off: "Never",
  ask: "Ask each time (on the story)",
  always: "Always, on finalize",
};

function PushModeSelect({ id, value }: { id: string; value: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>Write estimates back</label>
      <select id={id} name="pushMode" defaultValue={value}>
        {Object.entries(PUSH_LABELS).map(([mode, label]) => (
          <option key={mode} value={mode}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

export default function TrackerSettings() {
  const { canManage, connections } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as
    | { ok: true; message: string }
    | { ok: false; errors: Record<string, string>; values: Record<string, string> }
    | undefined;
  const busy = useNavigation().state !== "idle";
  const errors = result && !result.ok ? result.errors : {};
  const values = result && !result.ok ? result.values : {};
  // Each add form shows only its own errors and values.
  const gh =
    values.intent === "add-github" ? { errors, values } : { errors: {} as typeof errors, values: {} as typeof values };
  const jira =
    values.intent === "add-jira" ? { errors, values } : { errors: {} as typeof errors, values: {} as typeof values };
  return (
    <div className="stack">
      <p className="muted">
        Pull stories from GitHub Issues or Jira Cloud into the backlog (<strong>Backlog → Import from a tracker</strong>
        ), and write finalized estimates back as a label (<code>ai-size:M</code>) and one comment with the levels and
        the credit range, replaced on re-estimate. Tokens are stored sealed with the server's secret and never shown
        again.
      </p>
      <FormError message={errors.form} />
      {result?.ok ? (
        <p className="alert alert-ok" role="status">
          {result.message}
        </p>
      ) : null}
      <section className="card stack" aria-labelledby="tracker-connections">
        <h2 id="tracker-connections">Connections</h2>
        {connections.length ? (
          <ul className="plain-list">
            {connections.map((c) => (
              <li key={c.id} className="stack">
                <p>
                  <strong>{c.kind === "github" ? "GitHub" : "Jira"}</strong> <code>{c.project}</code>{" "}
                  <span className="muted">
                    at {c.baseUrl}
                    {c.account ? ` as ${c.account}` : ""}
                  </span>
                </p>
                {canManage ? (
                  <div className="toolbar">
                    <Form method="post" className="toolbar">
                      <input type="hidden" name="intent" value="update" />
                      <input type="hidden" name="connectionId" value={c.id} />
                      <PushModeSelect id={`push-${c.id}`} value={c.pushMode} />
                      <label className="checkbox">
                        <input type="checkbox" name="membersCanPull" defaultChecked={c.membersCanPull} /> Members may
                        pull
                      </label>
                      <button type="submit" className="btn" disabled={busy}>
                        Save
                      </button>
                    </Form>
                    <Form method="post">
                      <input type="hidden" name="intent" value="remove" />
                      <input type="hidden" name="connectionId" value={c.id} />
                      <button
                        type="submit"
                        className="btn btn-danger"
                        disabled={busy}
                        aria-label={`Remove ${c.project}`}
                      >
                        Remove
                      </button>
                    </Form>
                  </div>
                ) : (
                  <p className="muted">Estimates go back: {PUSH_LABELS[c.pushMode].toLowerCase()}.</p>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No tracker is connected yet.</p>
        )}
      </section>
      {canManage ? (
        <div className="add-stories">
          <section className="card stack" aria-labelledby="add-github">
            <h2 id="add-github">Connect GitHub Issues</h2>
            <Form method="post" className="stack" autoComplete="off">
              <input type="hidden" name="intent" value="add-github" />
              <Field
                id="github-project"
                label="Repository"
                name="project"
                required
                placeholder="acme/pay-api"
                defaultValue={gh.values.project}
                error={gh.errors.project}
              />
              <Field
                id="github-root"
                label="API root"
                name="baseUrl"
                defaultValue={gh.values.baseUrl ?? "https://api.github.com"}
                error={gh.errors.baseUrl}
              />
              <Field
                id="github-token"
                label="Token"
                name="token"
                type="password"
                required
                hint="A fine-grained token with Issues: read and write."
                error={gh.errors.token}
              />
              <PushModeSelect id="github-push" value="ask" />
              <label className="checkbox">
                <input type="checkbox" name="membersCanPull" defaultChecked /> Members may pull stories
              </label>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Connect GitHub
              </button>
            </Form>
          </section>
          <section className="card stack" aria-labelledby="add-jira">
            <h2 id="add-jira">Connect Jira Cloud</h2>
            <Form method="post" className="stack" autoComplete="off">
              <input type="hidden" name="intent" value="add-jira" />
              <Field
                id="jira-site-url"
                label="Site"
                name="baseUrl"
                required
                placeholder="https://acme.atlassian.net"
                defaultValue={jira.values.baseUrl}
                error={jira.errors.baseUrl}
              />
              <Field
                id="jira-project"
                label="Project key"
                name="project"
                required
                placeholder="PAY"
                defaultValue={jira.values.project}
                error={jira.errors.project}
              />
              <Field
                id="jira-account"
                label="Account e-mail"
                name="account"
                type="email"
                required
                defaultValue={jira.values.account}
                error={jira.errors.account}
              />
              <Field
                id="jira-token"
                label="API token"
                name="token"
                type="password"
                required
                error={jira.errors.token}
              />
              <PushModeSelect id="jira-push" value="ask" />
              <label className="checkbox">
                <input type="checkbox" name="membersCanPull" defaultChecked /> Members may pull stories
              </label>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Connect Jira
              </button>
            </Form>
          </section>
        </div>
      ) : null}
    </div>
  );
}
