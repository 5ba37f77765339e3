// /o/:org/reports — finance's view of a month (org admins and viewers): spend by team, cost center
// and month, by shape of work, and the outlier stories with what their spend bought. Shapes and
// teams only: no figure here is about a person. The same month downloads as CSV.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatCredits } from "~/domain/credits";
import { formatMonth } from "~/domain/dates";
import { formatRatio } from "~/domain/drift";
import { monthFromQuery, nextMonth, previousMonth } from "~/domain/organisation/billing-month";
import { SHAPE_DIMENSIONS, SHAPE_LABELS, type ReportGroup } from "~/domain/organisation/report";
import { getOrganisationReport } from "~/models/organisation-report.server";
import { requireOrgRole } from "~/server/org-access.server";

export const meta: MetaFunction = () => [{ title: "Reports · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, org } = await requireOrgRole(request, params.org, "viewer");
  const month = monthFromQuery(new URL(request.url).searchParams.get("month"), new Date());
  const report = await getOrganisationReport(db, { organisationId: org.id, month });
  return { slug: org.slug, report, previous: previousMonth(month), next: nextMonth(month) };
}

const percent = (share: number | null) => (share === null ? "—" : `${Math.round(share * 100)} %`);

function GroupTable({ caption, groups, label }: { caption: string; groups: ReportGroup[]; label: string }) {
  return (
    <div className="table-wrap">
      <table className="table-compact">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{label}</th>
            <th scope="col" className="num">
              Credits
            </th>
            <th scope="col" className="num">
              Share
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.length ? (
            groups.map((g) => (
              <tr key={g.group}>
                <th scope="row">{g.group}</th>
                <td className="num">{formatCredits(g.credits)}</td>
                <td className="num">{percent(g.share)}</td>
              </tr>
            ))
          ) : (
            <tr>
              <td colSpan={3} className="muted">
                No spend this month.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

export default function OrganisationReports() {
  const { slug, report, previous, next } = useLoaderData<typeof loader>();
  const total = report.teams.reduce((s, t) => s + t.credits, 0) + report.unplacedCredits;
  return (
    <div className="stack">
      <div className="page-header">
        <div>
          <h1>Reports · {formatMonth(report.month)}</h1>
          <p className="muted">
            {formatCredits(total)} credits spent in {formatMonth(report.month)} (UTC). Spend is shown by team and by
            shape of work, never by person.
          </p>
        </div>
        <div className="row">
          <Link className="btn btn-ghost btn-sm" to={`?month=${previous}`}>
            ← {formatMonth(previous)}
          </Link>
          <Link className="btn btn-ghost btn-sm" to={`?month=${next}`}>
            {formatMonth(next)} →
          </Link>
          <a className="btn" href={`/o/${slug}/reports.csv?month=${report.month}`} download>
            Download CSV
          </a>
        </div>
      </div>

      <section className="card" aria-labelledby="by-team-title">
        <h2 id="by-team-title">By team</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Cost center</th>
                <th scope="col" className="num">
                  Allocation
                </th>
                <th scope="col" className="num">
                  Spent
                </th>
                <th scope="col" className="num">
                  Of allocation
                </th>
              </tr>
            </thead>
            <tbody>
              {report.teams.map((t) => (
                <tr key={t.team}>
                  <th scope="row">{t.team}</th>
                  <td>{t.costCenter ?? <span className="muted">none</span>}</td>
                  <td className="num">{t.allocation === null ? "—" : formatCredits(t.allocation)}</td>
                  <td className="num">{formatCredits(t.credits)}</td>
                  <td className="num">{t.allocation ? percent(t.credits / t.allocation) : "—"}</td>
                </tr>
              ))}
              {report.unplacedCredits > 0 ? (
                <tr>
                  <th scope="row">
                    <Link to={`/o/${slug}/bill?month=${report.month}`}>Not placed on a team</Link>
                  </th>
                  <td />
                  <td className="num">—</td>
                  <td className="num">{formatCredits(report.unplacedCredits)}</td>
                  <td className="num">—</td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </section>

      <section className="report-grid" aria-label="Cost centers and months">
        <div className="card">
          <GroupTable caption="By cost center" groups={report.costCenters} label="Cost center" />
        </div>
        <div className="card">
          <div className="table-wrap">
            <table className="table-compact">
              <caption>By month</caption>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col" className="num">
                    Credits
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.months.map((m) => (
                  <tr key={m.month}>
                    <th scope="row">
                      <Link to={`?month=${m.month}`}>{formatMonth(m.month)}</Link>
                    </th>
                    <td className="num">{formatCredits(m.credits)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </section>

      <section aria-labelledby="shape-title" className="stack">
        <h2 id="shape-title">By shape of work</h2>
        <div className="report-grid">
          {SHAPE_DIMENSIONS.map((d) => (
            <div className="card" key={d}>
              <GroupTable caption={SHAPE_LABELS[d]} groups={report.shapes[d]} label={SHAPE_LABELS[d]} />
            </div>
          ))}
        </div>
      </section>

      <section className="card" aria-labelledby="outliers-title">
        <h2 id="outliers-title">Outliers and what they bought</h2>
        <p className="muted">Stories with spend this month that ended more than 2× off their estimate, either way.</p>
        {report.outliers.length ? (
          <ul className="exception-list">
            {report.outliers.map((o) => (
              <li key={`${o.team}:${o.story}`} className="exception-item">
                <p>
                  <strong>{o.story}</strong>{" "}
                  <span className="muted">
                    {o.team} · {o.size ?? "?"} · expected {formatCredits(o.expected)}, actual {formatCredits(o.actual)}{" "}
                    ({formatRatio(o.ratio)})
                  </span>
                </p>
                <p>
                  {o.bought || o.note ? (
                    [o.bought, o.note].filter(Boolean).join(" — ")
                  ) : (
                    <span className="muted">No outcome note yet.</span>
                  )}
                </p>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No outliers this month.</p>
        )}
      </section>
    </div>
  );
}
