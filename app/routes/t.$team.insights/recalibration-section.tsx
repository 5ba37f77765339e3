// The suggested recalibration: its diff, the evidence behind it, and the manager's actions.
import {
  BacktestTable,
  DriftNotice,
  LevelEvidenceTable,
  SuggestionActions,
} from "~/components/insights/calibration-evidence";
import { FormError } from "~/components/ui/field";
import type { InsightsData } from "./insights-data";
import { formatCredits } from "~/domain/credits";
import { formatFactor } from "~/domain/recalibration";

export function RecalibrationSection({
  d,
  formError,
  applying,
}: {
  d: InsightsData;
  formError: string | undefined;
  applying: boolean;
}) {
  const r = d.recal;
  const levelLabel = new Map(d.dimensions.flatMap((dim) => dim.levels.map((l) => [`${dim.id}:${l.id}`, l.label])));
  return (
    <section aria-labelledby="recal-title" className="retro-section card recal">
      <h2 id="recal-title">Recalibration</h2>
      <p className="muted">
        From the finished stories of the last {r.sprints.length} closed {r.sprints.length === 1 ? "sprint" : "sprints"}
        {r.sprints.length
          ? ` (${r.sprints[0]!.name}${r.sprints.length > 1 ? ` – ${r.sprints[r.sprints.length - 1]!.name}` : ""})`
          : ""}
        : {r.used} used, {r.skipped.noSpend} without spend and {r.skipped.unknownLevels} with levels the current scheme
        lacks set aside. Current scheme: version {d.scheme.version}.
      </p>
      <FormError message={formError} />
      <DriftNotice suggestion={d.suggestion} />
      {!r.enough ? (
        <p>Not enough finished stories with spend yet to suggest anything: the scheme stays as it is.</p>
      ) : r.diff.length === 0 ? (
        <p>The current scheme already fits the evidence: nothing to change.</p>
      ) : (
        <>
          <p>
            Overall, finished stories cost <strong>{formatFactor(r.overallFactor)}</strong> what the matrix expected.
            Suggested changes:
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
                    <td className="num">
                      {c.from > 0 ? `${c.to >= c.from ? "+" : ""}${Math.round((c.to / c.from - 1) * 100)} %` : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h3>Evidence</h3>
          <p className="muted evidence-counts">
            Samples — intensity:{" "}
            {r.intensity.map((g) => `${levelLabel.get(`intensity:${g.id}`) ?? g.id} ${g.samples}`).join(", ")};
            autonomy: {r.autonomy.map((g) => `${levelLabel.get(`autonomy:${g.id}`) ?? g.id} ${g.samples}`).join(", ")};
            risk:{" "}
            {r.risk
              .map((g) => `${levelLabel.get(`risk:${g.id}`) ?? g.id} ${g.samples}${g.kept ? " (kept)" : ""}`)
              .join(", ")}
            ; sizes: {r.bands.map((b) => `${b.label} ${b.samples}`).join(", ")}.
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
  );
}
