// The retrospective's card on the team dashboard: the latest closed sprint's drift in one line.
import { Link } from "@remix-run/react";
import type { DriftHeadline } from "~/domain/retro";

export function DriftDashboardCard({ teamSlug, headline }: { teamSlug: string; headline: DriftHeadline | null }) {
  return (
    <article className="card">
      <h2>Latest drift</h2>
      {headline ? (
        <>
          <p className="headline-words">{headline.text}</p>
          <p className="muted">
            {headline.compared} {headline.compared === 1 ? "story" : "stories"} compared ·{" "}
            <Link to={`/t/${teamSlug}/sprints/${headline.sprintId}/retro`}>Retrospective</Link> ·{" "}
            <Link to={`/t/${teamSlug}/insights`}>Insights</Link>
          </p>
        </>
      ) : (
        <p className="muted">
          No closed sprint yet. Once one closes, its retrospective compares estimates with actual spend.{" "}
          <Link to={`/t/${teamSlug}/me`}>My spend</Link>
        </p>
      )}
    </article>
  );
}
