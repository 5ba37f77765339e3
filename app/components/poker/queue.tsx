// The session's queue of stories. The facilitator drags to reorder (SortableList: mouse, touch,
// keyboard), brings a story up now, skips, un-skips or removes it; everyone else sees the order and
// where the room is. With "voting ahead" on, voters can vote on a later story before it comes up.
import { Form, Link, useFetcher } from "@remix-run/react";
import type { Cards, QueueItemView } from "~/domain/poker";
import { isComplete } from "~/domain/poker";
import { DragHandle, SortableList } from "~/components/ui/sortable-list";
import { formatCredits } from "~/components/poker/format";

function StatusTag({ item }: { item: QueueItemView }) {
  if (item.isCurrent) return <span className="badge badge-info">▶ Now</span>;
  if (item.status === "finalized" && item.split) return <span className="badge badge-warn">✂ Split</span>;
  if (item.status === "finalized") {
    return (
      <span className="badge badge-ok" title={item.estimate ? `${formatCredits(item.estimate.expected)} credits expected` : undefined}>
        ✓ {item.estimate?.size ?? "Done"}
      </span>
    );
  }
  if (item.status === "skipped") return <span className="badge">Skipped</span>;
  return null;
}

function ItemTitle({ item }: { item: QueueItemView }) {
  return (
    <span className="poker-queue-title">
      {item.key ? <span className="muted">{item.key} </span> : null}
      {item.title}
    </span>
  );
}

function FacilitatorActions({ item }: { item: QueueItemView }) {
  const fetcher = useFetcher();
  const act = (intent: string) => fetcher.submit({ intent, itemId: String(item.itemId) }, { method: "post" });
  return (
    <span className="poker-queue-actions">
      {!item.isCurrent ? (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => act("set-current")} aria-label={`Vote on ${item.title} now`}>
          Vote now
        </button>
      ) : null}
      {item.status === "skipped" ? (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => act("unskip")} aria-label={`Un-skip ${item.title}`}>
          Un-skip
        </button>
      ) : item.status === "pending" ? (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => act("skip")} aria-label={`Skip ${item.title}`}>
          Skip
        </button>
      ) : null}
      <button
        type="button"
        className="btn btn-ghost btn-sm"
        onClick={() => {
          if (window.confirm(`Remove "${item.title}" from this session's queue? Its rounds here are deleted.`)) act("remove");
        }}
        aria-label={`Remove ${item.title} from the queue`}
      >
        Remove
      </button>
    </span>
  );
}

export function Queue({
  queue,
  isFacilitator,
  canVoteAhead,
  mine,
  aheadItemId,
}: {
  queue: QueueItemView[];
  isFacilitator: boolean;
  canVoteAhead: boolean;
  mine: Record<string, Cards>;
  aheadItemId: number | null;
}) {
  const fetcher = useFetcher();
  if (queue.length === 0) return <p className="muted">The queue is empty. Add stories from the backlog.</p>;

  const aheadLink = (item: QueueItemView) => {
    if (!canVoteAhead || item.isCurrent || item.status === "finalized" || item.openRoundId === null) return null;
    const own = mine[String(item.openRoundId)];
    const done = own && isComplete(own);
    return (
      <Link
        className="btn btn-ghost btn-sm"
        to={aheadItemId === item.itemId ? "?" : `?ahead=${item.itemId}`}
        preventScrollReset
        aria-label={`${done ? "Change your early vote on" : "Vote ahead on"} ${item.title}`}
      >
        {done ? "✓ Voted ahead" : "Vote ahead"}
      </Link>
    );
  };
  const meta = (item: QueueItemView) =>
    item.votedCount > 0 && !item.isCurrent ? <span className="muted">{item.votedCount} voted ahead</span> : null;

  if (!isFacilitator) {
    return (
      <ol className="plain-list poker-queue" aria-label="Queue">
        {queue.map((item) => (
          <li key={item.itemId} className={item.isCurrent ? "poker-queue-item is-current" : "poker-queue-item"} aria-current={item.isCurrent ? "step" : undefined}>
            <ItemTitle item={item} />
            <span className="poker-queue-meta">
              <StatusTag item={item} />
              {meta(item)}
              {aheadLink(item)}
            </span>
          </li>
        ))}
      </ol>
    );
  }
  return (
    <SortableList
      label="Queue order"
      className="poker-queue"
      items={queue}
      getId={(item) => String(item.itemId)}
      getLabel={(item) => item.title}
      onMove={({ id, beforeId, afterId }) =>
        fetcher.submit({ intent: "move", itemId: id, beforeId: beforeId ?? "", afterId: afterId ?? "" }, { method: "post" })
      }
      renderItem={(item, { handleProps }) => (
        <div className={item.isCurrent ? "poker-queue-item is-current" : "poker-queue-item"}>
          <DragHandle {...handleProps} />
          <ItemTitle item={item} />
          <span className="poker-queue-meta">
            <StatusTag item={item} />
            {meta(item)}
            {aheadLink(item)}
            <FacilitatorActions item={item} />
          </span>
        </div>
      )}
    />
  );
}

export function AddStories({ stories }: { stories: { id: number; key: string | null; title: string }[] }) {
  if (stories.length === 0) return <p className="muted">Every open backlog story is in this session already.</p>;
  return (
    <Form method="post" className="stack">
      <input type="hidden" name="intent" value="add-stories" />
      <fieldset>
        <legend className="sr-only">Stories to add</legend>
        <ul className="plain-list poker-pick-list">
          {stories.map((s) => (
            <li key={s.id}>
              <label className="field-check">
                <input type="checkbox" name="storyId" value={s.id} />
                {s.key ? <span className="muted">{s.key}</span> : null} {s.title}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <div>
        <button type="submit" className="btn">
          Add to queue
        </button>
      </div>
    </Form>
  );
}
