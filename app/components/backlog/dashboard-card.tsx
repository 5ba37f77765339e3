// The backlog's card on the team dashboard: how many open stories, how many still need an estimate.
import { Link } from "@remix-run/react";

export interface BacklogCounts {
  stories: number;
  estimated: number;
  unestimated: number;
}

export function BacklogDashboardCard({ teamSlug, counts }: { teamSlug: string; counts: BacklogCounts }) {
  const backlog = `/t/${teamSlug}/backlog`;
  return (
    <article className="card">
      <h2>Backlog</h2>
      <p className="big-number">{counts.stories}</p>
      <p className="muted">
        {counts.stories === 1 ? "story" : "stories"} · {counts.estimated} estimated ·{" "}
        {counts.unestimated ? (
          <Link to={`${backlog}?size=none`}>{counts.unestimated} unestimated</Link>
        ) : (
          "0 unestimated"
        )}
      </p>
      <Link to={backlog}>{counts.stories ? "Open the backlog" : "Add the first stories"}</Link>
    </article>
  );
}
