// The sprint's audit trail and its over-capacity approval requests (pending, approved, declined).
import { Form } from "@remix-run/react";
import { formatInstant } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

// UTC, minutes: the same text on the server and in the browser.
const when = (value: string | Date) => formatInstant(value);

export interface SprintEventRow {
  id: number;
  kind: string;
  message: string;
  createdAt: string | Date;
  actorName: string | null;
}

const KIND_CLASS: Record<string, string> = {
  refused: "badge badge-danger",
  "approval-requested": "badge badge-warn",
  approved: "badge badge-ok",
  declined: "badge badge-danger",
  committed: "badge badge-info",
  closed: "badge",
};

export function SprintHistory({ events }: { events: SprintEventRow[] }) {
  if (!events.length) return <p className="muted">Nothing has happened yet.</p>;
  return (
    <ol className="plain-list sprint-history">
      {events.map((e) => (
        <li key={e.id}>
          <span className={KIND_CLASS[e.kind] ?? "badge"}>{e.kind.replace("-", " ")}</span> {e.message}{" "}
          <span className="muted">
            — {e.actorName ?? "someone"}, {when(e.createdAt)}
          </span>
        </li>
      ))}
    </ol>
  );
}

export interface CommitRequestRow {
  id: number;
  status: "pending" | "approved" | "declined";
  reason: string;
  loadCredits: number | null;
  committedBefore: number;
  availableCredits: number;
  overBy: number | null;
  requestedAt: string | Date;
  decidedAt: string | Date | null;
  decisionNote: string;
  key: string | null;
  title: string;
  requestedByName: string | null;
  decidedByName: string | null;
}

const STATUS_CLASS = {
  pending: "badge badge-warn",
  approved: "badge badge-ok",
  declined: "badge badge-danger",
} as const;

export function CommitRequests({ requests, canDecide }: { requests: CommitRequestRow[]; canDecide: boolean }) {
  if (!requests.length) {
    return (
      <p className="muted">
        No requests. Under this sprint's policy, a commit past the available credits asks a manager first.
      </p>
    );
  }
  return (
    <ul className="plain-list commit-requests">
      {requests.map((r) => (
        <li key={r.id} className="commit-request">
          <div className="row">
            <span className={STATUS_CLASS[r.status]}>{r.status}</span>
            {r.key ? <code className="story-key">{r.key}</code> : null}
            <strong>{r.title}</strong>
            <span className="spacer" />
            <span className="muted">
              {r.loadCredits === null ? "unknown load (no estimate)" : `+${formatCredits(r.loadCredits)} credits`} on{" "}
              {formatCredits(r.committedBefore)} of {formatCredits(r.availableCredits)}
              {r.overBy !== null ? `, over by ${formatCredits(r.overBy)}` : ""}
            </span>
          </div>
          <p>
            “{r.reason}”{" "}
            <span className="muted">
              — {r.requestedByName ?? "someone"}, {when(r.requestedAt)}
            </span>
          </p>
          {r.status !== "pending" ? (
            <p className="muted">
              {r.status === "approved" ? "Approved" : "Declined"} by {r.decidedByName ?? "someone"}
              {r.decidedAt ? `, ${when(r.decidedAt)}` : ""}
              {r.decisionNote ? `: ${r.decisionNote}` : ""}
            </p>
          ) : canDecide ? (
            <Form method="post" className="row decide-form">
              <input type="hidden" name="requestId" value={r.id} />
              <label htmlFor={`note-${r.id}`} className="sr-only">
                Note for {r.key ?? r.title}
              </label>
              <input id={`note-${r.id}`} name="note" placeholder="Note (optional)" maxLength={1000} />
              <button type="submit" name="intent" value="approve" className="btn btn-primary btn-sm">
                Approve
              </button>
              <button type="submit" name="intent" value="decline" className="btn btn-ghost btn-sm">
                Decline
              </button>
            </Form>
          ) : (
            <p className="muted">Waiting for a manager.</p>
          )}
        </li>
      ))}
    </ul>
  );
}
