// A story's actual spend: every entry that counts for it (by key, session or assignment), spend added
// by hand, and its sessions. Linked from the story page and from the outcome form.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import { z } from "zod";
import { BlockText, Id, LineText, isoDay } from "~/domain/form-fields";
import { Field, FormError } from "~/components/ui/field";
import { describeSpendRatio, spendRatio } from "~/domain/outcome";
import { roleAtLeast } from "~/domain/roles";
import {
  addManualEntry,
  deleteManualEntry,
  getStorySpend,
  listUnmappedSessions,
  ManualEntryError,
  removeSessionStory,
  setSessionStory,
} from "~/models/spend.server";
import { checkBurnAlertsSoon } from "~/models/sprint-alert.server";
import { requireStory } from "~/server/story-route.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { formatDay, formatDayRange } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Spend on ${data?.story.key ?? "story"} · Token Poker` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role, story } = await requireStory(request, params, "observer");
  const canEdit = roleAtLeast(role, "member");
  const [spend, sessions] = await Promise.all([
    getStorySpend(db, { teamId: team.id, storyId: story.id }),
    canEdit ? listUnmappedSessions(db, { teamId: team.id, limit: 100 }) : Promise.resolve([]),
  ]);
  return {
    canEdit,
    story: {
      id: story.id,
      key: story.key,
      title: story.title,
      status: story.status,
      expectedCredits: story.expectedCredits,
      size: story.size,
    },
    entries: spend.entries.map((e) => ({ ...e, tokens: Number(e.tokens) })),
    sessions: spend.sessions,
    total: spend.total,
    unmappedSessions: sessions.map((s) => ({ ...s, entries: Number(s.entries) })),
  };
}

const optionalNumber = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
  z.coerce
    .number({ message: "Enter a number" })
    .finite()
    .nonnegative("Spend cannot be negative")
    .max(10_000_000, "That is more than one entry can hold")
    .optional(),
);
const IntentSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("add"),
    day: isoDay("Pick the day the spend happened."),
    credits: optionalNumber,
    costUsd: optionalNumber,
    model: LineText.max(200).optional(),
    note: BlockText.max(500, "Keep the note under 500 characters.").optional(),
  }),
  z.object({ intent: z.literal("delete-entry"), entryId: Id }),
  z.object({ intent: z.literal("map-session"), sessionId: LineText.min(1, "Pick a session.").max(200) }),
  z.object({ intent: z.literal("unmap-session"), sessionId: LineText.min(1).max(200) }),
]);

type ActionResult =
  { ok: true; message: string } | { ok: false; errors: Record<string, string>; values: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user, story } = await requireStory(request, params, "member");
  const form = parseForm(await request.formData(), IntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  switch (input.intent) {
    case "add": {
      if (input.credits === undefined && input.costUsd === undefined) {
        return invalid(
          { credits: "Give the credits, or the cost in USD." },
          { day: input.day, model: input.model ?? "", note: input.note ?? "" },
        );
      }
      try {
        const entry = await addManualEntry(db, {
          teamId: team.id,
          storyId: story.id,
          userId: user.id,
          day: input.day,
          credits: input.credits,
          costUsd: input.costUsd,
          model: input.model,
          note: input.note,
        });
        void checkBurnAlertsSoon(db, { teamId: team.id, origin: new URL(request.url).origin });
        return data<ActionResult>({ ok: true, message: `Added ${formatCredits(entry.credits)} credits.` });
      } catch (error) {
        if (error instanceof ManualEntryError) return invalid({ form: error.message });
        throw error;
      }
    }
    case "delete-entry":
      if (!(await deleteManualEntry(db, { teamId: team.id, entryId: input.entryId }))) {
        return invalid({
          form: "Only spend added by hand can be deleted here; imported spend leaves through its import's undo.",
        });
      }
      return data<ActionResult>({ ok: true, message: "Deleted." });
    case "map-session":
      await setSessionStory(db, { teamId: team.id, sessionId: input.sessionId, storyId: story.id, userId: user.id });
      return data<ActionResult>({
        ok: true,
        message: "Session mapped: its entries, now and later, count for this story.",
      });
    case "unmap-session":
      await removeSessionStory(db, { teamId: team.id, sessionId: input.sessionId });
      return data<ActionResult>({ ok: true, message: "Session unmapped." });
  }
}

const ATTRIBUTION: Record<string, string> = { key: "story key", session: "session", manual: "assigned" };

export default function StorySpend() {
  const { canEdit, story, entries, sessions, total, unmappedSessions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state !== "idle";
  const { team } = useParams();
  const errors = result && !result.ok ? result.errors : {};
  const values = result && !result.ok ? result.values : {};
  const ratio = spendRatio(story.expectedCredits, total.credits);
  const today = new Date().toISOString().slice(0, 10);
  return (
    <>
      <div className="page-header">
        <h1>
          Spend on {story.key ? <code>{story.key}</code> : null} {story.title}
        </h1>
        <div>
          <Link className="btn" to={`/t/${team}/stories/${story.id}`}>
            Story
          </Link>
          <Link className="btn" to={`/t/${team}/stories/${story.id}/outcome`}>
            Outcome note
          </Link>
        </div>
      </div>
      <div className="stack">
        <section className="cards" aria-label="Spend totals">
          <article className="card">
            <h2>Actual</h2>
            <p className="big-number">{formatCredits(total.credits)}</p>
            <p className="muted">
              credits in {total.entries} {total.entries === 1 ? "entry" : "entries"}
              {total.unpriced ? ` (${total.unpriced} unpriced)` : ""}
            </p>
          </article>
          <article className="card">
            <h2>Estimate</h2>
            <p className="big-number">{story.expectedCredits === null ? "—" : formatCredits(story.expectedCredits)}</p>
            <p className="muted">
              {story.expectedCredits === null
                ? "not estimated yet"
                : `expected credits${story.size ? ` (${story.size})` : ""}${ratio !== null ? ` · actual is ${describeSpendRatio(ratio)}` : ""}`}
            </p>
          </article>
        </section>
        <FormError message={errors.form} />
        {result?.ok ? (
          <div className="alert alert-ok" role="status">
            {result.message}
          </div>
        ) : null}

        <section className="card">
          <h2>Entries</h2>
          {entries.length ? (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Source</th>
                    <th scope="col">Model</th>
                    <th scope="col">Why it counts here</th>
                    <th scope="col" className="num">
                      Tokens
                    </th>
                    <th scope="col" className="num">
                      Credits
                    </th>
                    {canEdit ? <th scope="col">By hand</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr key={e.id}>
                      <th scope="row">{formatDay(e.day)}</th>
                      <td>
                        <span className="badge">{e.source}</span>
                      </td>
                      <td>{e.model ?? <span className="muted">—</span>}</td>
                      <td>
                        {ATTRIBUTION[e.attributedBy ?? ""] ?? "—"}
                        {e.note ? <span className="muted"> · {e.note}</span> : null}
                      </td>
                      <td className="num">{e.tokens ? e.tokens.toLocaleString("en-US") : "—"}</td>
                      <td className="num">
                        {e.credits === null ? (
                          <span className="badge badge-warn">unpriced</span>
                        ) : (
                          formatCredits(e.credits)
                        )}
                      </td>
                      {canEdit ? (
                        <td>
                          {e.source === "manual" ? (
                            <Form method="post">
                              <input type="hidden" name="intent" value="delete-entry" />
                              <input type="hidden" name="entryId" value={e.id} />
                              <button
                                type="submit"
                                className="btn btn-ghost btn-sm"
                                disabled={busy}
                                aria-label={`Delete the entry of ${formatDay(e.day)}`}
                              >
                                Delete
                              </button>
                            </Form>
                          ) : null}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No spend counts for this story yet.</p>
          )}
        </section>

        {canEdit ? (
          <section className="card stack">
            <h2>Add spend by hand</h2>
            <p className="muted">
              For spend no tool reports: a web chat, a one-off API call. Give credits, or the cost in USD.
            </p>
            <Form method="post" className="form-grid">
              <input type="hidden" name="intent" value="add" />
              <Field
                label="Day"
                name="day"
                type="date"
                required
                defaultValue={values.day ?? today}
                error={errors.day}
              />
              <Field
                label="Credits"
                name="credits"
                inputMode="decimal"
                defaultValue={values.credits}
                error={errors.credits}
              />
              <Field
                label="or cost (USD)"
                name="costUsd"
                inputMode="decimal"
                defaultValue={values.costUsd}
                error={errors.costUsd}
              />
              <Field label="Model" name="model" defaultValue={values.model} error={errors.model} />
              <Field label="Note" name="note" className="span-all" defaultValue={values.note} error={errors.note} />
              <div className="span-all">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  Add spend
                </button>
              </div>
            </Form>
          </section>
        ) : null}

        <section className="card stack">
          <h2>Sessions</h2>
          <p className="muted">A mapped session brings all its entries here, including the ones imported later.</p>
          {sessions.length ? (
            <ul className="plain-list">
              {sessions.map((s) => (
                <li key={s.sessionId} className="row">
                  <code>{s.sessionId}</code>
                  {canEdit ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="unmap-session" />
                      <input type="hidden" name="sessionId" value={s.sessionId} />
                      <button type="submit" className="btn btn-ghost btn-sm" disabled={busy}>
                        Unmap
                      </button>
                    </Form>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No sessions mapped to this story.</p>
          )}
          {canEdit && unmappedSessions.length ? (
            <Form method="post" className="toolbar">
              <input type="hidden" name="intent" value="map-session" />
              <Field label="Map a session" name="sessionId" error={errors.sessionId}>
                {(control) => (
                  <select {...control} defaultValue="">
                    <option value="" disabled>
                      Pick a session…
                    </option>
                    {unmappedSessions.map((s) => (
                      <option key={s.sessionId} value={s.sessionId!}>
                        {s.sessionId!.slice(0, 8)}… · {formatDayRange(s.firstDay, s.lastDay)} · {s.entries}{" "}
                        {s.entries === 1 ? "entry" : "entries"}
                        {s.repository ? ` · ${s.repository}` : ""}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <button type="submit" className="btn" disabled={busy}>
                Map
              </button>
            </Form>
          ) : null}
        </section>
      </div>
    </>
  );
}
