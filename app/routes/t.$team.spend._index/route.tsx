import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useParams, useSearchParams } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { queryDay, queryText, sortParam } from "~/domain/form-fields";
import { InboxTable } from "~/components/spend/inbox-table";
import type { RowSelectionState, SortingState } from "~/components/ui/data-table";
import { FormError } from "~/components/ui/field";
import { roleAtLeast } from "~/domain/roles";
import { AssignError, assignEntries, INBOX_SORTS, type InboxSort } from "~/models/spend.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { AssignBar } from "./assign-bar";
import { InboxFilters } from "./inbox-filters";
import { SpendIntentSchema } from "./intents";
import { loadInbox } from "./queries.server";
import { SpendOverview } from "./spend-overview";
import { formatCredits } from "~/domain/credits";

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
  const filters = {
    member: query.member,
    repository: query.repository,
    model: query.model,
    from: query.from,
    to: query.to,
  };
  const [overview, inbox, options, stories] = await loadInbox(db, team.id, {
    filters,
    sort: query.sort?.id,
    desc: query.sort?.desc,
    limit: INBOX_LIMIT,
  });
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

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "member");
  const form = parseForm(await request.formData(), SpendIntentSchema);
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
    const sessions = result.sessions
      ? ` and ${result.sessions} ${result.sessions === 1 ? "session" : "sessions"} mapped, so their later entries follow`
      : "";
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

type ActionResult =
  | { ok: true; storyId: number; message: string }
  | { ok: false; errors: Record<string, string>; values: Record<string, string> };

export default function SpendInbox() {
  const { canAssign, overview, entries, total, limit, options, stories, filters, sorting } =
    useLoaderData<typeof loader>();
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
      <SpendOverview overview={overview} team={team} />

      <section className="card stack">
        <h2>Unattributed entries</h2>
        <InboxFilters filters={filters} options={options} sorting={sorting} filtered={filtered} team={team} />

        <p className="muted" aria-live="polite">
          {total.entries.toLocaleString("en-US")} {total.entries === 1 ? "entry" : "entries"} ·{" "}
          {formatCredits(total.credits)} credits
          {filtered ? " matching the filters" : ""}
          {total.entries > limit ? ` — showing the first ${limit}; narrow the filters to see the rest` : ""}
        </p>

        {canAssign ? <AssignBar stories={stories} errors={errors} busy={busy} selected={selected} /> : null}
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
                <p>
                  {filtered
                    ? "Clear the filters to see all unattributed spend."
                    : "New imports land here when they carry no story key."}
                </p>
              </div>
            }
          />
        </div>
      </section>
    </div>
  );
}
