import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useParams, useSearchParams } from "@remix-run/react";
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
import type { SpendData } from "./spend-data";
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
  // 1-based; junk, 0 or a page past any plausible inbox (1e308, say) is page 1.
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

/** Rows per inbox page: one screen of a table you can still scan (the whole inbox was 5,800 px). */
const INBOX_PAGE_SIZE = 50;

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
  const page = query.page ?? 1;
  const [overview, inbox, options, stories] = await loadInbox(db, team.id, {
    filters,
    sort: query.sort?.id,
    desc: query.sort?.desc,
    limit: INBOX_PAGE_SIZE,
    offset: (page - 1) * INBOX_PAGE_SIZE,
  });
  const pages = Math.max(1, Math.ceil(inbox.total.entries / INBOX_PAGE_SIZE));
  // A page that no longer exists (entries were assigned, a filter narrowed them): its last page.
  if (page > pages) {
    const url = new URL(request.url);
    if (pages === 1) url.searchParams.delete("page");
    else url.searchParams.set("page", String(pages));
    throw redirect(url.pathname + url.search);
  }
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
    paging: { page, pages, size: INBOX_PAGE_SIZE },
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
  const { canAssign, overview, entries, total, paging, options, stories, filters, sorting } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const { team } = useParams();
  const [selection, setSelection] = useState<RowSelectionState>({});
  const selected = Object.keys(selection).filter((id) => selection[id]).length;
  const busy = navigation.state !== "idle";

  // After an assignment the rows leave the inbox, and another page shows other rows: forget them.
  useEffect(() => {
    if (result?.ok) setSelection({});
  }, [result]);
  const pageKey = searchParams.toString();
  useEffect(() => setSelection({}), [pageKey]);

  const sortHref = (next: SortingState) => {
    const params = new URLSearchParams(searchParams);
    const first = next[0];
    if (first) params.set("sort", `${first.id}${first.desc ? ".desc" : ""}`);
    else params.delete("sort");
    params.delete("page"); // a new order starts at its first page
    const qs = params.toString();
    return qs ? `?${qs}` : "?";
  };
  const filtered = Object.values(filters).some(Boolean);
  const errors = result && !result.ok ? result.errors : {};

  return (
    <div className="stack">
      <SpendOverview overview={overview} team={team} />

      <section className="card stack" aria-labelledby="inbox-h">
        <h2 id="inbox-h">Unattributed entries</h2>
        <InboxFilters filters={filters} options={options} sorting={sorting} filtered={filtered} team={team} />

        <p className="muted" aria-live="polite">
          {total.entries.toLocaleString("en-US")} {total.entries === 1 ? "entry" : "entries"} ·{" "}
          {formatCredits(total.credits)} credits
          {filtered ? " matching the filters" : ""}
          {paging.pages > 1
            ? ` · showing ${((paging.page - 1) * paging.size + 1).toLocaleString("en-US")}–${Math.min(paging.page * paging.size, total.entries).toLocaleString("en-US")}`
            : ""}
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
        <Pager paging={paging} searchParams={searchParams} />
      </section>
    </div>
  );
}

/** Previous / next links that keep the filters and the sort (plain links: they work before JS loads). */
function Pager({ paging, searchParams }: { paging: SpendData["paging"]; searchParams: URLSearchParams }) {
  if (paging.pages <= 1) return null;
  const href = (page: number) => {
    const params = new URLSearchParams(searchParams);
    if (page === 1) params.delete("page");
    else params.set("page", String(page));
    const qs = params.toString();
    // To the table's heading, not the page's top (the overview cards come first).
    return `${qs ? `?${qs}` : "?"}#inbox-h`;
  };
  return (
    <nav className="row pager" aria-label="Inbox pages">
      {paging.page > 1 ? (
        <Link to={href(paging.page - 1)} className="btn" rel="prev">
          ← Previous {paging.size}
        </Link>
      ) : null}
      <span>
        Page {paging.page} of {paging.pages}
      </span>
      {paging.page < paging.pages ? (
        <Link to={href(paging.page + 1)} className="btn" rel="next">
          Next {paging.size} →
        </Link>
      ) : null}
    </nav>
  );
}
