// Starting a poker session: a name, the stories to size (ticked from the backlog, then dragged into
// queue order), and the room's options. Before JavaScript loads the ticked stories go in backlog
// order; afterwards the "Queue order" list decides.
import { Form } from "@remix-run/react";
import { useState } from "react";
import { Field, FormError } from "~/components/ui/field";
import { DragHandle, SortableList } from "~/components/ui/sortable-list";
import { useHydrated } from "~/components/ui/use-hydrated";

export interface PickableStory {
  id: number;
  key: string | null;
  title: string;
  status: string;
  size: string | null;
}

export function CreateSessionForm({
  stories,
  defaultName,
  errors,
  values,
  busy,
}: {
  stories: PickableStory[];
  defaultName: string;
  errors: Record<string, string>;
  values: Record<string, string>;
  busy: boolean;
}) {
  const hydrated = useHydrated();
  const [picked, setPicked] = useState<PickableStory[]>([]);
  const toggle = (story: PickableStory, on: boolean) =>
    setPicked((list) =>
      on ? [...list.filter((s) => s.id !== story.id), story] : list.filter((s) => s.id !== story.id),
    );
  const pickedIds = new Set(picked.map((s) => s.id));

  return (
    <Form method="post" className="stack">
      <input type="hidden" name="intent" value="create" />
      <FormError message={errors.form} />
      <Field
        label="Name"
        name="name"
        defaultValue={values.name ?? defaultName}
        required
        maxLength={120}
        error={errors.name}
      />

      <div className="poker-create-grid">
        <fieldset className="stack">
          <legend>Stories from the backlog</legend>
          {errors.storyId ? (
            <p className="field-error" id="storyId-error">
              {errors.storyId}
            </p>
          ) : null}
          {stories.length === 0 ? (
            <p className="muted">The backlog has no open stories yet.</p>
          ) : (
            <ul className="plain-list poker-pick-list">
              {stories.map((s) => (
                <li key={s.id}>
                  <label className="field-check">
                    <input
                      type="checkbox"
                      // Without JavaScript the ticks themselves are the queue (in backlog order).
                      name={hydrated ? undefined : "storyId"}
                      value={s.id}
                      checked={hydrated ? pickedIds.has(s.id) : undefined}
                      onChange={(e) => toggle(s, e.currentTarget.checked)}
                    />
                    <span>
                      {s.key ? <span className="muted">{s.key} </span> : null}
                      {s.title}
                      {s.size ? (
                        <>
                          {" "}
                          <span className="badge">{s.size}</span>
                        </>
                      ) : null}
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        {hydrated ? (
          <div className="stack">
            <h3 id="queue-order-h">Queue order</h3>
            {picked.length ? (
              <>
                <p className="muted">
                  Drag (or use the handle with Space and the arrow keys) to set the order stories come up.
                </p>
                <SortableList
                  label="Queue order"
                  items={picked}
                  getId={(s) => String(s.id)}
                  getLabel={(s) => s.title}
                  onMove={({ fromIndex, toIndex }) =>
                    setPicked((list) => {
                      const next = [...list];
                      const [moved] = next.splice(fromIndex, 1);
                      next.splice(toIndex, 0, moved!);
                      return next;
                    })
                  }
                  renderItem={(s, { handleProps }) => (
                    <div className="row">
                      <DragHandle {...handleProps} />
                      <span>
                        {s.key ? <span className="muted">{s.key} </span> : null}
                        {s.title}
                      </span>
                      <input type="hidden" name="storyId" value={s.id} />
                    </div>
                  )}
                />
              </>
            ) : (
              <p className="muted">Tick stories on the left; they line up here.</p>
            )}
          </div>
        ) : null}
      </div>

      <fieldset className="stack">
        <legend>Options</legend>
        <label className="field-check">
          <input type="checkbox" name="autoReveal" defaultChecked /> Auto-reveal when every voter who is here has voted
        </label>
        <label className="field-check">
          <input type="checkbox" name="allowAhead" /> Allow voting ahead (voters can vote on later stories before the
          meeting)
        </label>
        <label className="field-check">
          <input type="checkbox" name="allowGuests" /> Allow guests (a link that admits voters by display name, for this
          session only)
        </label>
        <Field label="Countdown per round" name="timerSeconds" error={errors.timerSeconds}>
          {(control) => (
            <select {...control} defaultValue={values.timerSeconds ?? ""}>
              <option value="">No timer</option>
              <option value="60">1 minute</option>
              <option value="120">2 minutes</option>
              <option value="180">3 minutes</option>
              <option value="300">5 minutes</option>
            </select>
          )}
        </Field>
      </fieldset>
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Start session
        </button>
      </div>
    </Form>
  );
}
