// The bar that assigns the selected entries to a story (members only).
import { Form } from "@remix-run/react";
import type { SpendData } from "./spend-data";

const STATUS_ORDER = ["committed", "estimated", "backlog", "done"] as const;
const STATUS_LABEL: Record<string, string> = {
  committed: "Committed",
  estimated: "Estimated",
  backlog: "Backlog",
  done: "Done",
};

export function AssignBar({
  stories,
  errors,
  busy,
  selected,
}: {
  stories: SpendData["stories"];
  errors: Record<string, string>;
  busy: boolean;
  selected: number;
}) {
  return (
    <Form method="post" id="assign-form" className="toolbar assign-bar" preventScrollReset>
      <input type="hidden" name="intent" value="assign" />
      <div className="field assign-story">
        <label htmlFor="storyId">Assign to story</label>
        <select
          id="storyId"
          name="storyId"
          defaultValue=""
          aria-invalid={errors.storyId ? true : undefined}
          aria-describedby={errors.storyId ? "storyId-error" : undefined}
        >
          <option value="" disabled>
            Pick a story…
          </option>
          {STATUS_ORDER.map((status) => {
            const group = stories.filter((s) => s.status === status);
            return group.length ? (
              <optgroup key={status} label={STATUS_LABEL[status]}>
                {group.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.key ? `${s.key} · ` : ""}
                    {s.title}
                  </option>
                ))}
              </optgroup>
            ) : null;
          })}
        </select>
        {errors.storyId ? (
          <p id="storyId-error" className="field-error">
            {errors.storyId}
          </p>
        ) : null}
      </div>
      <label className="field-check">
        <input type="checkbox" name="mapSessions" defaultChecked /> Also map their sessions (later entries follow)
      </label>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {selected ? `Assign ${selected} selected` : "Assign selected"}
      </button>
    </Form>
  );
}
