// The stories table with its filters (state in the URL, so it works without JavaScript).
import { Form, Link } from "@remix-run/react";
import { RetroTable } from "~/components/retro/retro-table";
import type { SortingState } from "~/components/ui/data-table";
import { BAND_FILTERS } from "~/domain/retro";
import type { RetroData } from "./retro-data";

export function StoriesSection({
  d,
  withParams,
  sortHref,
}: {
  d: RetroData;
  withParams: (patch: Record<string, string | null>) => string;
  sortHref: (next: SortingState) => string;
}) {
  return (
    <section aria-labelledby="stories-title" className="retro-section" id="stories">
      <h3 id="stories-title">
        Stories <span className="muted">{d.query.filtered ? `${d.table.length} of ${d.total}` : d.total}</span>
      </h3>
      <Form method="get" className="toolbar retro-filters" aria-label="Filter stories">
        {d.query.sort ? <input type="hidden" name="sort" value={d.query.sort} /> : null}
        <div className="field">
          <label htmlFor="retro-q">Search</label>
          <input id="retro-q" type="search" name="q" defaultValue={d.query.q} placeholder="Key or title" />
        </div>
        <div className="field">
          <label htmlFor="retro-size">Size</label>
          <select id="retro-size" name="size" defaultValue={d.query.size}>
            <option value="">Any</option>
            {d.sizes.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
            <option value="none">Not estimated</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="retro-level">Level</label>
          <select id="retro-level" name="level" defaultValue={d.query.level}>
            <option value="">Any</option>
            {d.dimensions.map((dim) => (
              <optgroup key={dim.id} label={dim.label}>
                {dim.levels.map((l) => (
                  <option key={l.id} value={`${dim.id}:${l.id}`}>
                    {l.label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="retro-band">Band</label>
          <select id="retro-band" name="band" defaultValue={d.query.band}>
            <option value="">Any</option>
            {BAND_FILTERS.map((b) => (
              <option key={b} value={b}>
                {b === "in" ? "In band" : b === "out" ? "Out of band" : "Unknown"}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="retro-missing">Missing</label>
          <select id="retro-missing" name="missing" defaultValue={d.query.missing}>
            <option value="">—</option>
            <option value="estimate">No estimate</option>
            <option value="spend">No spend</option>
          </select>
        </div>
        <label className="field-check">
          <input type="checkbox" name="outliers" value="1" defaultChecked={d.query.outliers} /> Outliers only
        </label>
        <button type="submit" className="btn">
          Filter
        </button>
        {d.query.filtered ? (
          <Link
            to={withParams({ q: null, size: null, level: null, band: null, missing: null, outliers: null })}
            className="btn btn-ghost"
          >
            Clear
          </Link>
        ) : null}
      </Form>
      <RetroTable
        rows={d.table}
        sorting={d.sorting}
        sortHref={sortHref}
        empty={<p>No story matches these filters.</p>}
        labels={Object.fromEntries(
          d.dimensions.map((dim) => [dim.id, Object.fromEntries(dim.levels.map((l) => [l.id, l.label]))]),
        )}
      />
    </section>
  );
}
