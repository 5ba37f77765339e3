// Across sprints: how estimates drift over time (hit rate, p80 coverage, bias), where actuals of
// each size land, drift by shape of work, and a suggested recalibration of the sizing scheme that a
// manager applies as a new version after reading the diff and the evidence. Aggregates only: no
// figure on this page is about a person.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Id } from "~/domain/form-fields";
import { SizeBoxPlot } from "~/components/retro/size-box-plot";
import { TrendChart } from "~/components/retro/trend-chart";
import { sizeDistribution, sprintTrend, summarizeRetro, type RetroRow } from "~/domain/retro";
import { SUGGESTION_SPRINTS } from "~/domain/recalibration";
import { roleAtLeast } from "~/domain/roles";
import { DIMENSIONS } from "~/domain/sizing-scheme";
import { listClosedSprintRows } from "~/models/retro.server";
import { refreshSuggestion, rollBackScheme } from "~/models/calibration.server";
import { getCurrentScheme, saveSchemeVersion } from "~/models/scheme.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { InsightsIntentSchema } from "./intents";
import { InsightsSummary } from "./insights-summary";
import { currentSuggestion, loadRecalibration } from "./queries.server";
import { RecalibrationSection } from "./recalibration-section";
import { ShapeBreakdowns } from "~/components/retro/shape-breakdowns";
import { SprintTrendTable } from "./sprint-trend-table";

export const meta: MetaFunction = () => [{ title: "Insights · Token Poker" }];

const WINDOWS = [6, 12, 24] as const;
/** Recalibration reads the finished stories of this many recent closed sprints. */
const RECALIBRATION_SPRINTS = SUGGESTION_SPRINTS;

const InsightsQuerySchema = z.object({
  sprints: z.coerce
    .number()
    .refine((n) => (WINDOWS as readonly number[]).includes(n))
    .catch(12),
  applied: Id.optional().catch(undefined),
});

const done = (rows: readonly RetroRow[]) => rows.filter((r) => r.outcome === "done");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const query = InsightsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const limit = Math.max(query.sprints, RECALIBRATION_SPRINTS);
  const [closed, scheme] = await Promise.all([
    listClosedSprintRows(db, { teamId: team.id, limit, finishedOnly: true }),
    getCurrentScheme(db, team.id),
  ]);
  const shown = closed.slice(-query.sprints);
  const finished = shown.flatMap((c) => done(c.rows));
  const summary = summarizeRetro(finished, scheme.scheme);
  // Fitted once when the sprint closed; only a team whose last fit predates this feature (or whose
  // scheme was edited by hand since) gets it computed here, without storing (a GET changes nothing).
  // A suggestion computed here reuses the sprints just read (their spend summed once, not twice).
  const { stored, previous, suggestion } = await loadRecalibration(
    db,
    { teamId: team.id, schemeId: scheme.id, version: scheme.version },
    { closed, limit, scheme },
  );
  const recal = suggestion;
  const ev = recal.calibration.evidence;
  return {
    window: query.sprints,
    windows: WINDOWS,
    applied: query.applied ?? null,
    trends: shown.map((c) => sprintTrend(c.sprint, done(c.rows))),
    distribution: sizeDistribution(finished, scheme.scheme.bands),
    summary,
    dimensions: DIMENSIONS.map((d) => ({
      ...d,
      levels: scheme.scheme[d.id].map((l) => ({ id: l.id, label: l.label })),
    })),
    scheme: { version: scheme.version },
    recal: {
      sprints: recal.sprints,
      finished: recal.finished,
      enough: ev.enough,
      used: ev.stories,
      skipped: ev.skipped,
      overallFactor: ev.overall.factor,
      intensity: ev.intensity.map((g) => ({ id: g.id, samples: g.samples })),
      autonomy: ev.autonomy.map((g) => ({ id: g.id, samples: g.samples })),
      risk: ev.risk.map((r) => ({ id: r.id, samples: r.samples, kept: r.kept })),
      bands: ev.bands.map((b) => ({ label: b.label, samples: b.samples, medianActual: b.medianActual })),
      diff: recal.calibration.diff,
      overall: { old: recal.overall.current, suggested: recal.overall.suggested },
      problems: recal.problems,
      token: recal.token,
    },
    suggestion,
    fittedAt: stored?.createdAt.toISOString() ?? null,
    canRollBack: previous !== undefined,
    canApply: roleAtLeast(role, "manager"),
    base: `/t/${team.slug}`,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "manager");
  const form = parseForm(await request.formData(), InsightsIntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  if (form.data.intent === "refit") {
    // Spend often arrives after a sprint closed: a manager can refit on what is there now.
    await refreshSuggestion(db, { teamId: team.id, sprintId: null });
    return redirect(`/t/${team.slug}/insights`);
  }
  if (form.data.intent === "roll-back") {
    const result = await rollBackScheme(db, { teamId: team.id, createdBy: user.id, expectVersion: form.data.version });
    if (!result.ok) return invalid({ form: result.reason });
    return redirect(`/t/${team.slug}/insights?applied=${result.version}`);
  }
  // What is saved is the stored suggestion the page showed (same scheme version, same token), or nothing.
  const scheme = await getCurrentScheme(db, team.id);
  const recal = await currentSuggestion(db, { teamId: team.id, schemeId: scheme.id });
  if (recal.token !== form.data.token) {
    return invalid({
      form: "The suggestion changed since the page was loaded (a closed sprint or a new scheme version). Review it again below.",
    });
  }
  if (!recal.worthIt || !recal.calibration.evidence.enough || recal.calibration.diff.length === 0)
    return invalid({ form: "There is nothing to apply." });
  if (recal.problems.length)
    return invalid({ form: `The suggested scheme is not usable: ${recal.problems[0]!.message}` });
  const names = recal.sprints.map((s) => s.name);
  const saved = await saveSchemeVersion(db, {
    teamId: team.id,
    scheme: recal.calibration.scheme,
    createdBy: user.id,
    note: `Recalibrated from ${recal.calibration.evidence.stories} finished stories of ${names.length === 1 ? names[0] : `${names[0]} – ${names[names.length - 1]}`}`,
  });
  await refreshSuggestion(db, { teamId: team.id, sprintId: null });
  return redirect(`/t/${team.slug}/insights?applied=${saved.version}`);
}

export default function InsightsPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as { errors?: Record<string, string> } | undefined;
  const navigation = useNavigation();
  const applying = navigation.state === "submitting" && navigation.formData?.get("intent") === "apply-recalibration";

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Insights</h1>
          <p className="muted page-subtitle">
            Drift across the last {d.trends.length} closed {d.trends.length === 1 ? "sprint" : "sprints"}, by shape of
            work — never by person.
          </p>
        </div>
        <div className="row">
          <Link to={`${d.base}/me`}>My spend</Link>
          <nav className="segmented" aria-label="How many sprints">
            {d.windows.map((w) => (
              <Link key={w} to={`?sprints=${w}`} aria-current={d.window === w ? "page" : undefined}>
                {w} sprints
              </Link>
            ))}
          </nav>
        </div>
      </div>

      {d.applied ? (
        <p className="alert alert-ok" role="status">
          Applied: the sizing scheme is now version {d.applied}. New estimates use it; earlier estimates keep the
          version they froze. <Link to={`${d.base}/settings/sizing`}>See the scheme</Link>
        </p>
      ) : null}

      {d.trends.length === 0 ? (
        <div className="card empty-state">
          <h2>No closed sprint yet</h2>
          <p>
            Insights compare estimates with actual spend once sprints close. Close a sprint to see its retrospective
            here.
          </p>
        </div>
      ) : (
        <>
          <InsightsSummary d={d} />

          <section className="chart-grid chart-grid-wide" aria-label="Charts">
            <TrendChart trends={d.trends} />
            <SizeBoxPlot data={d.distribution} />
          </section>

          <SprintTrendTable d={d} />

          <ShapeBreakdowns
            dimensions={d.dimensions}
            breakdowns={d.summary.breakdowns}
            headingLevel={2}
            idPrefix="shape"
          />
        </>
      )}

      <RecalibrationSection d={d} formError={result?.errors?.form} applying={applying} />
    </>
  );
}
