// A list of credit exceptions with their decision: the team's sprint tab, its retrospective and the
// organisation's history all show them the same way.
import { formatDay, formatMonth } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export interface ExceptionHistoryRow {
  id: number;
  teamName: string;
  month: string;
  requestedCredits: number;
  reason: string;
  status: "requested" | "granted" | "declined";
  source: "reserve" | "team" | null;
  sourceTeamName: string | null;
  grantedCredits: number | null;
  requestedAt: Date | string;
  requestedByName: string | null;
  decidedAt: Date | string | null;
  decidedByName: string | null;
  declineReason: string | null;
  stories: { storyId: number; title: string; expectedCredits: number | null; p80Credits: number | null }[];
}

export function ExceptionDecision({ x }: { x: ExceptionHistoryRow }) {
  if (x.status === "requested") return <span className="badge badge-warn">Waiting</span>;
  if (x.status === "declined") {
    return (
      <>
        <span className="badge badge-danger">Declined</span> {x.decidedAt ? formatDay(x.decidedAt) : ""}
        {x.decidedByName ? ` by ${x.decidedByName}` : ""}: {x.declineReason}
      </>
    );
  }
  return (
    <>
      <span className="badge badge-ok">Granted</span> {formatCredits(x.grantedCredits ?? 0)} from{" "}
      {x.source === "reserve" ? "the reserve" : (x.sourceTeamName ?? "another team")}
      {x.decidedAt ? ` on ${formatDay(x.decidedAt)}` : ""}
      {x.decidedByName ? ` by ${x.decidedByName}` : ""}
    </>
  );
}

export function ExceptionStories({ stories }: { stories: ExceptionHistoryRow["stories"] }) {
  if (!stories.length) return null;
  return (
    <ul className="plain-list exception-story-list">
      {stories.map((s) => (
        <li key={s.storyId}>
          {s.title}
          <span className="muted">
            {s.expectedCredits === null
              ? " · not estimated"
              : ` · expected ${formatCredits(s.expectedCredits)}, p80 ${formatCredits(s.p80Credits ?? s.expectedCredits)}`}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function ExceptionHistory({ exceptions, showTeam }: { exceptions: ExceptionHistoryRow[]; showTeam: boolean }) {
  if (!exceptions.length) return <p className="muted">No requests yet.</p>;
  return (
    <ul className="exception-list">
      {exceptions.map((x) => (
        <li key={x.id} className="exception-item">
          <p>
            <strong>
              {showTeam ? `${x.teamName}: ` : ""}+{formatCredits(x.requestedCredits)} credits
            </strong>{" "}
            <span className="muted">
              for {formatMonth(x.month)}, asked {formatDay(x.requestedAt)}
              {x.requestedByName ? ` by ${x.requestedByName}` : ""}
            </span>
          </p>
          <p className="exception-reason">{x.reason}</p>
          <ExceptionStories stories={x.stories} />
          <p>
            <ExceptionDecision x={x} />
          </p>
        </li>
      ))}
    </ul>
  );
}
