import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { Id, LineText, OptionalId, queryFlag, queryText, sortParam } from "~/domain/form-fields";
import { BacklogFilters, type BacklogQueryView } from "~/components/backlog/backlog-filters";
import { StoryOrder } from "~/components/backlog/story-order";
import { StoryTable } from "~/components/backlog/story-table";
import type { SortingState } from "~/components/ui/data-table";
import { FormError } from "~/components/ui/field";
import { roleAtLeast } from "~/domain/roles";
import { DIMENSIONS, type DimensionId } from "~/domain/sizing-scheme";
import { MAX_TITLE_LENGTH, splitLeadingKey } from "~/domain/story-import";
import { getCurrentScheme } from "~/models/scheme.server";
import {
  createStory,
  DuplicateKeyError,
  findExistingKeys,
  listLabels,
  listStories,
  moveStory,
  STORY_SORTS,
  STORY_STATUSES,
  type StoryFilters,
  type StorySort,
} from "~/models/story.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Backlog · Token Poker" }];

const SORT_IDS = Object.keys(STORY_SORTS) as StorySort[];
const DIMENSION_IDS = DIMENSIONS.map((d) => d.id);
const optionalText = queryText;

// The table state in the URL. Anything unreadable falls back to the default rather than failing
// the page: URLs get shared, edited and truncated.
const BacklogQuerySchema = z.object({
  view: z.enum(["table", "order"]).catch("table"),
  sort: sortParam(SORT_IDS.filter((id) => id !== "rank")),
  status: z
    .enum(STORY_STATUSES as [string, ...string[]])
    .optional()
    .catch(undefined),
  label: optionalText(60),
  size: optionalText(20),
  level: z
    .string()
    .optional()
    .transform((v) => {
      const [dimension, level] = (v ?? "").split(":");
      return dimension && level && DIMENSION_IDS.includes(dimension as DimensionId)
        ? { dimension: dimension as DimensionId, level }
        : null;
    })
    .catch(null),
  q: optionalText(100),
  archived: queryFlag,
  added: z.coerce.number().int().min(0).max(1_000_000).optional().catch(undefined),
  updated: z.coerce.number().int().min(0).max(1_000_000).optional().catch(undefined),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const query = BacklogQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const filters: StoryFilters = {
    status: query.status as StoryFilters["status"],
    label: query.label,
    size: query.size && query.size !== "none" ? query.size : undefined,
    unestimated: query.size === "none",
    q: query.q,
    archived: query.archived,
    ...(query.level ? { [query.level.dimension]: query.level.level } : {}),
  };
  // The order view is the backlog's order by definition: a column sort would make dragging lie.
  const sort = query.view === "order" ? null : query.sort;
  const [stories, labels, scheme] = await Promise.all([
    listStories(db, { teamId: team.id, filters, sort: sort?.id ?? "rank", desc: sort?.desc }),
    listLabels(db, team.id),
    getCurrentScheme(db, team.id),
  ]);
  const view: BacklogQueryView = {
    view: query.archived ? "table" : query.view,
    sort: query.sort ? `${query.sort.id}${query.sort.desc ? ".desc" : ""}` : null,
    status: (query.status ?? null) as BacklogQueryView["status"],
    label: query.label ?? null,
    size: query.size ?? null,
    level: query.level ? `${query.level.dimension}:${query.level.level}` : null,
    q: query.q ?? "",
    archived: query.archived,
  };
  return {
    stories: stories.map((s) => ({
      id: s.id,
      key: s.key,
      title: s.title,
      labels: s.labels,
      status: s.status,
      size: s.size,
      expectedCredits: s.expectedCredits,
      p80Credits: s.p80Credits,
      estimateSource: s.estimateSource,
      trackerClosed: s.trackerClosed,
    })),
    labels,
    sizes: scheme.scheme.bands.map((b) => b.label),
    dimensions: DIMENSIONS.map((d) => ({
      ...d,
      levels: scheme.scheme[d.id].map((l) => ({ id: l.id, label: l.label })),
    })),
    query: view,
    sorting: (query.sort && view.view === "table"
      ? [{ id: query.sort.id, desc: query.sort.desc }]
      : []) as SortingState,
    added: query.added ?? null,
    updated: query.updated ?? null,
    canEdit: roleAtLeast(role, "member"),
    backlog: `/t/${team.slug}/backlog`,
    storiesBase: `/t/${team.slug}/stories`,
  };
}

const BacklogIntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("move"), storyId: Id, beforeId: OptionalId, afterId: OptionalId }),
  z.object({
    intent: z.literal("quick-add"),
    line: LineText.min(1, "Type a title, optionally after its key").max(MAX_TITLE_LENGTH + 50),
  }),
]);

type ActionResult = {
  ok: true;
  errors: Record<string, string>;
  values: Record<string, string>;
  added?: { id: number; title: string };
};

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team } = await requireTeamRole(request, params.team, "member");
  const form = parseForm(await request.formData(), BacklogIntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  switch (input.intent) {
    case "move": {
      const moved = await moveStory(db, {
        teamId: team.id,
        storyId: input.storyId,
        beforeId: input.beforeId,
        afterId: input.afterId,
      });
      if (!moved) return invalid({ form: "That story or its neighbours are gone; the list shows the current order." });
      return data<ActionResult>({ ok: true, errors: {}, values: {} });
    }
    case "quick-add": {
      const { key, title } = splitLeadingKey(input.line, team.keyPattern);
      if (!title) return invalid({ line: `Add a title after ${key}` }, { line: input.line });
      if (title.length > MAX_TITLE_LENGTH)
        return invalid({ line: `Keep the title to ${MAX_TITLE_LENGTH} characters` }, { line: input.line });
      if (key && (await findExistingKeys(db, { teamId: team.id, keys: [key] })).length) {
        return invalid({ line: `${key} is already a story in this team` }, { line: input.line });
      }
      try {
        const created = await createStory(db, { teamId: team.id, key, title, link: null, labels: [], description: "" });
        return data<ActionResult>({
          ok: true,
          errors: {},
          values: {},
          added: { id: created.id, title: created.title },
        });
      } catch (error) {
        if (error instanceof DuplicateKeyError) return invalid({ line: error.message }, { line: input.line });
        throw error;
      }
    }
  }
}

export default function BacklogPage() {
  const { stories, labels, sizes, dimensions, query, sorting, added, updated, canEdit, backlog, storiesBase } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as
    (ActionResult | { ok: false; errors: Record<string, string>; values: Record<string, string> }) | undefined;
  const { pathname, search } = useLocation();
  const navigation = useNavigation();
  const quickAdd = useRef<HTMLFormElement>(null);
  const justAdded = result?.ok ? result.added : undefined;
  useEffect(() => {
    if (justAdded) quickAdd.current?.reset();
  }, [justAdded]);

  const withParams = (patch: Record<string, string | null>) => {
    const params = new URLSearchParams(search);
    params.delete("added");
    params.delete("updated");
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) params.delete(k);
      else params.set(k, v);
    }
    const s = params.toString();
    return s ? `${pathname}?${s}` : pathname;
  };
  const sortHref = (next: SortingState) =>
    withParams({ sort: next[0] ? `${next[0].id}${next[0].desc ? ".desc" : ""}` : null });
  const filtered = Boolean(query.status || query.label || query.size || query.level || query.q);
  const empty = filtered ? (
    <p>No story matches these filters.</p>
  ) : query.archived ? (
    <p>No archived stories.</p>
  ) : (
    <div className="stack">
      <p>The backlog is empty.</p>
      {canEdit ? (
        <p>
          <Link to={`${backlog}/new`}>Add stories</Link> one by one, paste a list of titles, or import a CSV — or{" "}
          <Link to={`${backlog}/import`}>import from Jira, Linear, GitHub or Azure Boards</Link>.
        </p>
      ) : null}
    </div>
  );

  return (
    <>
      <div className="page-header">
        <div>
          <h1>{query.archived ? "Archived stories" : "Backlog"}</h1>
          <p className="muted page-subtitle">
            {stories.length} {stories.length === 1 ? "story" : "stories"}
            {filtered ? " match" : ""}
            {query.archived ? (
              <>
                {" · "}
                <Link to={pathname}>Back to the backlog</Link>
              </>
            ) : null}
          </p>
        </div>
        <div>
          {!query.archived ? (
            <nav className="segmented" aria-label="Backlog view">
              <Link to={withParams({ view: null })} aria-current={query.view === "table" ? "page" : undefined}>
                Table
              </Link>
              <Link
                to={withParams({ view: "order", sort: null })}
                aria-current={query.view === "order" ? "page" : undefined}
              >
                Order
              </Link>
            </nav>
          ) : null}
          {canEdit ? (
            <>
              <Link className="btn" to={`${backlog}/import`}>
                Import from a tracker
              </Link>
              <Link className="btn btn-primary" to={`${backlog}/new`}>
                Add stories
              </Link>
            </>
          ) : null}
        </div>
      </div>

      {added || updated ? (
        <p className="alert alert-ok" role="status">
          {added ? `Added ${added} ${added === 1 ? "story" : "stories"} at the end of the backlog.` : ""}
          {added && updated ? " " : ""}
          {updated ? `Updated ${updated} ${updated === 1 ? "story" : "stories"} from the tracker.` : ""}
        </p>
      ) : null}
      <FormError message={result?.errors.form} />

      {canEdit && !query.archived ? (
        <Form method="post" className="quick-add" ref={quickAdd} aria-label="Add a story">
          <input type="hidden" name="intent" value="quick-add" />
          <label htmlFor="quick-add-line" className="sr-only">
            New story
          </label>
          <input
            id="quick-add-line"
            name="line"
            placeholder="PAY-450 Title of a new story"
            defaultValue={result && !result.ok ? result.values.line : undefined}
            aria-invalid={result?.errors.line ? true : undefined}
            aria-describedby={result?.errors.line ? "quick-add-error" : "quick-add-hint"}
            maxLength={MAX_TITLE_LENGTH + 50}
            required
          />
          <button type="submit" className="btn" disabled={navigation.state === "submitting"}>
            Add
          </button>
          {result?.errors.line ? (
            <p id="quick-add-error" className="field-error">
              {result.errors.line}
            </p>
          ) : justAdded ? (
            <p id="quick-add-hint" className="field-hint" role="status">
              Added <Link to={`${storiesBase}/${justAdded.id}`}>{justAdded.title}</Link> at the end.
            </p>
          ) : (
            <p id="quick-add-hint" className="field-hint">
              A leading key (PAY-450) is recognised. Lists and CSV files go through{" "}
              <Link to={`${backlog}/new`}>Add stories</Link>.
            </p>
          )}
        </Form>
      ) : null}

      <BacklogFilters query={query} labels={labels} sizes={sizes} dimensions={dimensions} />

      {query.view === "order" ? (
        stories.length ? (
          <StoryOrder stories={stories} canEdit={canEdit} filtered={filtered} />
        ) : (
          <div className="card empty-state">{empty}</div>
        )
      ) : (
        <StoryTable stories={stories} sorting={sorting} sortHref={sortHref} empty={empty} />
      )}

      {!query.archived ? (
        <p className="muted backlog-footer">
          <Link to={withParams({ archived: "1", view: null })}>Archived stories</Link>
        </p>
      ) : null}
    </>
  );
}
