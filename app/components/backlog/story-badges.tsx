// How a story's status, size band and labels look in every backlog view.
import type { ReactNode } from "react";

export type StoryStatus = "backlog" | "estimated" | "committed" | "done";

export const STATUS_LABELS: Record<StoryStatus, string> = {
  backlog: "Backlog",
  estimated: "Estimated",
  committed: "Committed",
  done: "Done",
};

const STATUS_CLASS: Record<StoryStatus, string> = {
  backlog: "badge",
  estimated: "badge badge-info",
  committed: "badge badge-warn",
  done: "badge badge-ok",
};

export function StatusBadge({ status }: { status: StoryStatus }) {
  return <span className={STATUS_CLASS[status]}>{STATUS_LABELS[status]}</span>;
}

/** The size band, marked when one person set it alone (a quick estimate, not a poker session). */
export function SizeBadge({ size, source }: { size: string | null; source?: "solo" | "session" | null }) {
  if (!size) return <span className="muted">Unestimated</span>;
  return (
    <span className="size-cell">
      <span className="badge size-badge">{size}</span>
      {source === "solo" ? (
        <span className="solo-mark" title="Solo estimate: one person, no poker session">
          solo
        </span>
      ) : null}
    </span>
  );
}

export function Labels({ labels, children }: { labels: readonly string[]; children?: ReactNode }) {
  if (!labels.length) return children ? <>{children}</> : null;
  return (
    <span className="label-list">
      {labels.map((l) => (
        <span key={l} className="label-chip">
          {l}
        </span>
      ))}
    </span>
  );
}
