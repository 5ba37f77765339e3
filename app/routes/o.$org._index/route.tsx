import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { formatCredits } from "~/domain/credits";
import { utcToday } from "~/domain/organisation/billing-month";
import { formatMonth } from "~/domain/dates";
import { monthParam } from "~/domain/organisation/month-param";
import { requireOrgRole } from "~/server/org-access.server";
import { CostCenterTable, TeamBurnTable } from "./burn-table";
import { PoolChart } from "./pool-chart";
import { loadOverview } from "./queries.server";

export const meta: MetaFunction = () => [{ title: "Organisation · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, org, role } = await requireOrgRole(request, params.org, "viewer");
  const now = new Date();
  const month = monthParam(new URL(request.url), now);
  return {
    org,
    isAdmin: role === "admin",
    ...(await loadOverview(db, { organisationId: org.id, month, today: utcToday(now) })),
  };
}

export default function OrganisationOverview() {
  const page = useLoaderData<typeof loader>();
  const pct = page.pool && page.pool.included > 0 ? Math.round((page.total.spent / page.pool.included) * 100) : null;
  const canSpend = page.teams.filter((t) => t.status === "ok").length;
  return (
    <div className="stack">
      <div className="page-header">
        <h1>
          {page.org.name} · {formatMonth(page.month)}
        </h1>
        <Form method="get" className="row">
          <label htmlFor="month-pick">Month</label>
          <input id="month-pick" type="month" name="month" defaultValue={page.month} />
          <button type="submit" className="btn btn-ghost">
            Show
          </button>
        </Form>
      </div>
      {!page.hasPool ? (
        <p className="alert alert-warn" role="status">
          No pool is set for {formatMonth(page.month)}.{" "}
          {page.isAdmin ? <Link to={`pool?month=${page.month}`}>Set it up</Link> : "An org admin sets it up."}
        </p>
      ) : null}
      <section className="cards" aria-label="The month at a glance">
        <div className="card">
          <h2>Will the pool last?</h2>
          <p className="big-number">
            {page.total.runOutDate ? page.total.runOutDate.slice(8, 10).replace(/^0/, "") : "Yes"}
          </p>
          <p>{page.total.runOut}</p>
          {page.total.ceilingReachedDate && page.pool && page.pool.ceiling > page.pool.included ? (
            <p className="muted">Pool plus overage budget reached on {page.total.ceilingReachedDate}.</p>
          ) : null}
        </div>
        <div className="card">
          <h2>Spent</h2>
          <p className="big-number">{formatCredits(page.total.spent)}</p>
          <p>
            {page.pool ? (
              <>
                of {formatCredits(page.pool.included)} in the pool{pct !== null ? ` (${pct} %)` : ""}
              </>
            ) : (
              "no pool set"
            )}
            {page.total.alert ? <span className="badge badge-warn"> {page.total.alert} % alert</span> : null}
          </p>
          {page.unplacedSpent > 0 ? (
            <p className="muted">
              {formatCredits(page.unplacedSpent)} of it is on no team yet (the organisation's report).
            </p>
          ) : null}
        </div>
        <div className="card">
          <h2>Projected month end</h2>
          <p className="big-number">
            {page.total.projectedMonthEnd === null ? "—" : formatCredits(page.total.projectedMonthEnd)}
          </p>
          <p>
            Committed in sprints: {formatCredits(page.total.committedExpected)} expected,{" "}
            {formatCredits(page.total.committedP80)} at p80.
          </p>
        </div>
        <div className="card">
          <h2>Teams that can still spend</h2>
          <p className="big-number">
            {canSpend} of {page.teams.length}
          </p>
          <p>
            {formatCredits(page.allocated)} allocated
            {page.pool ? `, ${formatCredits(Math.max(0, page.pool.ceiling - page.allocated))} in reserve` : ""}.
          </p>
        </div>
      </section>
      {page.pool ? (
        <section className="card">
          <PoolChart
            daily={page.daily}
            pool={page.pool.included}
            ceiling={page.pool.ceiling}
            runOut={page.total.runOut}
          />
        </section>
      ) : null}
      <section className="stack" aria-labelledby="teams-heading">
        <h2 id="teams-heading">Teams</h2>
        <TeamBurnTable rows={page.teams} />
        <CostCenterTable rows={page.costCenters} />
        <p className="muted">
          Team totals only: spend comes from each team's imported usage; committed is the month's share (by working
          days) of the work in the teams' sprints. Team pages stay with their members.
        </p>
      </section>
    </div>
  );
}
