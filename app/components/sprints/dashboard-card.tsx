// The team dashboard's sprint card: the running sprint's burn against its available credits, the
// alert when spend crossed 75/90/100 %, and the projection — or the next sprint, or a way to start.
import { Link } from "@remix-run/react";
import { burnAlertLevel, type SprintDashboard } from "~/domain/sprint";
import { formatDay, formatDayRange } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export function SprintDashboardCard({ data, teamSlug: team }: { data: SprintDashboard; teamSlug: string }) {
  const c = data.current;
  if (!c) {
    return (
      <article className="card sprint-card">
        <h2>Sprint burn</h2>
        <p className="muted">No sprint is running.</p>
        {data.next ? (
          <p>
            Next: <Link to={`/t/${team}/sprints/${data.next.id}`}>{data.next.name}</Link> starts{" "}
            {formatDay(data.next.start)}.
          </p>
        ) : null}
        <Link to={`/t/${team}/sprints`}>Sprints</Link>
      </article>
    );
  }
  const pct = c.available > 0 ? Math.round((c.spent / c.available) * 100) : null;
  const alert = burnAlertLevel(c.crossed);
  const fill = Math.min(100, pct ?? 0);
  return (
    <article className="card sprint-card">
      <h2>Sprint burn</h2>
      <p className="sprint-card-name">
        <Link to={`/t/${team}/sprints/${c.id}`}>{c.name}</Link> · {formatDayRange(c.start, c.end)}
      </p>
      <p className="big-number">{pct === null ? formatCredits(c.spent) : `${pct} %`}</p>
      <p className="muted">
        {formatCredits(c.spent)} of {formatCredits(c.available)} available credits spent
        {c.overdue
          ? " · ended, not closed yet"
          : ` · ${c.remainingWorkingDays} working ${c.remainingWorkingDays === 1 ? "day" : "days"} left`}
      </p>
      <div className={pct !== null && pct > 100 ? "meter meter-over" : "meter"}>
        <div
          className="meter-track"
          role="img"
          aria-label={`Spent ${formatCredits(c.spent)} of ${formatCredits(c.available)} available credits`}
        >
          {fill > 0 ? (
            <span
              className={
                alert?.tone === "error"
                  ? "meter-segment meter-segment-danger"
                  : alert
                    ? "meter-segment meter-segment-warn"
                    : "meter-segment"
              }
              style={{ "--value": `${fill}%` } as React.CSSProperties}
            />
          ) : null}
          <span className="meter-tick" style={{ "--at": "75%" } as React.CSSProperties} data-label="75" />
          <span className="meter-tick" style={{ "--at": "90%" } as React.CSSProperties} data-label="90" />
        </div>
      </div>
      {alert ? (
        <p className={alert.tone === "error" ? "alert alert-error" : "alert alert-warn"} role="status">
          Spend passed {alert.threshold} % of the available credits.
        </p>
      ) : null}
      <p className="muted">
        {c.projected !== null ? `Projected ${formatCredits(c.projected)} by ${formatDay(c.end)}. ` : ""}
        Committed {formatCredits(c.committed)} ({c.basis}){c.unestimatedCount ? ` + ${c.unestimatedCount} unknown` : ""}
        .
      </p>
    </article>
  );
}
