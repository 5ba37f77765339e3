// The inbox filters (state in the URL, so they work without JavaScript).
import { Form, Link } from "@remix-run/react";
import type { SpendData } from "./spend-data";

export function InboxFilters({
  filters,
  options,
  sorting,
  filtered,
  team,
}: {
  filters: SpendData["filters"];
  options: SpendData["options"];
  sorting: SpendData["sorting"];
  filtered: boolean;
  team: string | undefined;
}) {
  return (
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
      {sorting[0] ? (
        <input type="hidden" name="sort" value={`${sorting[0].id}${sorting[0].desc ? ".desc" : ""}`} />
      ) : null}
      <button type="submit" className="btn">
        Filter
      </button>
      {filtered ? (
        <Link to={`/t/${team}/spend`} className="btn btn-ghost">
          Clear
        </Link>
      ) : null}
    </Form>
  );
}
