import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useParams, useSearchParams } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { Checkbox, Id, id, listOf, queryDay, queryText, sortParam } from "~/domain/form-fields";
import { InboxTable } from "~/components/spend/inbox-table";
import type { RowSelectionState, SortingState } from "~/components/ui/data-table";
import { FormError } from "~/components/ui/field";
import { formatCredits } from "~/domain/spend/import-result";
import { roleAtLeast } from "~/domain/roles";
import {
  AssignError,
  assignEntries,
  getInboxFilterOptions,
  getSpendOverview,
  INBOX_SORTS,
  listUnattributed,
  type InboxSort,
} from "~/models/spend.server";
import { listStories } from "~/models/story.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Spend · Token Poker" }];

const SORTS = Object.keys(INBOX_SORTS) as InboxSort[];
const day = queryDay;
const text = queryText(300);

// Filters and sort live in the URL (shareable, work without JS); junk falls back to the default.
const QuerySchema = z.object({
  member: text,
  repository: text,
  model: text,
  from: day,
  to: day,
  sort: sortParam(SORTS),
});

const INBOX_LIMIT = 500;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const query = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const filters = { member: query.member, repository: query.repository, model: query.model, from: query.from, to: query.to };
  const [overview, inbox, options, stories] = await Promise.all([
    getSpendOverview(db, team.id),
    listUnattributed(db, { teamId: team.id, filters, sort: query.sort?.id, desc: query.sort?.desc, limit: INBOX_LIMIT }),
    getInboxFilterOptions(db, team.id),
    listStories(db, { teamId: team.id, limit: 1000 }),
  ]);
  return {
    canAssign: roleAtLeast(role, "member"),
    overview,
    entries: inbox.rows.map((r) => ({
      id: r.id,
      day: r.day,
      source: r.source,
      model: r.model,
      externalUser: r.externalUser,
      memberName: r.memberName,
      sessionId: r.sessionId,
      repository: r.repository,
      tokens: Number(r.tokens),
      credits: r.credits,
    })),
    total: inbox.total,
    limit: INBOX_LIMIT,
    options,
    stories: stories.map((s) => ({ id: s.id, key: s.key, title: s.title, status: s.status })),
    filters,
    sorting: (query.sort ? [{ id: query.sort.id, desc: query.sort.desc }] : []) as SortingState,
  };
}

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("assign"),
    entryId: listOf(z.array(Id).min(1, "Select the entries to assign first.").max(5000, "Assign at most 5,000 entries at once.")),
    storyId: id("Pick a story."),
    mapSessions: Checkbox,
  }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "member");
  const form = parseForm(await request.formData(), ActionSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  try {
    const result = await assignEntries(db, {
      teamId: team.id,
      entryIds: input.entryId,
      storyId: input.storyId,
      mapSessions: input.mapSessions,
      userId: user.id,
    });
    const sessions = result.sessions ? ` and ${result.sessions} ${result.sessions === 1 ? "session" : "sessions"} mapped, so their later entries follow` : "";
    return data({
      ok: true as const,
      storyId: input.storyId,
      message: `Assigned ${result.assigned} ${result.assigned === 1 ? "entry" : "entries"}${sessions}.`,
    });
  } catch (error) {
    if (error instanceof AssignError) return invalid({ storyId: error.message });
    throw error;
  }
}

type ActionResult = { ok: true; storyId: number; message: string } | { ok: false; errors: Record<string, string>; values: Record<string, string> };

const STATUS_ORDER = ["committed", "estimated", "backlog", "done"] as const;
const STATUS_LABEL: Record<string, string> = { committed: "Committed", estimated: "Estimated", backlog: "Backlog", done: "Done" };

export default function SpendInbox() {
  const { canAssign, overview, entries, total, limit, options, stories, filters, sorting } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const { team } = useParams();
  const [selection, setSelection] = useState<RowSelectionState>({});
  const selected = Object.keys(selection).filter((id) => selection[id]).length;
  const busy = navigation.state !== "idle";

  // After an assignment the rows leave the inbox: forget them.
  useEffect(() => {
    if (result?.ok) setSelection({});
  }, [result]);

  const sortHref = (next: SortingState) => {
    const params = new URLSearchParams(searchParams);
    const first = next[0];
    if (first) params.set("sort", `${first.id}${first.desc ? ".desc" : ""}`);
    else params.delete("sort");
    const qs = params.toString();
    return qs ? `?${qs}` : "?";
  };
  const filtered = Object.values(filters).some(Boolean);
  const errors = result && !result.ok ? result.errors : {};

  return (
    <div className="stack">
      <section className="cards spend-cards" aria-label="Spend overview">
        <article className="card">
          <h2>Imported spend</h2>
          <p className="big-number">{formatCredits(overview.credits)}</p>
          <p className="muted">
            credits in {overview.entries.toLocaleString("en-US")} {overview.entries === 1 ? "entry" : "entries"}
          </p>
          <Link to={`/t/${team}/spend/import`}>Import more</Link>
        </article>
        <article className="card">
          <h2>Unattributed</h2>
          <p className="big-number">{formatCredits(overview.unattributed.credits)}</p>
          <p className="muted">
            credits in {overview.unattributed.entries.toLocaleString("en-US")} {overview.unattributed.entries === 1 ? "entry" : "entries"} with
            no story yet
          </p>
        </article>
        {overview.unpriced.entries ? (
          <article className="card">
            <h2>Unpriced</h2>
            <p className="big-number">{overview.unpriced.entries.toLocaleString("en-US")}</p>
            <p className="muted">
              {overview.unpriced.entries === 1 ? "entry" : "entries"} on models the rate card lacks:{" "}
              {overview.unpriced.models.map((m) => m.model).join(", ")}.
            </p>
            <Link to={`/t/${team}/settings/rates`}>Add them to the rate card</Link>
          </article>
        ) : null}
        {overview.waiting.length ? (
          <article className="card">
            <h2>Waiting for stories</h2>
            <p className="muted">These keys appear in the data but no story has them yet; the spend attaches as soon as one does.</p>
            <ul className="plain-list">
              {overview.waiting.slice(0, 6).map((w) => (
                <li key={w.key}>
                  <code>{w.key}</code> — {formatCredits(w.credits)} credits
                </li>
              ))}
            </ul>
            {overview.waiting.length > 6 ? <p className="muted">and {overview.waiting.length - 6} more</p> : null}
          </article>
        ) : null}
      </section>

      <section className="card stack">
        <h2>Unattributed entries</h2>
        <Form method="get" className="toolbar spend-filters" aria-label="Filter entries">
          <div className="field">
            <label htmlFor="f-member">Member</label>
            <select id="f-member" name="member" defaultValue={filters.member ?? ""}>
              <option value="">Anyone</option>
              {options.members.length ? (
                <optgroup label="Members">
                  {options.members.map((m) => (
                    <option key={m.value} value={m.value}>
                      {m.label}
                    </option>
                  ))}
                </optgroup>
              ) : null}
              {options.identities.length ? (
                <optgroup label="Not mapped yet">
                  {options.identities.map((m) => (
                    <option key={m.value} value={m.value}>
                      {m.label}
                    </option>
                  ))}
                </optgroup>
              ) : null}
              {options.anonymous ? <option value="none">No user in the data</option> : null}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-repository">Repository</label>
            <select id="f-repository" name="repository" defaultValue={filters.repository ?? ""}>
              <option value="">Any</option>
              {options.repositories.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-model">Model</label>
            <select id="f-model" name="model" defaultValue={filters.model ?? ""}>
              <option value="">Any</option>
              {options.models.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-from">From</label>
            <input id="f-from" type="date" name="from" defaultValue={filters.from ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="f-to">To</label>
            <input id="f-to" type="date" name="to" defaultValue={filters.to ?? ""} />
          </div>
          {sorting[0] ? <input type="hidden" name="sort" value={`${sorting[0].id}${sorting[0].desc ? ".desc" : ""}`} /> : null}
          <button type="submit" className="btn">
            Filter
          </button>
          {filtered ? (
            <Link to={`/t/${team}/spend`} className="btn btn-ghost">
              Clear
            </Link>
          ) : null}
        </Form>

        <p className="muted" aria-live="polite">
          {total.entries.toLocaleString("en-US")} {total.entries === 1 ? "entry" : "entries"} · {formatCredits(total.credits)} credits
          {filtered ? " matching the filters" : ""}
          {total.entries > limit ? ` — showing the first ${limit}; narrow the filters to see the rest` : ""}
        </p>

        {canAssign ? (
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
        ) : null}
        <FormError message={errors.entryId ?? errors.form} />
        {result?.ok ? (
          <div className="alert alert-ok" role="status">
            {result.message}
          </div>
        ) : null}

        <div className="table-wrap">
          <InboxTable
            entries={entries}
            sorting={sorting}
            sortHref={sortHref}
            selection={canAssign ? selection : undefined}
            onSelectionChange={setSelection}
            formId={canAssign ? "assign-form" : undefined}
            empty={
              <div className="empty-state">
                <h3>{filtered ? "Nothing matches these filters" : "Every entry has a story"}</h3>
                <p>{filtered ? "Clear the filters to see all unattributed spend." : "New imports land here when they carry no story key."}</p>
              </div>
            }
          />
        </div>
      </section>
    </div>
  );
}
