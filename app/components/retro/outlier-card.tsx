// One outlier with its inspection form: why the spend drifted (cause tags) and what it bought. The
// note is the story's outcome note, so whatever is written here shows on the story page and in
// later retrospectives. A plain form: it works before JavaScript loads.
import { Form, Link } from "@remix-run/react";
import { Field } from "~/components/ui/field";
import { REVIEW_BURDENS } from "~/domain/outcome";
import { causeTagLabel, RETRO_CAUSE_TAGS, type RetroNote } from "~/domain/retro";
import type { RetroTableRow } from "~/components/retro/retro-table";
import { bandText, formatRatioCell } from "~/components/retro/retro-table";
import { formatDay } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export interface NoteFormState {
  errors: Record<string, string>;
  values: Record<string, string>;
  saved: boolean;
}

/**
 * `open`: show the form (the route opens the furthest-off outliers without a note, and the one asked
 * for with ?inspect=); otherwise a summary with a link that opens it — a sprint can have dozens of
 * outliers, and dozens of open forms help nobody.
 */
export function OutlierCard({
  row,
  canEdit,
  state,
  busy,
  open,
  inspectHref,
}: {
  row: RetroTableRow;
  canEdit: boolean;
  state: NoteFormState | null;
  busy: boolean;
  open: boolean;
  inspectHref: string;
}) {
  const id = row.storyId;
  const note: RetroNote | null = row.note;
  const values = state?.values;
  const errors = state?.errors ?? {};
  const ratio = row.drift.ratio ?? 0;
  const checkedTags = values ? (values.causeTags ?? "").split(", ").filter(Boolean) : (note?.causeTags ?? []);
  // Tags set elsewhere (the story page's outcome form) stay on the note and stay editable here.
  const otherTags = (note?.causeTags ?? []).filter((t) => !RETRO_CAUSE_TAGS.some((r) => r.id === t));
  return (
    <article className="card outlier-card" id={`inspect-${id}`} aria-labelledby={`inspect-${id}-title`}>
      <header className="outlier-head">
        <h4 id={`inspect-${id}-title`}>
          {row.key ? <code className="story-key">{row.key}</code> : null} {row.title}
        </h4>
        <p className="outlier-figures">
          <span className={ratio > 1 ? "badge badge-danger" : "badge badge-info"}>
            {formatRatioCell(row.drift.ratio)} {ratio > 1 ? "over" : "under"}
          </span>{" "}
          <span className="muted">
            {row.size ?? "?"} · expected {formatCredits(row.expected)} (band {bandText(row.bandLow, row.bandHigh)}) ·
            actual {formatCredits(row.actual)} ·{" "}
            {row.levels ? `${row.levels.intensity} / ${row.levels.autonomy} / ${row.levels.risk}` : ""}
          </span>
        </p>
      </header>
      {state?.saved ? (
        <p className="alert alert-ok" role="status">
          Note saved.
        </p>
      ) : null}
      {!(canEdit && (open || (state && !state.saved))) ? (
        <div className="outlier-summary">
          {note ? <NoteView note={note} /> : <p className="muted">Not inspected yet.</p>}
          {canEdit ? (
            <p>
              <Link to={inspectHref} preventScrollReset>
                {note ? "Edit the note" : "Inspect"}
              </Link>
            </p>
          ) : null}
        </div>
      ) : (
        <Form
          method="post"
          preventScrollReset
          className="stack outlier-form"
          aria-label={`Inspection note for ${row.key ?? row.title}`}
        >
          <input type="hidden" name="intent" value="save-note" />
          <input type="hidden" name="storyId" value={id} />
          <fieldset className="tag-picker" aria-describedby={errors.causeTags ? `causeTags-${id}-error` : undefined}>
            <legend>Why did it drift?</legend>
            {[
              ...RETRO_CAUSE_TAGS.map((t) => ({ id: t.id as string, label: t.label })),
              ...otherTags.map((t) => ({ id: t, label: causeTagLabel(t) })),
            ].map((t) => (
              <label key={t.id} className="field-check tag-option">
                <input type="checkbox" name="causeTags" value={t.id} defaultChecked={checkedTags.includes(t.id)} />{" "}
                {t.label}
              </label>
            ))}
            {errors.causeTags ? (
              <p id={`causeTags-${id}-error`} className="field-error">
                {errors.causeTags}
              </p>
            ) : null}
          </fieldset>
          <div className="form-grid">
            <Field
              label="What did the spend buy?"
              name="bought"
              id={`bought-${id}`}
              error={errors.bought}
              required
              className="span-all"
            >
              {(control) => (
                <textarea {...control} rows={2} maxLength={2000} defaultValue={values?.bought ?? note?.bought ?? ""} />
              )}
            </Field>
            <Field
              label="Review burden"
              name="reviewBurden"
              id={`reviewBurden-${id}`}
              error={errors.reviewBurden}
              required
            >
              {(control) => (
                <select {...control} defaultValue={values?.reviewBurden ?? note?.reviewBurden ?? ""}>
                  <option value="" disabled>
                    Pick one
                  </option>
                  {REVIEW_BURDENS.map((b) => (
                    <option key={b.id} value={b.id}>
                      {b.label} — {b.hint}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field
              label="Note"
              name="note"
              id={`note-${id}`}
              error={errors.note}
              hint="Optional: anything the next sprint should know."
            >
              {(control) => (
                <textarea {...control} rows={1} maxLength={2000} defaultValue={values?.note ?? note?.note ?? ""} />
              )}
            </Field>
          </div>
          {errors.form ? <p className="field-error">{errors.form}</p> : null}
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? "Saving…" : note ? "Update note" : "Save note"}
            </button>
            {note ? <span className="muted">Last saved {formatDay(note.updatedAt)}</span> : null}
          </div>
        </Form>
      )}
    </article>
  );
}

export function NoteView({ note }: { note: RetroNote }) {
  return (
    <div className="note-view">
      <p className="row">
        {note.causeTags.map((t) => (
          <span key={t} className="badge tag-badge">
            {causeTagLabel(t)}
          </span>
        ))}
      </p>
      <p>
        <strong>Bought:</strong> {note.bought}
      </p>
      {note.note ? <p className="muted">{note.note}</p> : null}
    </div>
  );
}
