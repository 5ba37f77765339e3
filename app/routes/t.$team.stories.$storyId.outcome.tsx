// "Done" asks what the spend bought: a short outcome note, the review burden, and — when the spend
// drifted more than 2× from the estimate — why. Saving it marks the story done. Its own route so the
// backlog can link here from its "mark done" control (or embed the form) without owning the note.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import { z } from "zod";
import { Checkbox } from "~/domain/form-fields";
import { Field, FormError } from "~/components/ui/field";
import {
  CAUSE_TAGS,
  describeSpendRatio,
  hasDrifted,
  outcomeProblems,
  REVIEW_BURDENS,
  spendRatio,
  StoryOutcomeSchema,
} from "~/domain/outcome";
import { roleAtLeast } from "~/domain/roles";
import { getActualCreditsByStory } from "~/models/spend.server";
import { getStoryOutcome, saveStoryOutcome } from "~/models/story-outcome.server";
import { requireStory } from "~/server/story-route.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import type { DB } from "~/utils/db.server";
import { formatCredits } from "~/domain/credits";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Outcome of ${data?.story.key ?? "story"} · Token Poker` },
];

/** The story's actual spend and how it compares with the estimate. */
async function actualOf(db: DB, teamId: number, story: { id: number; expectedCredits: number | null }) {
  const [actual] = await getActualCreditsByStory(db, { teamId, storyIds: [story.id] });
  return { actual: actual ?? null, ratio: spendRatio(story.expectedCredits, actual?.credits ?? null) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role, story } = await requireStory(request, params, "observer");
  const { actual, ratio } = await actualOf(db, team.id, story);
  const outcome = await getStoryOutcome(db, { teamId: team.id, storyId: story.id });
  return {
    canEdit: roleAtLeast(role, "member"),
    story: {
      id: story.id,
      key: story.key,
      title: story.title,
      status: story.status,
      expectedCredits: story.expectedCredits,
      size: story.size,
    },
    actual,
    ratio,
    outcome: outcome ?? null,
    saved: new URL(request.url).searchParams.get("saved") === "1",
  };
}

const OutcomeFormSchema = StoryOutcomeSchema.extend({
  intent: z.literal("save"),
  markDone: Checkbox,
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user, story } = await requireStory(request, params, "member");
  const { ratio } = await actualOf(db, team.id, story);
  const form = parseForm(await request.formData(), OutcomeFormSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const { intent: _intent, markDone, ...outcome } = form.data;
  const problems = outcomeProblems(outcome, ratio);
  if (Object.keys(problems).length) {
    return invalid(problems, {
      bought: outcome.bought,
      reviewBurden: outcome.reviewBurden,
      causeTags: outcome.causeTags.join(", "),
      note: outcome.note,
      markDone: markDone ? "on" : "",
    });
  }
  await saveStoryOutcome(db, { teamId: team.id, storyId: story.id, recordedBy: user.id, markDone, ...outcome });
  return redirect(`/t/${team.slug}/stories/${story.id}/outcome?saved=1`);
}

type ActionResult = { ok: false; errors: Record<string, string>; values: Record<string, string> };

export default function OutcomePage() {
  const { canEdit, story, actual, ratio, outcome, saved } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state !== "idle";
  const { team } = useParams();
  const errors = result?.errors ?? {};
  const values = result?.values;
  const drifted = hasDrifted(ratio);
  const chosenTags = new Set(
    values ? (values.causeTags ?? "").split(", ").filter(Boolean) : (outcome?.causeTags ?? []),
  );
  const burden = values?.reviewBurden ?? outcome?.reviewBurden ?? "";
  const direction = ratio === null ? null : ratio > 1 ? "over" : "under";
  const tags = CAUSE_TAGS.filter((t) => !drifted || t.direction === "both" || t.direction === direction);

  return (
    <>
      <div className="page-header">
        <h1>
          Outcome of {story.key ? <code>{story.key}</code> : null} {story.title}
        </h1>
        <div>
          <Link className="btn" to={`/t/${team}/stories/${story.id}`}>
            Story
          </Link>
          <Link className="btn" to={`/t/${team}/stories/${story.id}/spend`}>
            Spend
          </Link>
        </div>
      </div>
      <div className="stack outcome-page">
        {saved ? (
          <div className="alert alert-ok" role="status">
            Outcome saved{story.status === "done" ? "; the story is done" : ""}.
          </div>
        ) : null}
        <section className="card">
          <p>
            Estimate:{" "}
            <strong>
              {story.expectedCredits === null ? "none" : `${formatCredits(story.expectedCredits)} credits`}
            </strong>
            {story.size ? ` (${story.size})` : ""} · Actual:{" "}
            <strong>{actual ? `${formatCredits(actual.credits)} credits` : "no spend recorded"}</strong>
            {ratio !== null ? <> · {describeSpendRatio(ratio)}</> : null}
          </p>
          {drifted ? (
            <p className="alert alert-warn">
              The spend drifted more than 2× from the estimate: say what caused it, so the retrospective can learn from
              it.
            </p>
          ) : null}
        </section>
        <FormError message={errors.form} />
        {canEdit ? (
          <Form method="post" action={`/t/${team}/stories/${story.id}/outcome`} className="card stack">
            <input type="hidden" name="intent" value="save" />
            <Field
              label="What did the spend buy?"
              name="bought"
              error={errors.bought}
              hint="A merged PR, a spike's answer, a prototype thrown away…"
              required
            >
              {(control) => (
                <textarea
                  {...control}
                  rows={3}
                  maxLength={2000}
                  defaultValue={values?.bought ?? outcome?.bought ?? ""}
                />
              )}
            </Field>
            <fieldset aria-describedby={errors.reviewBurden ? "reviewBurden-error" : undefined}>
              <legend>Review burden</legend>
              <div className="burden-options">
                {REVIEW_BURDENS.map((b) => (
                  <label key={b.id} className="field-check">
                    <input type="radio" name="reviewBurden" value={b.id} defaultChecked={burden === b.id} required />
                    {b.label} <span className="muted">— {b.hint}</span>
                  </label>
                ))}
              </div>
              {errors.reviewBurden ? (
                <p id="reviewBurden-error" className="field-error">
                  {errors.reviewBurden}
                </p>
              ) : null}
            </fieldset>
            <fieldset aria-describedby={errors.causeTags ? "causeTags-error" : undefined}>
              <legend>{drifted ? "Why did it drift?" : "Anything that shaped the spend? (optional)"}</legend>
              <div className="cause-tags">
                {tags.map((t) => (
                  <label key={t.id} className="field-check">
                    <input type="checkbox" name="causeTags" value={t.id} defaultChecked={chosenTags.has(t.id)} />{" "}
                    {t.label}
                  </label>
                ))}
              </div>
              {errors.causeTags ? (
                <p id="causeTags-error" className="field-error">
                  {errors.causeTags}
                </p>
              ) : null}
            </fieldset>
            <Field label="Note" name="note" error={errors.note}>
              {(control) => (
                <textarea {...control} rows={2} maxLength={2000} defaultValue={values?.note ?? outcome?.note ?? ""} />
              )}
            </Field>
            <label className="field-check">
              <input
                type="checkbox"
                name="markDone"
                defaultChecked={values ? values.markDone === "on" : story.status !== "done"}
              />{" "}
              Mark the story done
            </label>
            <div>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Save outcome
              </button>
            </div>
          </Form>
        ) : outcome ? (
          <section className="card">
            <p>{outcome.bought}</p>
            <p className="muted">
              Review burden: {outcome.reviewBurden}
              {outcome.causeTags.length ? ` · ${outcome.causeTags.join(", ")}` : ""}
            </p>
            {outcome.note ? <p>{outcome.note}</p> : null}
          </section>
        ) : (
          <p className="muted">No outcome note yet.</p>
        )}
      </div>
    </>
  );
}
