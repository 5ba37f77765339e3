// A sprint's retrospective: estimate against actual for every committed story, the summary in
// plain words, breakdowns by shape of work, two charts, the outliers with their inspection notes,
// the table (state in the URL), and what earlier retrospectives wrote down. A tab of the sprint's
// layout (which shows the sprint's name, dates and status above it).
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { Id } from "~/domain/form-fields";
import { CalibrationScatter, type ScatterBand, type ScatterPoint } from "~/components/retro/calibration-scatter";
import { DriftHistogram } from "~/components/retro/drift-histogram";
import { MissExplanationPanel } from "~/components/retro/miss-explanation";
import type { NoteFormState } from "~/components/retro/outlier-card";
import type { RetroTableRow } from "~/components/retro/retro-table";
import type { SortingState } from "~/components/ui/data-table";
import { driftHistogram } from "~/domain/drift";
import { explainMisses } from "~/domain/miss-explanation";
import {
  applyRetroQuery,
  describeSpread,
  isFiltered,
  outlierRows,
  parseRetroQuery,
  retroNoteProblems,
  schemeOrder,
  summarizeRetro,
} from "~/domain/retro";
import { roleAtLeast } from "~/domain/roles";
import { DIMENSIONS } from "~/domain/sizing-scheme";
import { getRetro, saveRetroNote } from "~/models/retro.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid, notFound } from "~/utils/http.server";
import { ShapeBreakdowns } from "~/components/retro/shape-breakdowns";
import { BudgetExtensions } from "./budget-extensions";
import { OrganisationExceptions } from "./organisation-exceptions";
import { EarlierNotes } from "./earlier-notes";
import { RetroIntentSchema } from "./intents";
import { OutliersSection } from "./outliers-section";
import { loadRetroSources } from "./queries.server";
import { RetroSummary } from "./retro-summary";
import { StoriesSection } from "./stories-section";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Retrospective · ${data?.sprint.name ?? "Sprint"} · Token Poker` },
];

const SprintIdSchema = Id;
const InspectSchema = Id.optional().catch(undefined);
/** How many un-noted outliers open their form without being asked. */
const OPEN_FORMS = 5;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const sprintId = SprintIdSchema.safeParse(params.id);
  if (!sprintId.success) notFound("Sprint not found");
  const sources = await loadRetroSources(db, { teamId: team.id, sprintId: sprintId.data });
  if (!sources) notFound("Sprint not found");
  const { retro, scheme, earlier, extensions, exceptions } = sources;
  const query = parseRetroQuery(new URL(request.url).searchParams);

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
      ? [
          {
            id: r.storyId,
            label: r.key ? `${r.key} ${r.title}` : r.title,
            expected: r.expected,
            actual: r.actual,
            ratio: r.drift.ratio,
            kind: r.drift.outlier ? "outlier" : r.drift.inBand ? "in" : "out",
          },
        ]
      : [],
  );
  // The bands the estimates froze (possibly older scheme versions); the current ones when none.
  const frozen = new Map<string, ScatterBand>();
  for (const r of retro.rows) {
    if (r.size !== null && r.bandLow !== null)
      frozen.set(`${r.size}:${r.bandLow}:${r.bandHigh}`, { label: r.size, low: r.bandLow, high: r.bandHigh });
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
        levels: {
          intensity: r.levels?.intensity ?? null,
          autonomy: r.levels?.autonomy ?? null,
          risk: r.levels?.risk ?? null,
        },
        expected: r.expected,
        actual: r.actual,
      })),
      scheme.scheme,
    ),
    table,
    total: retro.rows.length,
    earlier,
    exceptions,
    extensions: extensions.map((x) => ({ ...x, createdAt: new Date(x.createdAt).toISOString().slice(0, 10) })),
    sizes: scheme.scheme.bands.map((b) => b.label),
    dimensions: DIMENSIONS.map((d) => ({
      ...d,
      levels: scheme.scheme[d.id].map((l) => ({ id: l.id, label: l.label })),
    })),
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

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "member");
  const sprintId = SprintIdSchema.safeParse(params.id);
  if (!sprintId.success) notFound("Sprint not found");
  const form = parseForm(await request.formData(), RetroIntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  const values = {
    storyId: String(input.storyId),
    bought: input.bought,
    reviewBurden: input.reviewBurden,
    note: input.note,
    causeTags: input.causeTags.join(", "),
  };
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
    { ok: boolean; errors: Record<string, string>; values: Record<string, string>; savedStoryId?: number } | undefined;
  const navigation = useNavigation();
  const { pathname, search } = useLocation();

  const withParams = (patch: Record<string, string | null>) => {
    const params = new URLSearchParams(search);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === "") params.delete(k);
      else params.set(k, v);
    }
    const qs = params.toString();
    return qs ? `${pathname}?${qs}` : pathname;
  };
  const sortHref = (next: SortingState) =>
    withParams({ sort: next[0] ? `${next[0].id}${next[0].desc ? ".desc" : ""}` : null });
  const stateFor = (storyId: number): NoteFormState | null => {
    if (!result || String(result.values?.storyId) !== String(storyId)) return null;
    return {
      errors: result.errors ?? {},
      values: result.ok ? {} : result.values,
      saved: result.ok && result.savedStoryId === storyId,
    };
  };
  const busyFor = (storyId: number) =>
    navigation.state === "submitting" && navigation.formData?.get("storyId") === String(storyId);

  return (
    <>
      <div className="section-header retro-header">
        <div>
          <h2>Retrospective</h2>
          <p className="muted">
            {d.source === "snapshot" ? (
              <>
                Stories and estimates as committed, from the snapshot taken at close; actuals include spend attributed
                since.
              </>
            ) : (
              <>
                <span className="badge badge-info">Open sprint</span> Current commitments and the spend so far; the
                figures settle when the sprint closes.
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
          <p>
            Commit estimated stories to the sprint; once spend is attributed to them, the retrospective compares the
            two.
          </p>
        </div>
      ) : (
        <>
          <RetroSummary d={d} withParams={withParams} />

          <section className="chart-grid" aria-label="Charts">
            <CalibrationScatter points={d.points} bands={d.bands} />
            <DriftHistogram bins={d.histogram} />
          </section>

          <MissExplanationPanel explanation={d.misses} />

          <OutliersSection d={d} stateFor={stateFor} busyFor={busyFor} withParams={withParams} />

          <ShapeBreakdowns
            dimensions={d.dimensions}
            breakdowns={d.summary.breakdowns}
            headingLevel={3}
            idPrefix="breakdowns"
          />

          <StoriesSection d={d} withParams={withParams} sortHref={sortHref} />

          <BudgetExtensions d={d} />
          <OrganisationExceptions d={d} />

          <EarlierNotes d={d} />
        </>
      )}
    </>
  );
}
