// /o/:org/exceptions — the queue of credit requests and their history. An org admin grants a waiting
// request in two clicks: pick where the credits come from (the reserve is preselected; another team's
// unused allocation is one radio away) and press Grant. Or declines with a reason. Org viewers read.
// Plain forms: the page works before (or without) JavaScript.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FormError } from "~/components/ui/field";
import { ExceptionDecision, ExceptionStories } from "~/components/organisation/exception-history";
import { formatCredits } from "~/domain/credits";
import { formatDay, formatMonth } from "~/domain/dates";
import { monthFromQuery, nextMonth, previousMonth } from "~/domain/organisation/billing-month";
import { ExceptionDecisionSchema } from "~/domain/organisation/exception-form";
import {
  declineException,
  ExceptionError,
  getExceptionMonth,
  grantException,
  listExceptions,
} from "~/models/credit-exception.server";
import { requireOrgRole } from "~/server/org-access.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Exceptions · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, org, role } = await requireOrgRole(request, params.org, "viewer");
  const month = monthFromQuery(new URL(request.url).searchParams.get("month"), new Date());
  const [standing, exceptions] = await Promise.all([
    getExceptionMonth(db, { organisationId: org.id, month, open: true }),
    listExceptions(db, { organisationId: org.id, month }),
  ]);
  return {
    isAdmin: role === "admin",
    month,
    previous: previousMonth(month),
    next: nextMonth(month),
    pool: standing.pool ? { included: standing.pool.included, ceiling: standing.pool.ceiling } : null,
    allocated: standing.allocated,
    reserve: standing.reserve,
    teams: standing.teams.map((t) => ({ id: t.id, name: t.name, unused: t.unused })),
    waiting: exceptions.filter((x) => x.status === "requested"),
    decided: exceptions.filter((x) => x.status !== "requested"),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, org, user } = await requireOrgRole(request, params.org, "admin");
  const form = parseForm(await request.formData(), ExceptionDecisionSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  try {
    if (input.intent === "grant") {
      const granted = await grantException(db, {
        organisationId: org.id,
        exceptionId: input.exceptionId,
        source: input.source.source,
        sourceTeamId: input.source.sourceTeamId,
        credits: input.credits ?? null,
        actorId: user.id,
      });
      return data({
        ok: true as const,
        message: `Granted ${formatCredits(granted.credits)} credits to ${granted.teamName} from ${granted.sourceName}.`,
      });
    }
    const declined = await declineException(db, {
      organisationId: org.id,
      exceptionId: input.exceptionId,
      reason: input.reason,
      actorId: user.id,
    });
    return data({ ok: true as const, message: `Declined ${declined.teamName}'s request.` });
  } catch (error) {
    if (error instanceof ExceptionError) {
      return invalid({ form: error.message, exceptionId: String(input.exceptionId) });
    }
    throw error;
  }
}

type ActionResult =
  { ok: true; message: string } | { ok: false; errors: Record<string, string>; values: Record<string, string> };

export default function OrganisationExceptions() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state !== "idle";
  const errors = result && !result.ok ? result.errors : {};
  return (
    <div className="stack">
      <div className="page-header">
        <div>
          <h1>Credit exceptions</h1>
          <p className="muted">
            Teams ask for more credits with a reason and the stories that need them. A grant moves credits into the
            team's allocation for the month.
          </p>
        </div>
        <nav className="row" aria-label="Month">
          <Link className="btn btn-ghost btn-sm" to={`?month=${d.previous}`}>
            ← {formatMonth(d.previous)}
          </Link>
          <strong>{formatMonth(d.month)}</strong>
          <Link className="btn btn-ghost btn-sm" to={`?month=${d.next}`}>
            {formatMonth(d.next)} →
          </Link>
        </nav>
      </div>

      <section className="card" aria-label="Reserve">
        {d.pool ? (
          <p>
            Pool {formatCredits(d.pool.included)}
            {d.pool.ceiling > d.pool.included ? ` (up to ${formatCredits(d.pool.ceiling)} with overage)` : ""} ·
            allocated {formatCredits(d.allocated)} · <strong>reserve {formatCredits(d.reserve)}</strong>
          </p>
        ) : (
          <p className="muted">
            No pool is set for {formatMonth(d.month)} yet, so nothing can be granted from the reserve.
          </p>
        )}
      </section>

      <FormError message={errors.form} />
      {result?.ok ? (
        <div className="alert alert-ok" role="status">
          {result.message}
        </div>
      ) : null}

      <section aria-labelledby="waiting-title" className="stack">
        <h2 id="waiting-title">Waiting ({d.waiting.length})</h2>
        {d.waiting.length === 0 ? <p className="muted">No request is waiting for {formatMonth(d.month)}.</p> : null}
        {d.waiting.map((x) => (
          <article key={x.id} className="card exception-card" aria-labelledby={`x-${x.id}-title`}>
            <h3 id={`x-${x.id}-title`}>
              {x.teamName} asks for {formatCredits(x.requestedCredits)} credits
            </h3>
            <p className="muted">
              {formatDay(x.requestedAt)}
              {x.requestedByName ? ` · ${x.requestedByName}` : ""}
            </p>
            <p className="exception-reason">{x.reason}</p>
            <ExceptionStories stories={x.stories} />
            {d.isAdmin ? (
              <div className="exception-actions">
                <Form method="post" className="stack" aria-label={`Grant ${x.teamName}'s request`}>
                  <input type="hidden" name="intent" value="grant" />
                  <input type="hidden" name="exceptionId" value={x.id} />
                  <fieldset className="grant-sources">
                    <legend>Grant from</legend>
                    <label>
                      <input type="radio" name="source" value="reserve" defaultChecked /> the reserve (
                      {formatCredits(d.reserve)} left)
                    </label>
                    {d.teams
                      .filter((t) => t.id !== x.teamId)
                      .map((t) => (
                        <label key={t.id}>
                          <input type="radio" name="source" value={`team:${t.id}`} /> {t.name} (
                          {formatCredits(t.unused)} unused)
                        </label>
                      ))}
                  </fieldset>
                  <Field
                    label="Credits"
                    name="credits"
                    id={`credits-${x.id}`}
                    inputMode="decimal"
                    defaultValue={String(x.requestedCredits)}
                    hint="Grant less than asked by changing it."
                  />
                  <div>
                    <button type="submit" className="btn btn-primary" disabled={busy}>
                      Grant
                    </button>
                  </div>
                </Form>
                <details className="decline">
                  <summary className="btn btn-ghost btn-sm">Decline…</summary>
                  <Form method="post" className="stack">
                    <input type="hidden" name="intent" value="decline" />
                    <input type="hidden" name="exceptionId" value={x.id} />
                    <Field label="Why" name="reason" id={`reason-${x.id}`} required>
                      {(control) => <textarea {...control} rows={2} maxLength={1000} />}
                    </Field>
                    <div>
                      <button type="submit" className="btn btn-danger btn-sm" disabled={busy}>
                        Decline
                      </button>
                    </div>
                  </Form>
                </details>
              </div>
            ) : null}
          </article>
        ))}
      </section>

      <section className="card" aria-labelledby="decided-title">
        <h2 id="decided-title">Decided</h2>
        {d.decided.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Team</th>
                  <th scope="col" className="num">
                    Asked
                  </th>
                  <th scope="col">Reason</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {d.decided.map((x) => (
                  <tr key={x.id}>
                    <th scope="row">{x.teamName}</th>
                    <td className="num">{formatCredits(x.requestedCredits)}</td>
                    <td>{x.reason}</td>
                    <td>
                      <ExceptionDecision x={x} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">Nothing decided in {formatMonth(d.month)} yet.</p>
        )}
      </section>
    </div>
  );
}
