// The session's queue of stories as everyone sees it: the order, where the room is, what is done.
// With "voting ahead" on, voters can vote on a later story before it comes up. The facilitator's
// copy (facilitator-tools.tsx, loaded only for them) adds dragging and the queue actions.
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { isComplete, type Cards, type QueueItemView } from "~/domain/poker";
import { formatCredits } from "~/domain/credits";

export function StatusTag({ item }: { item: QueueItemView }) {
  if (item.isCurrent) return <span className="badge badge-info">▶ Now</span>;
  if (item.status === "finalized" && item.split) return <span className="badge badge-warn">✂ Split</span>;
  if (item.status === "finalized") {
    return (
      <span
        className="badge badge-ok"
        title={item.estimate ? `${formatCredits(item.estimate.expected)} credits expected` : undefined}
      >
        ✓ {item.estimate?.size ?? "Done"}
      </span>
    );
  }
  if (item.status === "skipped") return <span className="badge">Skipped</span>;
  return null;
}

export function ItemTitle({ item }: { item: QueueItemView }) {
  return (
    <span className="poker-queue-title">
      {item.key ? <span className="muted">{item.key} </span> : null}
      {item.title}
    </span>
  );
}

export interface QueueProps {
  queue: QueueItemView[];
  canVoteAhead: boolean;
  mine: Record<string, Cards>;
  aheadItemId: number | null;
}

/** Status, early votes and the "vote ahead" link of one queue entry. */
export function QueueMeta({
  item,
  canVoteAhead,
  mine,
  aheadItemId,
  children,
}: QueueProps & { item: QueueItemView; children?: ReactNode }) {
  const own = item.openRoundId === null ? undefined : mine[String(item.openRoundId)];
  const done = !!own && isComplete(own);
  const ahead = canVoteAhead && !item.isCurrent && item.status !== "finalized" && item.openRoundId !== null;
  return (
    <span className="poker-queue-meta">
      <StatusTag item={item} />
      {item.votedCount > 0 && !item.isCurrent ? <span className="muted">{item.votedCount} voted ahead</span> : null}
      {ahead ? (
        <Link
          className="btn btn-ghost btn-sm"
          to={aheadItemId === item.itemId ? "?" : `?ahead=${item.itemId}`}
          preventScrollReset
          aria-label={`${done ? "Change your early vote on" : "Vote ahead on"} ${item.title}`}
        >
          {done ? "✓ Voted ahead" : "Vote ahead"}
        </Link>
      ) : null}
      {children}
    </span>
  );
}

export function Queue(props: QueueProps) {
  if (props.queue.length === 0) return <p className="muted">The queue is empty. Add stories from the backlog.</p>;
  return (
    <ol className="plain-list poker-queue" aria-label="Queue">
      {props.queue.map((item) => (
        <li
          key={item.itemId}
          className={item.isCurrent ? "poker-queue-item is-current" : "poker-queue-item"}
          aria-current={item.isCurrent ? "step" : undefined}
        >
          <ItemTitle item={item} />
          <QueueMeta item={item} {...props} />
        </li>
      ))}
    </ol>
  );
}
