// Filters above the backlog: a plain GET form, so the state lives in the URL and works before JS
// loads; with JS a changed select applies at once.
import { Form, Link, useLocation, useSubmit } from "@remix-run/react";
import { STATUS_LABELS, type StoryStatus } from "~/components/backlog/story-badges";

export interface BacklogQueryView {
  view: "table" | "order";
  sort: string | null;
  status: StoryStatus | null;
  label: string | null;
  size: string | null;
  level: string | null;
  q: string;
  archived: boolean;
}

interface DimensionOption {
  id: string;
  label: string;
  levels: { id: string; label: string }[];
}

export function BacklogFilters({
  query,
  labels,
  sizes,
  dimensions,
}: {
  query: BacklogQueryView;
  labels: string[];
  sizes: string[];
  dimensions: DimensionOption[];
}) {
  const submit = useSubmit();
  const { pathname } = useLocation();
  const active = Boolean(query.status || query.label || query.size || query.level || query.q);
  return (
    <Form
      method="get"
      className="toolbar backlog-filters"
      role="search"
      aria-label="Filter stories"
      onChange={(e) => {
        if (e.target instanceof HTMLSelectElement) submit(e.currentTarget, { replace: true, preventScrollReset: true });
      }}
    >
      {query.view !== "table" ? <input type="hidden" name="view" value={query.view} /> : null}
      {query.sort ? <input type="hidden" name="sort" value={query.sort} /> : null}
      {query.archived ? <input type="hidden" name="archived" value="1" /> : null}
      <div className="field">
        <label htmlFor="filter-q">Search</label>
        <input id="filter-q" type="search" name="q" defaultValue={query.q} placeholder="Title or key" />
      </div>
      <div className="field">
        <label htmlFor="filter-status">Status</label>
        <select id="filter-status" name="status" defaultValue={query.status ?? ""}>
          <option value="">Any status</option>
          {(Object.keys(STATUS_LABELS) as StoryStatus[]).map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-label">Label</label>
        <select id="filter-label" name="label" defaultValue={query.label ?? ""}>
          <option value="">Any label</option>
          {labels.map((l) => (
            <option key={l}>{l}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-size">Size</label>
        <select id="filter-size" name="size" defaultValue={query.size ?? ""}>
          <option value="">Any size</option>
          <option value="none">Unestimated</option>
          {sizes.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-level">Dimension level</label>
        <select id="filter-level" name="level" defaultValue={query.level ?? ""}>
          <option value="">Any level</option>
          {dimensions.map((d) => (
            <optgroup key={d.id} label={d.label}>
              {d.levels.map((l) => (
                <option key={l.id} value={`${d.id}:${l.id}`}>
                  {d.label}: {l.label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <div className="toolbar-actions">
        <button type="submit" className="btn">
          Apply
        </button>
        {active ? (
          <Link className="btn btn-ghost" to={{ pathname, search: clearSearch(query) }}>
            Clear
          </Link>
        ) : null}
      </div>
    </Form>
  );
}

function clearSearch(query: BacklogQueryView): string {
  const params = new URLSearchParams();
  if (query.view !== "table") params.set("view", query.view);
  if (query.sort) params.set("sort", query.sort);
  if (query.archived) params.set("archived", "1");
  return params.toString();
}
