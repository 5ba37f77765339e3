import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Id, LineText } from "~/domain/form-fields";
import { Field, FormError } from "~/components/ui/field";
import { roleAtLeast } from "~/domain/roles";
import { createApiToken, listApiTokens, revokeApiToken } from "~/models/api-token.server";
import { requireTeamRole } from "~/utils/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "API tokens · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const canManage = roleAtLeast(role, "manager");
  const origin = new URL(request.url).origin;
  return {
    canManage,
    endpoint: `${origin}/api/v1/teams/${team.slug}/spend`,
    tokens: canManage ? await listApiTokens(db, team.id) : [],
  };
}

const TokenIntentSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("create"),
    name: LineText.min(1, "Name the token after where it will live, e.g. “CI” or “Dana's Claude hook”.").max(100, "Keep it under 100 characters."),
  }),
  z.object({ intent: z.literal("revoke"), tokenId: Id }),
]);

type ActionResult = { ok: true; created?: { name: string; token: string }; message?: string } | { ok: false; errors: Record<string, string>; values: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "manager");
  const form = parseForm(await request.formData(), TokenIntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  if (input.intent === "create") {
    const created = await createApiToken(db, { teamId: team.id, name: input.name, createdBy: user.id });
    return data<ActionResult>({ ok: true, created: { name: created.name, token: created.token } });
  }
  const revoked = await revokeApiToken(db, { teamId: team.id, tokenId: input.tokenId, revokedBy: user.id });
  if (!revoked) return invalid({ form: "That token is already revoked, or not this team's." });
  return data<ActionResult>({ ok: true, message: "Revoked: requests with that token now get 401." });
}

function day(value: Date | string | null) {
  return value ? new Date(value).toISOString().slice(0, 10) : "—";
}

export default function TokensSettings() {
  const { canManage, endpoint, tokens } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state !== "idle";
  const errors = result && !result.ok ? result.errors : {};
  const values = result && !result.ok ? result.values : {};
  return (
    <div className="stack">
      <p className="muted">
        CI steps and agent hooks push spend to <code>{endpoint}</code> with a team token (<code>Authorization: Bearer …</code>). Only a
        hash of each token is stored: it is shown once, when it is created.
      </p>
      {!canManage ? <p className="muted">Managers create and revoke the team's API tokens.</p> : null}
      <FormError message={errors.form} />
      {result?.ok && result.created ? (
        <div className="alert alert-ok" role="status">
          <p>
            <strong>Token “{result.created.name}”</strong> — copy it now; it is not shown again.
          </p>
          <input className="copy-box" readOnly value={result.created.token} aria-label="New API token" onFocus={(e) => e.currentTarget.select()} />
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
            <Field label="Name" name="name" required maxLength={100} placeholder="CI" defaultValue={values.name} error={errors.name} />
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Create token
            </button>
          </Form>
        </section>
      ) : null}

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
                            <button type="submit" className="btn btn-danger btn-sm" disabled={busy} aria-label={`Revoke ${t.name}`}>
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
