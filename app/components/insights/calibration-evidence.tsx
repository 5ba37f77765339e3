// The rolling suggestion's evidence on the insights page: the drift in words, each level's pooled
// factor with its interval and story count, and the backtest on the sprints since the current
// version — then either the apply button or "no change suggested", and the rollback.
import { Form } from "@remix-run/react";
import type { GroupEvidence, SchemeScore } from "~/domain/calibration";
import { formatFactor, type StoredSuggestion } from "~/domain/recalibration";
import { formatShare } from "~/domain/retro";
import { formatInstant } from "~/domain/dates";

type LevelLabels = Map<string, string>;

const miss = (v: number | null) => (v === null ? "—" : `${Number((2 ** v).toFixed(2))}×`);

export function DriftNotice({ suggestion }: { suggestion: StoredSuggestion }) {
  const d = suggestion.calibration.evidence.drift;
  if (!d)
    return <p className="muted">Drift across sprints is tested once four closed sprints have finished stories.</p>;
  if (!suggestion.driftWords)
    return (
      <p className="muted" data-testid="drift-words">
        No clear trend in spend per estimated credit over the last {d.sprints} sprints ({formatFactor(d.perSprint)} a
        sprint, 90 % interval {formatFactor(d.low)}–{formatFactor(d.high)}).
      </p>
    );
  return (
    <p className="alert alert-warn" role="status" data-testid="drift-words">
      Drift: {suggestion.driftWords} (90 % interval {formatFactor(d.low)}–{formatFactor(d.high)} a sprint).{" "}
      {d.projection !== 1 ? `The suggestion projects one sprint ahead (×${Number(d.projection.toFixed(2))}).` : null}
    </p>
  );
}

export function LevelEvidenceTable({ suggestion, labels }: { suggestion: StoredSuggestion; labels: LevelLabels }) {
  const ev = suggestion.calibration.evidence;
  const rows: { dim: string; g: GroupEvidence }[] = [
    ...ev.intensity.map((g) => ({ dim: "intensity", g })),
    ...ev.autonomy.map((g) => ({ dim: "autonomy", g })),
    ...ev.riskEffect.map((g) => ({ dim: "risk", g })),
  ];
  return (
    <div className="table-wrap">
      <table className="level-evidence">
        <caption>
          Per level, beyond the overall {formatFactor(ev.overall.factor)} ({formatFactor(ev.overall.low)}–
          {formatFactor(ev.overall.high)}
          ): pooled factor, 90 % interval, stories
        </caption>
        <thead>
          <tr>
            <th scope="col">Level</th>
            <th scope="col" className="num">
              Factor
            </th>
            <th scope="col">Interval</th>
            <th scope="col" className="num">
              Stories
            </th>
            <th scope="col">Reading</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ dim, g }) => (
            <tr key={`${dim}:${g.id}`}>
              <th scope="row">{labels.get(`${dim}:${g.id}`) ?? g.id}</th>
              <td className="num">{formatFactor(g.factor)}</td>
              <td>
                {formatFactor(g.low)}–{formatFactor(g.high)}
              </td>
              <td className="num">{g.samples}</td>
              <td>{reading(g, dim)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function reading(g: GroupEvidence, dim: string): string {
  if (g.samples === 0) return "no stories";
  if (g.differs < 0.5 || Math.abs(Math.log2(g.factor)) < 0.05) return "like the rest";
  const where = dim === "risk" ? " (goes into its p80)" : "";
  return `${g.factor > 1 ? "costs more" : "costs less"}${where}`;
}

export function BacktestTable({ suggestion, version }: { suggestion: StoredSuggestion; version: number }) {
  const b = suggestion.backtest;
  if (!b.sprints.length || !b.current || !b.suggested)
    return (
      <p className="muted">
        No sprint has closed since version {version} yet: the backtest starts with the next close.
      </p>
    );
  return (
    <div className="table-wrap">
      <table className="recal-backtest">
        <caption>
          Backtest: each sprint since version {version}, under the current scheme → the suggestion fitted on the sprints
          before it
        </caption>
        <thead>
          <tr>
            <th scope="col">Sprint</th>
            <th scope="col" className="num">
              Stories
            </th>
            <th scope="col">p80 coverage</th>
            <th scope="col">Typical miss</th>
          </tr>
        </thead>
        <tbody>
          {b.sprints.map((s) => (
            <ScoreLine key={s.sprintId} name={s.name} current={s.current} suggested={s.suggested} />
          ))}
          <ScoreLine name="All" current={b.current} suggested={b.suggested} strong />
        </tbody>
      </table>
    </div>
  );
}

function ScoreLine({
  name,
  current,
  suggested,
  strong,
}: {
  name: string;
  current: SchemeScore;
  suggested: SchemeScore;
  strong?: boolean;
}) {
  return (
    <tr className={strong ? "score-total" : undefined}>
      <th scope="row">{name}</th>
      <td className="num">{current.stories}</td>
      <td>
        {formatShare(current.p80Coverage)} → <strong>{formatShare(suggested.p80Coverage)}</strong>
      </td>
      <td>
        {miss(current.medianAbsLog2Error)} → <strong>{miss(suggested.medianAbsLog2Error)}</strong>
      </td>
    </tr>
  );
}

export function SuggestionActions({
  suggestion,
  version,
  canApply,
  applying,
  canRollBack,
  fittedAt,
}: {
  suggestion: StoredSuggestion;
  version: number;
  canApply: boolean;
  applying: boolean;
  canRollBack: boolean;
  /** When the stored suggestion was fitted (ISO); null when computed for this view. */
  fittedAt: string | null;
}) {
  return (
    <div className="suggestion-actions">
      <p data-testid="suggestion-verdict">
        {suggestion.worthIt ? <strong>Worth applying. </strong> : <strong>No change suggested. </strong>}
        {suggestion.verdict}
      </p>
      {canApply ? (
        <div className="row">
          {suggestion.worthIt ? (
            <Form method="post">
              <input type="hidden" name="intent" value="apply-recalibration" />
              <input type="hidden" name="token" value={suggestion.token} />
              <button type="submit" className="btn btn-primary" disabled={applying || suggestion.problems.length > 0}>
                {applying ? "Applying…" : `Apply as version ${version + 1}`}
              </button>
            </Form>
          ) : null}
          {canRollBack ? (
            <Form method="post">
              <input type="hidden" name="intent" value="roll-back" />
              <input type="hidden" name="version" value={version} />
              <button type="submit" className="btn">
                Roll back to version {version - 1} (as version {version + 1})
              </button>
            </Form>
          ) : null}
          <Form method="post">
            <input type="hidden" name="intent" value="refit" />
            <button type="submit" className="btn btn-ghost">
              Refit now
            </button>
          </Form>
          <span className="muted">
            {fittedAt ? `Fitted ${formatInstant(fittedAt)}. ` : null}Spend that arrived later counts after a refit.
            Earlier estimates keep the version they froze.
          </span>
        </div>
      ) : (
        <p className="muted">
          A manager can apply the suggestion, or roll back the current version, as a new scheme version.
        </p>
      )}
    </div>
  );
}
