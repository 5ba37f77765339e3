// A sprint's "Credits" tab: where the team stands in its organisation's month (allocation, spend,
// what is left), and the team manager's way to ask the organisation for more — a reason and the
// sprint's stories that need them (their estimates go along). The requests of this sprint's months,
// decided or waiting, are listed below. A team that is in no organisation sees why the tab is empty.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FormError } from "~/components/ui/field";
import { ExceptionHistory } from "~/components/organisation/exception-history";
import { formatCredits } from "~/domain/credits";
import { formatMonth } from "~/domain/dates";
import { billingMonthOf } from "~/domain/organisation/billing-month";
import { splitAcrossMonths } from "~/domain/organisation/month-split";
import { ExceptionRequestSchema } from "~/domain/organisation/exception-form";
import { roleAtLeast } from "~/domain/roles";
import {
  ExceptionError,
  getExceptionMonth,
  getTeamOrganisationForExceptions,
  listExceptions,
  listExceptionStoryChoices,
  requestException,
} from "~/models/credit-exception.server";
import { requireSprint } from "~/server/sprint-route.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Credits · Token Poker" }];

/** The sprint's billing months; the current one first when the sprint runs through it. */
function sprintMonths(sprint: { startDate: string; endDate: string }, now: Date) {
  const months = splitAcrossMonths(sprint.startDate, sprint.endDate, 0).map((p) => p.month);
  const current = billingMonthOf(now);
  return months.includes(current) ? [current, ...months.filter((m) => m !== current)] : months;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role, sprint } = await requireSprint(request, params, "observer");
  const org = await getTeamOrganisationForExceptions(db, team.id);
  const months = sprintMonths(sprint, new Date());
  const base = { canAsk: roleAtLeast(role, "manager"), months, sprint: { id: sprint.id, name: sprint.name } };
  if (!org) return { ...base, org: null, standing: [], stories: [], exceptions: [] };
  const [standing, stories, exceptions] = await Promise.all([
    Promise.all(months.map((month) => getExceptionMonth(db, { organisationId: org.id, month, open: true }))),
    listExceptionStoryChoices(db, { teamId: team.id, month: months[0]!, sprintId: sprint.id }),
    listExceptions(db, { teamId: team.id, sprint: { id: sprint.id, start: sprint.startDate, end: sprint.endDate } }),
  ]);
  return {
    ...base,
    // A team sees its own line of each month, and the reserve; not other teams' figures.
    org: { name: org.name },
    standing: standing.map((m) => {
      const mine = m.teams.find((t) => t.id === team.id);
      return {
        month: m.month,
        hasPool: m.pool !== null,
        allocation: mine?.allocation ?? null,
        spent: mine?.spent ?? 0,
        left: mine?.allocation === null || mine?.allocation === undefined ? null : mine.allocation - mine.spent,
      };
    }),
    stories: stories.map((s) => ({
      id: Number(s.id),
      label: s.key ? `${s.key} ${s.title}` : s.title,
      size: s.size,
      expected: s.expectedCredits === null ? null : Number(s.expectedCredits),
      p80: s.p80Credits === null ? null : Number(s.p80Credits),
    })),
    exceptions,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user, sprint } = await requireSprint(request, params, "manager");
  const form = parseForm(await request.formData(), ExceptionRequestSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  // Only the sprint's own months, so a request cannot be filed against any month at all.
  if (!sprintMonths(sprint, new Date()).includes(input.month)) {
    return invalid({ month: "Pick one of the sprint's months" }, { month: input.month });
  }
  const org = await getTeamOrganisationForExceptions(db, team.id);
  if (!org) return invalid({ form: "This team is not in an organisation, so there is nobody to ask." });
  try {
    await requestException(db, {
      organisationId: org.id,
      teamId: team.id,
      month: input.month,
      sprintId: sprint.id,
      credits: input.credits,
      reason: input.reason,
      storyIds: input.storyIds,
      userId: user.id,
    });
  } catch (error) {
    if (error instanceof ExceptionError) return invalid({ [error.field ?? "form"]: error.message });
    throw error;
  }
  return data({ ok: true as const, message: `Asked ${org.name} for ${formatCredits(input.credits)} more credits.` });
}

type ActionResult =
  { ok: true; message: string } | { ok: false; errors: Record<string, string>; values: Record<string, string> };

export default function SprintCredits() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state !== "idle";
  const errors = result && !result.ok ? result.errors : {};
  const values = result && !result.ok ? result.values : {};
  if (!d.org) {
    return (
      <div className="card empty-state">
        <p>
          This team is not in an organisation. When it joins one, the organisation's pool and the team's share of it
          show here, and a manager can ask for more.
        </p>
      </div>
    );
  }
  return (
    <div className="stack">
      <section className="card" aria-labelledby="standing-title">
        <h2 id="standing-title">The team's month in {d.org.name}</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Month (UTC)</th>
                <th scope="col" className="num">
                  Allocation
                </th>
                <th scope="col" className="num">
                  Spent
                </th>
                <th scope="col" className="num">
                  Left
                </th>
              </tr>
            </thead>
            <tbody>
              {d.standing.map((m) => (
                <tr key={m.month}>
                  <th scope="row">{formatMonth(m.month)}</th>
                  <td className="num">
                    {m.allocation === null ? (m.hasPool ? "none" : "no pool set") : formatCredits(m.allocation)}
                  </td>
                  <td className="num">{formatCredits(m.spent)}</td>
                  <td className="num">{m.left === null ? "—" : formatCredits(m.left)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {result?.ok ? (
        <div className="alert alert-ok" role="status">
          {result.message}
        </div>
      ) : null}

      {d.canAsk ? (
        <section className="card" aria-labelledby="ask-title">
          <h2 id="ask-title">Ask for more credits</h2>
          <p className="muted">
            An organisation admin grants from the reserve or from another team's unused allocation, or declines with a
            reason.
          </p>
          <FormError message={errors.form} />
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="request" />
            <div className="form-grid">
              {d.months.length > 1 ? (
                <Field label="Month" name="month" error={errors.month}>
                  {(control) => (
                    <select {...control} defaultValue={values.month ?? d.months[0]}>
                      {d.months.map((m) => (
                        <option key={m} value={m}>
                          {formatMonth(m)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              ) : (
                <input type="hidden" name="month" value={d.months[0]} />
              )}
              <Field
                label="Credits needed"
                name="credits"
                inputMode="decimal"
                required
                defaultValue={values.credits}
                error={errors.credits}
              />
            </div>
            <Field label="Why" name="reason" error={errors.reason} required>
              {(control) => <textarea {...control} rows={3} maxLength={1000} defaultValue={values.reason} />}
            </Field>
            <fieldset className="exception-stories">
              <legend>Stories that need them</legend>
              {errors.storyIds ? <p className="field-error">{errors.storyIds}</p> : null}
              {d.stories.length ? (
                <ul className="plain-list">
                  {d.stories.map((s) => (
                    <li key={s.id}>
                      <label>
                        <input type="checkbox" name="storyIds" value={s.id} /> {s.label}
                        <span className="muted">
                          {" "}
                          {s.expected === null
                            ? "· not estimated"
                            : `· ${s.size ?? ""} expected ${formatCredits(s.expected)}, p80 ${formatCredits(s.p80 ?? s.expected)}`}
                        </span>
                      </label>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">No stories are committed to this sprint yet.</p>
              )}
            </fieldset>
            <div>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Ask the organisation
              </button>
            </div>
          </Form>
        </section>
      ) : null}

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">Requests</h2>
        <ExceptionHistory exceptions={d.exceptions} showTeam={false} />
      </section>
    </div>
  );
}
