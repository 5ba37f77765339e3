// A sprint's retrospective: estimate against actual for every committed story, the summary in
// plain words, breakdowns by shape of work, two charts, the outliers with their inspection notes,
// the table (state in the URL), and what earlier retrospectives wrote down. A tab of the sprint's
// layout (which shows the sprint's name, dates and status above it).
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Id } from "~/domain/form-fields";
import { formatCredits } from "~/components/backlog/story-bits";
import { BreakdownTable } from "~/components/retro/breakdown-table";
import { CalibrationScatter, type ScatterBand, type ScatterPoint } from "~/components/retro/calibration-scatter";
import { DriftHistogram } from "~/components/retro/drift-histogram";
import { MissExplanationPanel } from "~/components/retro/miss-explanation";
import { NoteView, OutlierCard, type NoteFormState } from "~/components/retro/outlier-card";
import { RetroTable, type RetroTableRow } from "~/components/retro/retro-table";
import type { SortingState } from "~/components/ui/data-table";
import { driftHistogram } from "~/domain/drift";
import { explainMisses } from "~/domain/miss-explanation";
import {
  applyRetroQuery,
  BAND_FILTERS,
  describeSpread,
  formatShare,
  isFiltered,
  outlierRows,
  parseRetroQuery,
  retroNoteProblems,
  RetroNoteSchema,
  schemeOrder,
  summarizeRetro,
} from "~/domain/retro";
import { roleAtLeast } from "~/domain/roles";
import { DIMENSIONS } from "~/domain/sizing-scheme";
import { listSprintExtensions } from "~/models/budget.server";
import { getRetro, listEarlierNotes, saveRetroNote } from "~/models/retro.server";
import { getCurrentScheme } from "~/models/scheme.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid, notFound } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Retrospective · ${data?.sprint.name ?? "Sprint"} · Token Poker` }];

const SprintIdSchema = Id;
const InspectSchema = Id.optional().catch(undefined);
/** How many un-noted outliers open their form without being asked. */
const OPEN_FORMS = 5;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const sprintId = SprintIdSchema.safeParse(params.id);
  if (!sprintId.success) notFound("Sprint not found");
  const [retro, scheme] = await Promise.all([getRetro(db, { teamId: team.id, sprintId: sprintId.data }), getCurrentScheme(db, team.id)]);
  if (!retro) notFound("Sprint not found");
  const query = parseRetroQuery(new URL(request.url).searchParams);
  const earlier = await listEarlierNotes(db, { teamId: team.id, before: retro.sprint.start });
  const extensions = await listSprintExtensions(db, { teamId: team.id, sprintId: sprintId.data });

  const summary = summarizeRetro(retro.rows, scheme.scheme);
  const withNotes: RetroTableRow[] = retro.rows.map((r) => ({ ...r, note: retro.notes[r.storyId] ?? null }));
  const table = applyRetroQuery(withNotes, query, schemeOrder(scheme.scheme)) as RetroTableRow[];
  // The furthest-off outliers without a note open for inspection, and the one asked for.
  const inspect = InspectSchema.parse(new URL(request.url).searchParams.get("inspect") ?? undefined);
  let unnoted = 0;
  const outliers = (outlierRows(withNotes) as RetroTableRow[]).map((row) => ({
    ...row,
    open: row.storyId === inspect || (!row.note && unnoted++ < OPEN_FORMS),
  }));

  const points: ScatterPoint[] = retro.rows.flatMap((r) =>
    r.expected !== null && r.expected > 0 && r.actual !== null && r.drift.ratio !== null
      ? [{ id: r.storyId, label: r.key ? `${r.key} ${r.title}` : r.title, expected: r.expected, actual: r.actual, ratio: r.drift.ratio, kind: r.drift.outlier ? "outlier" : r.drift.inBand ? "in" : "out" }]
      : [],
  );
  // The bands the estimates froze (possibly older scheme versions); the current ones when none.
  const frozen = new Map<string, ScatterBand>();
  for (const r of retro.rows) {
    if (r.size !== null && r.bandLow !== null) frozen.set(`${r.size}:${r.bandLow}:${r.bandHigh}`, { label: r.size, low: r.bandLow, high: r.bandHigh });
  }
  const bands = frozen.size ? [...frozen.values()].sort((a, b) => a.low - b.low) : scheme.scheme.bands;

  return {
    sprint: { ...retro.sprint, closedAt: retro.sprint.closedAt?.toISOString() ?? null },
    source: retro.source,
    summary,
    spread: describeSpread(summary.log2RatioIqr),
    histogram: driftHistogram(retro.rows.flatMap((r) => (r.drift.log2Ratio === null ? [] : [r.drift.log2Ratio]))),
    points,
    bands,
    outliers,
    misses: explainMisses(
      retro.rows.map((r) => ({
        levels: { intensity: r.levels?.intensity ?? null, autonomy: r.levels?.autonomy ?? null, risk: r.levels?.risk ?? null },
        expected: r.expected,
        actual: r.actual,
      })),
      scheme.scheme,
    ),
    table,
    total: retro.rows.length,
    earlier,
    extensions: extensions.map((x) => ({ ...x, createdAt: new Date(x.createdAt).toISOString().slice(0, 10) })),
    sizes: scheme.scheme.bands.map((b) => b.label),
    dimensions: DIMENSIONS.map((d) => ({ ...d, levels: scheme.scheme[d.id].map((l) => ({ id: l.id, label: l.label })) })),
    query: {
      sort: query.sort ? `${query.sort.id}${query.sort.desc ? ".desc" : ""}` : null,
      q: query.q ?? "",
      size: query.size ?? "",
      level: query.level ? `${query.level.dimension}:${query.level.level}` : "",
      band: query.band ?? "",
      missing: query.missing ?? "",
      outliers: query.outliers,
      filtered: isFiltered(query),
    },
    sorting: (query.sort ? [{ id: query.sort.id, desc: query.sort.desc }] : []) as SortingState,
    canEdit: roleAtLeast(role, "member"),
    base: `/t/${team.slug}`,
  };
}

const RetroIntentSchema = z.discriminatedUnion("intent", [RetroNoteSchema.extend({ intent: z.literal("save-note") })]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "member");
  const sprintId = SprintIdSchema.safeParse(params.id);
  if (!sprintId.success) notFound("Sprint not found");
  const form = parseForm(await request.formData(), RetroIntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  const values = { storyId: String(input.storyId), bought: input.bought, reviewBurden: input.reviewBurden, note: input.note, causeTags: input.causeTags.join(", ") };
  const retro = await getRetro(db, { teamId: team.id, sprintId: sprintId.data });
  if (!retro) notFound("Sprint not found");
  const row = retro.rows.find((r) => r.storyId === input.storyId);
  if (!row) return invalid({ form: "That story is not part of this sprint." }, values);
  const problems = retroNoteProblems(input, row.drift.outlier === true);
  if (Object.keys(problems).length) return invalid(problems, values);
  await saveRetroNote(db, { teamId: team.id, recordedBy: user.id, ...input });
  return data({ ok: true as const, errors: {} as Record<string, string>, values, savedStoryId: input.storyId });
}

export default function RetroPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as
    | { ok: boolean; errors: Record<string, string>; values: Record<string, string>; savedStoryId?: number }
    | undefined;
  const navigation = useNavigation();
  const { pathname, search } = useLocation();
  const s = d.summary;

  const withParams = (patch: Record<string, string | null>) => {
    const params = new URLSearchParams(search);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === "") params.delete(k);
      else params.set(k, v);
    }
    const qs = params.toString();
    return qs ? `${pathname}?${qs}` : pathname;
  };
  const sortHref = (next: SortingState) => withParams({ sort: next[0] ? `${next[0].id}${next[0].desc ? ".desc" : ""}` : null });
  const stateFor = (storyId: number): NoteFormState | null => {
    if (!result || String(result.values?.storyId) !== String(storyId)) return null;
    return { errors: result.errors ?? {}, values: result.ok ? {} : result.values, saved: result.ok && result.savedStoryId === storyId };
  };
  const busyFor = (storyId: number) => navigation.state === "submitting" && navigation.formData?.get("storyId") === String(storyId);
  const levelLabel = new Map(d.dimensions.flatMap((dim) => dim.levels.map((l) => [`${dim.id}:${l.id}`, l.label])));

  return (
    <>
      <div className="section-header retro-header">
        <div>
          <h2>Retrospective</h2>
          <p className="muted">
            {d.source === "snapshot" ? (
              <>Stories and estimates as committed, from the snapshot taken at close; actuals include spend attributed since.</>
            ) : (
              <>
                <span className="badge badge-info">Open sprint</span> Current commitments and the spend so far; the figures settle when the sprint closes.
              </>
            )}
          </p>
        </div>
        <div className="row">
          <a className="btn" href={`${d.base}/sprints/${d.sprint.id}/retro.csv`} download>
            Download CSV
          </a>
          <Link className="btn btn-ghost" to={`${d.base}/insights`}>
            Across sprints
          </Link>
        </div>
      </div>

      {d.total === 0 ? (
        <div className="card empty-state">
          <h3>No stories were committed to this sprint</h3>
          <p>Commit estimated stories to the sprint; once spend is attributed to them, the retrospective compares the two.</p>
        </div>
      ) : (
        <>
          <section className="cards retro-summary" aria-label="Summary">
            <article className="card">
              <h3>Drift</h3>
              <p className="headline-words">{s.medianRatioWords ? capitalize(s.medianRatioWords) : "No story has both an estimate and a spend yet"}</p>
              <p className="muted">
                median of {s.compared} {s.compared === 1 ? "story" : "stories"}
                {d.spread ? `; ${d.spread}` : ""}
              </p>
            </article>
            <article className="card">
              <h3>Planned vs actual</h3>
              <p className="big-number">
                {formatCredits(s.totals.matchedActual)} <span className="muted big-number-unit">/ {formatCredits(s.totals.matchedPlanned)}</span>
              </p>
              <p className="muted">
                credits actual / expected over the {s.totals.matchedStories} stories with both. All estimates: {formatCredits(s.totals.allPlanned)}; all
                spend: {formatCredits(s.totals.allActual)}.
              </p>
            </article>
            <article className="card">
              <h3>In band</h3>
              <p className="big-number">{formatShare(s.hitRate)}</p>
              <p className="muted">of stories with a band and a spend landed inside their size band.</p>
            </article>
            <article className="card">
              <h3>p80 coverage</h3>
              <p className="big-number">{formatShare(s.p80Coverage)}</p>
              <p className="muted">stayed at or under their p80: how well risk was judged (aim: about 80 %).</p>
            </article>
            <article className="card">
              <h3>Counted apart</h3>
              <ul className="plain-list counted-apart">
                <li>
                  <Link to={withParams({ missing: "estimate" }) + "#stories"}>{s.withoutEstimate} without an estimate</Link>
                </li>
                <li>
                  <Link to={withParams({ missing: "spend" }) + "#stories"}>{s.withoutSpend} without spend</Link>
                  {s.unpricedOnly ? <span className="muted"> ({s.unpricedOnly} only unpriced)</span> : null}
                </li>
                {s.zeroEstimate ? <li>{s.zeroEstimate} estimated at 0 credits</li> : null}
                {s.withUnpriced ? <li className="muted">{s.withUnpriced} with unpriced entries not yet counted</li> : null}
                <li>
                  <Link to={withParams({ outliers: "1" }) + "#stories"}>{s.outliers} more than 2× off</Link>
                </li>
              </ul>
            </article>
          </section>

          <section className="chart-grid" aria-label="Charts">
            <CalibrationScatter points={d.points} bands={d.bands} />
            <DriftHistogram bins={d.histogram} />
          </section>

          <MissExplanationPanel explanation={d.misses} />

          <section aria-labelledby="outliers-title" className="retro-section">
            <h3 id="outliers-title">Outliers {d.outliers.length ? <span className="badge">{d.outliers.length}</span> : null}</h3>
            {d.outliers.length === 0 ? (
              <p className="muted">No story landed more than 2× off its estimate.</p>
            ) : (
              <>
                <p className="muted">More than 2× off either way, furthest first. Say why and what the spend bought: the note stays with the story.</p>
                <div className="outlier-list">
                  {d.outliers.map((row) => (
                    <OutlierCard
                      key={row.storyId}
                      row={row}
                      canEdit={d.canEdit}
                      state={stateFor(row.storyId)}
                      busy={busyFor(row.storyId)}
                      open={row.open}
                      inspectHref={withParams({ inspect: String(row.storyId) }) + `#inspect-${row.storyId}`}
                    />
                  ))}
                </div>
              </>
            )}
          </section>

          <section aria-labelledby="breakdowns-title" className="retro-section">
            <h3 id="breakdowns-title">By shape of work</h3>
            <div className="breakdown-grid">
              {d.dimensions.map((dim) => (
                <BreakdownTable
                  key={dim.id}
                  title={dim.label}
                  groups={s.breakdowns[dim.id]}
                  labelOf={(k) => (k === null ? "Not estimated" : (levelLabel.get(`${dim.id}:${k}`) ?? k))}
                />
              ))}
              <BreakdownTable title="Size" groups={s.breakdowns.size} labelOf={(k) => k ?? "Not estimated"} />
            </div>
          </section>

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
                <Link to={withParams({ q: null, size: null, level: null, band: null, missing: null, outliers: null })} className="btn btn-ghost">
                  Clear
                </Link>
              ) : null}
            </Form>
            <RetroTable
              rows={d.table}
              sorting={d.sorting}
              sortHref={sortHref}
              empty={<p>No story matches these filters.</p>}
              labels={Object.fromEntries(d.dimensions.map((dim) => [dim.id, Object.fromEntries(dim.levels.map((l) => [l.id, l.label]))]))}
            />
          </section>

          {d.extensions.length ? (
            <section aria-labelledby="extensions-title" className="retro-section">
              <h3 id="extensions-title">Budget extensions</h3>
              <ul>
                {d.extensions.map((x) => (
                  <li key={x.id}>
                    <strong>{x.key ?? x.title}</strong>: +{formatCredits(x.credits)} credits on {x.createdAt}
                    {x.byName ? ` by ${x.byName}` : ""} — {x.reason}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}

          <section aria-labelledby="earlier-title" className="retro-section">
            <h3 id="earlier-title">From earlier retrospectives</h3>
            {d.earlier.length === 0 ? (
              <p className="muted">No notes from earlier sprints yet.</p>
            ) : (
              <ul className="earlier-notes">
                {d.earlier.map((n) => (
                  <li key={n.storyId} className="card">
                    <p className="muted">
                      <Link to={`${d.base}/sprints/${n.sprintId}/retro`}>{n.sprintName}</Link> ·{" "}
                      {n.key ? <code className="story-key">{n.key}</code> : null} {n.title}
                    </p>
                    <NoteView note={n} />
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
