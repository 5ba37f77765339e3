import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { AgentSetupSnippets } from "~/components/agents/agent-setup";
import { Id, LineText } from "~/domain/form-fields";
import { Field, FormError } from "~/components/ui/field";
import { agentSetup } from "~/domain/agent-setup";
import { roleAtLeast } from "~/domain/roles";
import { ApiTokenError, createApiToken, listApiTokens, revokeApiToken } from "~/models/api-token.server";
import { getGuardFailClosed, setGuardFailClosed } from "~/models/budget.server";
import { listMembers } from "~/models/team.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { formatDay } from "~/domain/dates";

export const meta: MetaFunction = () => [{ title: "API tokens · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const canManage = roleAtLeast(role, "manager");
  const origin = new URL(request.url).origin;
  return {
    canManage,
    endpoint: `${origin}/api/v1/teams/${team.slug}/spend`,
    tokens: canManage ? await listApiTokens(db, team.id) : [],
    members: canManage ? (await listMembers(db, team.id)).map((m) => ({ id: m.userId, name: m.name })) : [],
    failClosed: await getGuardFailClosed(db, team.id),
    setup: agentSetup({ origin, team: team.slug, storyKey: null }),
  };
}

const TokenIntentSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("create"),
    name: LineText.min(1, "Name the token after where it will live, e.g. “CI” or “Dana's Claude hook”.").max(
      100,
      "Keep it under 100 characters.",
    ),
    scope: z.enum(["team", "ingest"]).catch("team"),
    userId: z.preprocess((v) => (v === "" ? undefined : v), Id.optional()),
  }),
  z.object({ intent: z.literal("revoke"), tokenId: Id }),
  z.object({ intent: z.literal("guard"), failClosed: z.literal("on").optional() }),
]);

type ActionResult =
  | { ok: true; created?: { name: string; token: string }; message?: string }
  | { ok: false; errors: Record<string, string>; values: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "manager");
  const form = parseForm(await request.formData(), TokenIntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  if (input.intent === "create") {
    let created;
    try {
      created = await createApiToken(db, {
        teamId: team.id,
        name: input.name,
        createdBy: user.id,
        scope: input.scope,
        userId: input.scope === "ingest" ? input.userId : null,
      });
    } catch (error) {
      if (error instanceof ApiTokenError) return invalid({ userId: error.message }, { name: input.name });
      throw error;
    }
    return data<ActionResult>({ ok: true, created: { name: created.name, token: created.token } });
  }
  if (input.intent === "guard") {
    await setGuardFailClosed(db, { teamId: team.id, failClosed: input.failClosed === "on" });
    return data<ActionResult>({
      ok: true,
      message:
        input.failClosed === "on"
          ? "The guard now stops agents it cannot decide for."
          : "The guard now lets agents continue when it cannot decide.",
    });
  }
  const revoked = await revokeApiToken(db, { teamId: team.id, tokenId: input.tokenId, revokedBy: user.id });
  if (!revoked) return invalid({ form: "That token is already revoked, or not this team's." });
  return data<ActionResult>({ ok: true, message: "Revoked: requests with that token now get 401." });
}

const day = (value: Date | string | null) => formatDay(value);

export default function TokensSettings() {
  const { canManage, endpoint, tokens, members, failClosed, setup } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state !== "idle";
  const errors = result && !result.ok ? result.errors : {};
  const values = result && !result.ok ? result.values : {};
  return (
    <div className="stack">
      <p className="muted">
        CI steps and agent hooks push spend to <code>{endpoint}</code> with a team token (
        <code>Authorization: Bearer …</code>). Only a hash of each token is stored: it is shown once, when it is
        created.
      </p>
      {!canManage ? <p className="muted">Managers create and revoke the team's API tokens.</p> : null}
      <FormError message={errors.form} />
      {result?.ok && result.created ? (
        <div className="alert alert-ok" role="status">
          <p>
            <strong>Token “{result.created.name}”</strong> — copy it now; it is not shown again.
          </p>
          <input
            className="copy-box"
            readOnly
            value={result.created.token}
            aria-label="New API token"
            onFocus={(e) => e.currentTarget.select()}
          />
          <p>Try it:</p>
          <pre className="copy-box">{`curl -sS -X POST '${endpoint}' \\
  -H 'Authorization: Bearer ${result.created.token}' \\
  -H 'Content-Type: application/json' \\
  -d '[{"id":"try-1","occurred_at":"${new Date().toISOString().slice(0, 10)}","credits":1,"story":"PAY-1"}]'`}</pre>
        </div>
      ) : null}
      {result?.ok && result.message ? (
        <div className="alert alert-ok" role="status">
          {result.message}
        </div>
      ) : null}

      {canManage ? (
        <section className="card stack">
          <h2>New token</h2>
          <Form method="post" className="toolbar">
            <input type="hidden" name="intent" value="create" />
            <Field
              label="Name"
              name="name"
              required
              maxLength={100}
              placeholder="CI"
              defaultValue={values.name}
              error={errors.name}
            />
            <div className="field">
              <label htmlFor="scope">Scope</label>
              <select id="scope" name="scope" defaultValue={values.scope ?? "team"}>
                <option value="team">Team: push spend and read budgets (CI)</option>
                <option value="ingest">Ingest: push only, cannot read anything</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="userId">Person (ingest tokens)</label>
              <select
                id="userId"
                name="userId"
                defaultValue={values.userId ?? ""}
                aria-describedby={errors.userId ? "userId-error" : undefined}
              >
                <option value="">Nobody in particular</option>
                {members.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </select>
              {errors.userId ? (
                <p className="field-error" id="userId-error">
                  {errors.userId}
                </p>
              ) : null}
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Create token
            </button>
          </Form>
          <p className="muted">
            A person's ingest token counts the spend it pushes as theirs when the data names nobody, and stops working
            when they leave the team.
          </p>
        </section>
      ) : null}

      {canManage ? (
        <section className="card stack">
          <h2>Budget guard</h2>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="guard" />
            <label className="row">
              <input type="checkbox" name="failClosed" value="on" defaultChecked={failClosed} /> Fail closed: stop an
              agent whose story is unknown, or when the guard fails
            </label>
            <p className="muted">
              An unreachable server always lets Claude Code continue (it treats timeouts as non-blocking); this covers
              what the server itself cannot decide.
            </p>
            <div className="row">
              <button type="submit" className="btn" disabled={busy}>
                Save
              </button>
            </div>
          </Form>
        </section>
      ) : null}

      <section className="card stack">
        <h2>Agent setup</h2>
        <AgentSetupSnippets setup={setup} idPrefix="settings-setup" />
      </section>

      {canManage ? (
        <section className="card">
          <h2>Tokens</h2>
          {tokens.length ? (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Starts with</th>
                    <th scope="col">Scope</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {tokens.map((t) => (
                    <tr key={t.id}>
                      <th scope="row">{t.name}</th>
                      <td>
                        <code>{t.tokenPrefix}…</code>
                      </td>
                      <td>
                        {t.scope === "ingest" ? "Ingest" : "Team"}
                        {t.personName ? <span className="muted"> · {t.personName}</span> : null}
                      </td>
                      <td>
                        {day(t.createdAt)}
                        {t.createdByName ? <span className="muted"> by {t.createdByName}</span> : null}
                      </td>
                      <td>{day(t.lastUsedAt)}</td>
                      <td>
                        {t.revokedAt ? (
                          <span className="badge">Revoked {day(t.revokedAt)}</span>
                        ) : (
                          <Form method="post">
                            <input type="hidden" name="intent" value="revoke" />
                            <input type="hidden" name="tokenId" value={t.id} />
                            <button
                              type="submit"
                              className="btn btn-danger btn-sm"
                              disabled={busy}
                              aria-label={`Revoke ${t.name}`}
                            >
                              Revoke
                            </button>
                          </Form>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No tokens yet.</p>
          )}
        </section>
      ) : null}
    </div>
  );
}
