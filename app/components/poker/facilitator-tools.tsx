// What only the facilitator needs, in its own chunk so voters, observers and guests never download it
// (the drag-and-drop list alone is most of it): the draggable queue with its actions, the finalize
// form, adding stories, and the session's options. Every control is a plain form post underneath.
import { Form, useFetcher } from "@remix-run/react";
import { useState } from "react";
import { suggestedLevels, type QueueItemView, type RevealedRound, type RoomView } from "~/domain/poker";
import { estimate } from "~/domain/sizing";
import { DIMENSIONS, type SizingScheme } from "~/domain/sizing-scheme";
import { ItemTitle, QueueMeta, type QueueProps } from "~/components/poker/queue";
import { DragHandle, SortableList } from "~/components/ui/sortable-list";
import { formatCredits } from "~/domain/credits";

function QueueActions({ item }: { item: QueueItemView }) {
  const fetcher = useFetcher({ key: `queue-${item.itemId}` });
  const act = (intent: string) => fetcher.submit({ intent, itemId: String(item.itemId) }, { method: "post" });
  return (
    <span className="poker-queue-actions">
      {!item.isCurrent ? (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => act("set-current")}
          aria-label={`Vote on ${item.title} now`}
        >
          Vote now
        </button>
      ) : null}
      {item.status === "skipped" ? (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => act("unskip")}
          aria-label={`Un-skip ${item.title}`}
        >
          Un-skip
        </button>
      ) : item.status === "pending" ? (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => act("skip")}
          aria-label={`Skip ${item.title}`}
        >
          Skip
        </button>
      ) : null}
      <button
        type="button"
        className="btn btn-ghost btn-sm"
        onClick={() => {
          if (window.confirm(`Remove "${item.title}" from this session's queue? Its rounds here are deleted.`))
            act("remove");
        }}
        aria-label={`Remove ${item.title} from the queue`}
      >
        Remove
      </button>
    </span>
  );
}

/** The queue for the facilitator: drag (mouse, touch, or keyboard on the handle) to reorder. */
export function FacilitatorQueue(props: QueueProps) {
  const fetcher = useFetcher({ key: "queue-move" });
  if (props.queue.length === 0) return <p className="muted">The queue is empty. Add stories from the backlog.</p>;
  return (
    <SortableList
      label="Queue order"
      className="poker-queue"
      items={props.queue}
      getId={(item) => String(item.itemId)}
      getLabel={(item) => item.title}
      onMove={({ id, beforeId, afterId }) =>
        fetcher.submit(
          { intent: "move", itemId: id, beforeId: beforeId ?? "", afterId: afterId ?? "" },
          { method: "post" },
        )
      }
      renderItem={(item, { handleProps }) => (
        <div className={item.isCurrent ? "poker-queue-item is-current" : "poker-queue-item"}>
          <DragHandle {...handleProps} />
          <ItemTitle item={item} />
          <QueueMeta item={item} {...props}>
            <QueueActions item={item} />
          </QueueMeta>
        </div>
      )}
    />
  );
}

export function AddStories({ stories }: { stories: { id: number; key: string | null; title: string }[] }) {
  if (stories.length === 0) return <p className="muted">Every open backlog story is in this session already.</p>;
  return (
    <Form method="post" className="stack" preventScrollReset>
      <input type="hidden" name="intent" value="add-stories" />
      <fieldset>
        <legend className="sr-only">Stories to add</legend>
        <ul className="plain-list poker-pick-list">
          {stories.map((s) => (
            <li key={s.id}>
              <label className="field-check">
                <input type="checkbox" name="storyId" value={s.id} />
                <span>
                  {s.key ? <span className="muted">{s.key} </span> : null}
                  {s.title}
                </span>
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

export function FinalizeForm({
  itemId,
  round,
  scheme,
  busy,
}: {
  itemId: number;
  round: RevealedRound;
  scheme: SizingScheme;
  busy: boolean;
}) {
  const suggestion = suggestedLevels(round);
  const initial = {
    intensity: suggestion?.intensity ?? scheme.intensity[0]!.id,
    autonomy: suggestion?.autonomy ?? scheme.autonomy[0]!.id,
    risk: suggestion?.risk ?? scheme.risk[0]!.id,
  };
  const [levels, setLevels] = useState(initial);
  const preview = (() => {
    try {
      return estimate(scheme, levels);
    } catch {
      return null;
    }
  })();
  return (
    <div className="card stack poker-finalize">
      <h3>Finalize this story</h3>
      <Form method="post" className="stack" key={round.id}>
        <input type="hidden" name="intent" value="finalize" />
        <input type="hidden" name="itemId" value={itemId} />
        <div className="form-grid">
          {DIMENSIONS.map((d) => (
            <div className="field" key={d.id}>
              <label htmlFor={`finalize-${d.id}`}>{d.label}</label>
              <select
                id={`finalize-${d.id}`}
                name={d.id}
                value={levels[d.id]}
                onChange={(e) => setLevels({ ...levels, [d.id]: e.currentTarget.value })}
              >
                {scheme[d.id].map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.label}
                    {l.id === suggestion?.[d.id] ? " (suggested)" : ""}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </div>
        <p className="muted" aria-live="polite">
          {preview ? (
            <>
              Records size <strong>{preview.size}</strong>: {formatCredits(preview.expected)} credits expected, p80{" "}
              {formatCredits(preview.p80)}.
            </>
          ) : null}
        </p>
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Finalize
          </button>
        </div>
      </Form>
      <Form method="post" className="row">
        <input type="hidden" name="intent" value="split-story" />
        <input type="hidden" name="itemId" value={itemId} />
        <button type="submit" className="btn" disabled={busy}>
          ✂ Mark as split
        </button>
        <span className="muted">Too big to size: no estimate is recorded; the summary lists it to split.</span>
      </Form>
    </div>
  );
}

const TIMER_CHOICES = [
  { value: "", label: "No timer" },
  { value: "60", label: "1 minute" },
  { value: "120", label: "2 minutes" },
  { value: "180", label: "3 minutes" },
  { value: "300", label: "5 minutes" },
];

export function FacilitatorOptions({ view, busy }: { view: RoomView; busy: boolean }) {
  const { session } = view.room;
  const fetcher = useFetcher({ key: "poker-options" });
  return (
    <section className="card stack" aria-labelledby="poker-options-h">
      <h2 id="poker-options-h">Session options</h2>
      <fetcher.Form
        method="post"
        className="stack"
        key={`${session.name}-${session.autoReveal}-${session.timerSeconds}-${session.allowAhead}`}
      >
        <input type="hidden" name="intent" value="options" />
        <div className="field">
          <label htmlFor="poker-name">Name</label>
          <input id="poker-name" name="name" defaultValue={session.name} required maxLength={120} />
        </div>
        <label className="field-check">
          <input type="checkbox" name="autoReveal" defaultChecked={session.autoReveal} /> Auto-reveal when every voter
          who is here has voted
        </label>
        <label className="field-check">
          <input type="checkbox" name="allowAhead" defaultChecked={session.allowAhead} /> Allow voting ahead
        </label>
        <div className="field">
          <label htmlFor="poker-timer">Countdown per round</label>
          <select
            id="poker-timer"
            name="timerSeconds"
            defaultValue={session.timerSeconds ? String(session.timerSeconds) : ""}
          >
            {TIMER_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <button type="submit" className="btn" disabled={busy || fetcher.state !== "idle"}>
            Save options
          </button>
        </div>
      </fetcher.Form>
      <fetcher.Form
        method="post"
        onSubmit={(e) => {
          if (!window.confirm("End this session? Guests lose access and the room becomes its summary."))
            e.preventDefault();
        }}
      >
        <input type="hidden" name="intent" value="end" />
        <button type="submit" className="btn btn-danger" disabled={fetcher.state !== "idle"}>
          End session
        </button>
      </fetcher.Form>
    </section>
  );
}
