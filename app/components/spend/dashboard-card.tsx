import { Link } from "@remix-run/react";
import { formatCredits } from "~/domain/credits";

export interface UnattributedSpend {
  entries: number;
  credits: number;
  waitingKeys: number;
  total: number;
}

/** Dashboard: the spend that still needs a story. */
export function SpendDashboardCard({ teamSlug, spend }: { teamSlug: string; spend: UnattributedSpend }) {
  return (
    <article className="card">
      <h2>Unattributed spend</h2>
      {spend.total === 0 ? (
        <>
          <p className="muted">
            No spend imported yet. Bring in a Copilot report, Claude Code logs or your gateway's spend log.
          </p>
          <Link to={`/t/${teamSlug}/spend/import`}>Import spend</Link>
        </>
      ) : (
        <>
          <p className="big-number">{formatCredits(spend.credits)}</p>
          <p className="muted">
            credits in {spend.entries.toLocaleString("en-US")} {spend.entries === 1 ? "entry" : "entries"} with no story
            {spend.waitingKeys
              ? ` · ${spend.waitingKeys} story ${spend.waitingKeys === 1 ? "key" : "keys"} waiting for a story`
              : ""}
          </p>
          <Link to={`/t/${teamSlug}/spend`}>{spend.entries ? "Assign them" : "Spend"}</Link>
        </>
      )}
    </article>
  );
}
