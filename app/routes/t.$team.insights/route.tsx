// Across sprints: how estimates drift over time (hit rate, p80 coverage, bias), where actuals of
// each size land, drift by shape of work, and a suggested recalibration of the sizing scheme that a
// manager applies as a new version after reading the diff and the evidence. Aggregates only: no
// figure on this page is about a person.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Id, LineText } from "~/domain/form-fields";
import { formatCredits } from "~/components/backlog/story-bits";
import { BreakdownTable, shortRatio } from "~/components/retro/breakdown-table";
import { SizeBoxPlot } from "~/components/retro/size-box-plot";
import { TrendChart } from "~/components/retro/trend-chart";
import { BacktestTable, DriftNotice, LevelEvidenceTable, SuggestionActions } from "~/components/insights/calibration-evidence";
import { FormError } from "~/components/ui/field";
import { formatShare, sizeDistribution, sprintTrend, summarizeRetro, type RetroRow } from "~/domain/retro";
import { SUGGESTION_SPRINTS } from "~/domain/recalibration";
import { roleAtLeast } from "~/domain/roles";
import { DIMENSIONS } from "~/domain/sizing-scheme";
import { listClosedSprintRows } from "~/models/retro.server";
import { computeSuggestion, getLatestSuggestion, getPreviousScheme, refreshSuggestion, rollBackScheme } from "~/models/calibration.server";
import { getCurrentScheme, saveSchemeVersion } from "~/models/scheme.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

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
  const [closed, scheme] = await Promise.all([
    listClosedSprintRows(db, { teamId: team.id, limit: Math.max(query.sprints, RECALIBRATION_SPRINTS), finishedOnly: true }),
    getCurrentScheme(db, team.id),
  ]);
  const shown = closed.slice(-query.sprints);
  const finished = shown.flatMap((c) => done(c.rows));
  const summary = summarizeRetro(finished, scheme.scheme);
  // Fitted once when the sprint closed; only a team whose last fit predates this feature (or whose
  // scheme was edited by hand since) gets it computed here, without storing (a GET changes nothing).
  const [stored, previous] = await Promise.all([
    getLatestSuggestion(db, { teamId: team.id, schemeId: scheme.id }),
    getPreviousScheme(db, { teamId: team.id, version: scheme.version }),
  ]);
  const suggestion = stored?.suggestion ?? (await computeSuggestion(db, team.id)).suggestion;
  const recal = suggestion;
  const ev = recal.calibration.evidence;
  return {
    window: query.sprints,
    windows: WINDOWS,
    applied: query.applied ?? null,
    trends: shown.map((c) => sprintTrend(c.sprint, done(c.rows))),
    distribution: sizeDistribution(finished, scheme.scheme.bands),
    summary,
    dimensions: DIMENSIONS.map((d) => ({ ...d, levels: scheme.scheme[d.id].map((l) => ({ id: l.id, label: l.label })) })),
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

const InsightsIntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("apply-recalibration"), token: LineText.min(1).max(100) }),
  z.object({ intent: z.literal("roll-back"), version: z.coerce.number().int().positive().max(1e9) }),
  z.object({ intent: z.literal("refit") }),
]);

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
  const stored = await getLatestSuggestion(db, { teamId: team.id, schemeId: scheme.id });
  const recal = stored?.suggestion ?? (await computeSuggestion(db, team.id)).suggestion;
  if (recal.token !== form.data.token) {
    return invalid({ form: "The suggestion changed since the page was loaded (a closed sprint or a new scheme version). Review it again below." });
  }
  if (!recal.worthIt || !recal.calibration.evidence.enough || recal.calibration.diff.length === 0) return invalid({ form: "There is nothing to apply." });
  if (recal.problems.length) return invalid({ form: `The suggested scheme is not usable: ${recal.problems[0]!.message}` });
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
  const s = d.summary;
  const r = d.recal;
  const levelLabel = new Map(d.dimensions.flatMap((dim) => dim.levels.map((l) => [`${dim.id}:${l.id}`, l.label])));
  const applying = navigation.state === "submitting" && navigation.formData?.get("intent") === "apply-recalibration";

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Insights</h1>
          <p className="muted page-subtitle">
            Drift across the last {d.trends.length} closed {d.trends.length === 1 ? "sprint" : "sprints"}, by shape of work — never by person.
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
          Applied: the sizing scheme is now version {d.applied}. New estimates use it; earlier estimates keep the version they froze.{" "}
          <Link to={`${d.base}/settings/sizing`}>See the scheme</Link>
        </p>
      ) : null}

      {d.trends.length === 0 ? (
        <div className="card empty-state">
          <h2>No closed sprint yet</h2>
          <p>Insights compare estimates with actual spend once sprints close. Close a sprint to see its retrospective here.</p>
        </div>
      ) : (
        <>
          <section className="cards" aria-label="Summary">
            <article className="card">
              <h2>Bias</h2>
              <p className="headline-words">{s.medianRatioWords ? capitalize(s.medianRatioWords) : "Not enough data"}</p>
              <p className="muted">median over {s.compared} finished stories</p>
            </article>
            <article className="card">
              <h2>In band</h2>
              <p className="big-number">{formatShare(s.hitRate)}</p>
              <p className="muted">of finished stories landed in their size band</p>
            </article>
            <article className="card">
              <h2>p80 coverage</h2>
              <p className="big-number">{formatShare(s.p80Coverage)}</p>
              <p className="muted">stayed at or under their p80 (aim: about 80 %)</p>
            </article>
            <article className="card">
              <h2>Counted apart</h2>
              <p className="muted">
                {s.withoutEstimate} finished without an estimate, {s.withoutSpend} without spend, {s.outliers} more than 2× off.
              </p>
            </article>
          </section>

          <section className="chart-grid chart-grid-wide" aria-label="Charts">
            <TrendChart trends={d.trends} />
            <SizeBoxPlot data={d.distribution} />
          </section>

          <section aria-labelledby="sprints-title" className="retro-section">
            <h2 id="sprints-title">Sprint by sprint</h2>
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Drift per sprint</caption>
                <thead>
                  <tr>
                    <th scope="col">Sprint</th>
                    <th scope="col" className="num">
                      Finished
                    </th>
                    <th scope="col" className="num">
                      Compared
                    </th>
                    <th scope="col" className="num">
                      In band
                    </th>
                    <th scope="col" className="num">
                      p80 coverage
                    </th>
                    <th scope="col">Bias</th>
                  </tr>
                </thead>
                <tbody>
                  {[...d.trends].reverse().map((t) => (
                    <tr key={t.sprintId}>
                      <th scope="row">
                        <Link to={`${d.base}/sprints/${t.sprintId}/retro`}>{t.name}</Link>{" "}
                        <span className="muted">{t.end}</span>
                      </th>
                      <td className="num">{t.stories}</td>
                      <td className="num">{t.compared}</td>
                      <td className="num">{formatShare(t.hitRate)}</td>
                      <td className="num">{formatShare(t.p80Coverage)}</td>
                      <td>{t.bias === null ? "—" : shortRatio(2 ** t.bias)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section aria-labelledby="shape-title" className="retro-section">
            <h2 id="shape-title">By shape of work</h2>
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
        </>
      )}

      <section aria-labelledby="recal-title" className="retro-section card recal">
        <h2 id="recal-title">Recalibration</h2>
        <p className="muted">
          From the finished stories of the last {r.sprints.length} closed {r.sprints.length === 1 ? "sprint" : "sprints"}
          {r.sprints.length ? ` (${r.sprints[0]!.name}${r.sprints.length > 1 ? ` – ${r.sprints[r.sprints.length - 1]!.name}` : ""})` : ""}: {r.used} used,{" "}
          {r.skipped.noSpend} without spend and {r.skipped.unknownLevels} with levels the current scheme lacks set aside. Current scheme: version{" "}
          {d.scheme.version}.
        </p>
        <FormError message={result?.errors?.form} />
        <DriftNotice suggestion={d.suggestion} />
        {!r.enough ? (
          <p>Not enough finished stories with spend yet to suggest anything: the scheme stays as it is.</p>
        ) : r.diff.length === 0 ? (
          <p>The current scheme already fits the evidence: nothing to change.</p>
        ) : (
          <>
            <p>
              Overall, finished stories cost <strong>{formatFactor(r.overallFactor)}</strong> what the matrix expected. Suggested changes:
            </p>
            <div className="table-wrap">
              <table className="recal-diff">
                <caption className="sr-only">Suggested changes to the sizing scheme</caption>
                <thead>
                  <tr>
                    <th scope="col">What</th>
                    <th scope="col" className="num">
                      Now
                    </th>
                    <th scope="col" className="num">
                      Suggested
                    </th>
                    <th scope="col" className="num">
                      Change
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {r.diff.map((c) => (
                    <tr key={c.path}>
                      <th scope="row">{c.label}</th>
                      <td className="num">{formatCredits(c.from)}</td>
                      <td className="num">{formatCredits(c.to)}</td>
                      <td className="num">{c.from > 0 ? `${c.to >= c.from ? "+" : ""}${Math.round((c.to / c.from - 1) * 100)} %` : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>

            <h3>Evidence</h3>
            <p className="muted evidence-counts">
              Samples — intensity: {r.intensity.map((g) => `${levelLabel.get(`intensity:${g.id}`) ?? g.id} ${g.samples}`).join(", ")}; autonomy:{" "}
              {r.autonomy.map((g) => `${levelLabel.get(`autonomy:${g.id}`) ?? g.id} ${g.samples}`).join(", ")}; risk:{" "}
              {r.risk.map((g) => `${levelLabel.get(`risk:${g.id}`) ?? g.id} ${g.samples}${g.kept ? " (kept)" : ""}`).join(", ")}; sizes:{" "}
              {r.bands.map((b) => `${b.label} ${b.samples}`).join(", ")}.
            </p>
            <LevelEvidenceTable suggestion={d.suggestion} labels={levelLabel} />
            <BacktestTable suggestion={d.suggestion} version={d.scheme.version} />
          </>
        )}
        <SuggestionActions
          suggestion={d.suggestion}
          version={d.scheme.version}
          canApply={d.canApply}
          applying={applying}
          canRollBack={d.canRollBack}
          fittedAt={d.fittedAt}
        />
      </section>
    </>
  );
}

function formatFactor(f: number): string {
  return `${f >= 10 ? Math.round(f) : Number(f.toFixed(2))}×`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

