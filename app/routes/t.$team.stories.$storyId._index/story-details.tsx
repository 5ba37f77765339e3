import { Form } from "@remix-run/react";
import { STATUS_LABELS } from "~/components/backlog/story-badges";
import { StoryFields } from "~/components/backlog/story-fields";
import { FormError } from "~/components/ui/field";
import type { ActionResult } from "./intents";
import type { StoryPageData } from "./story.server";
import { formatDay } from "~/domain/dates";

export function StoryDetails({
  story,
  keyPattern,
  canEdit,
  busy,
  result,
  editing,
}: {
  story: StoryPageData["story"];
  keyPattern: string;
  canEdit: boolean;
  busy: boolean;
  result: ActionResult | undefined;
  editing: ActionResult | undefined;
}) {
  return (
    <section className="card stack" aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      {canEdit ? (
        <Form method="post" className="stack" key={result?.ok ? `saved-${result.message}` : "edit"}>
          <input type="hidden" name="intent" value="update" />
          <FormError message={editing?.errors.form} />
          <StoryFields
            keyPattern={keyPattern}
            errors={editing?.errors ?? {}}
            values={{
              title: editing?.values.title ?? story.title,
              key: editing?.values.key ?? story.key ?? "",
              link: editing?.values.link ?? story.link ?? "",
              labels: editing?.values.labels ?? story.labels.join(", "),
              description: editing?.values.description ?? story.description,
            }}
          />
          <div className="field">
            <label htmlFor="status">Status</label>
            <select id="status" name="status" defaultValue={editing?.values.status ?? story.status}>
              {(Object.keys(STATUS_LABELS) as (keyof typeof STATUS_LABELS)[]).map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
            <p className="field-hint">
              Backlog → estimated → committed → done. A quick estimate moves a backlog story to estimated.
            </p>
          </div>
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Save changes
            </button>
          </div>
        </Form>
      ) : (
        <div className="stack">
          {story.description ? (
            <p className="story-description">{story.description}</p>
          ) : (
            <p className="muted">No description.</p>
          )}
        </div>
      )}
      <p className="muted">Added on {formatDay(story.createdAt)}.</p>
      {canEdit ? (
        <Form method="post" className="row">
          <input type="hidden" name="intent" value={story.archived ? "restore" : "archive"} />
          <button type="submit" className={story.archived ? "btn" : "btn btn-ghost btn-danger-text"}>
            {story.archived ? "Restore to the backlog" : "Archive story"}
          </button>
          {!story.archived ? (
            <span className="muted">Archived stories leave the backlog; their key stays taken.</span>
          ) : null}
        </Form>
      ) : null}
    </section>
  );
}
