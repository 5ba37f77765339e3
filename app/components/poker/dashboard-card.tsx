// Poker's card on the team dashboard: the open session (the one under way or coming up next).
import { Link } from "@remix-run/react";

export interface PokerDashboard {
  session: { id: number; name: string; stories: number; finalized: number; present: number } | null;
  openCount: number;
}

export function PokerDashboardCard({ teamSlug, poker }: { teamSlug: string; poker: PokerDashboard }) {
  const s = poker.session;
  return (
    <article className="card">
      <h2>Poker</h2>
      {s ? (
        <>
          <p className="big-number">
            {s.finalized}/{s.stories}
          </p>
          <p className="muted">
            stories sized in <Link to={`/t/${teamSlug}/poker/${s.id}`}>{s.name}</Link> · {s.present} here now
            {poker.openCount > 1 ? ` · ${poker.openCount} sessions open` : ""}
          </p>
          <Link to={`/t/${teamSlug}/poker/${s.id}`}>{s.present ? "Join the session" : "Open the session"}</Link>
        </>
      ) : (
        <>
          <p className="big-number">0</p>
          <p className="muted">sessions open</p>
          <Link to={`/t/${teamSlug}/poker`}>Start a poker session</Link>
        </>
      )}
    </article>
  );
}
