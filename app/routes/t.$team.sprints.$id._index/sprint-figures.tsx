// The sprint's figures: capacity with its arithmetic, the policy, and the actual spend.
import { POLICY_HINTS, POLICY_LABELS } from "~/domain/sprint";
import type { BoardData } from "./board-data";
import { formatDay } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export function SprintFigures({ d }: { d: BoardData }) {
  return (
    <section className="cards sprint-figures" aria-label="Sprint figures">
      <article className="card">
        <h2>Capacity</h2>
        <p className="big-number">{formatCredits(d.cap.available)}</p>
        <p className="muted">
          credits available = {formatCredits(d.cap.capacity)} capacity − {formatCredits(d.cap.reservePercent)} % reserve
          ({formatCredits(d.cap.reserve)})
        </p>
        {d.cap.pool ? (
          <details>
            <summary>Pool arithmetic</summary>
            <ol className="arithmetic-list">
              {d.cap.pool.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ol>
          </details>
        ) : null}
      </article>
      <article className="card">
        <h2>Policy</h2>
        <p className="policy-name">{POLICY_LABELS[d.sprint.policy]}</p>
        <p className="muted">{POLICY_HINTS[d.sprint.policy]}</p>
        <p className="muted">Commitments count their {d.sprint.basis === "p80" ? "p80" : "expected"} credits.</p>
      </article>
      <article className="card">
        <h2>Actual spend</h2>
        {d.burn ? (
          <>
            <p className="big-number">{formatCredits(d.burn.spentToDate)}</p>
            <p className="muted">
              {d.cap.available > 0
                ? `${Math.round((d.burn.spentToDate / d.cap.available) * 100)} % of available`
                : "no credits available"}
              {d.burn.projectedTotal !== null && !d.closed
                ? ` · projected ${formatCredits(d.burn.projectedTotal)} by ${formatDay(d.burn.days.at(-1)?.date)}`
                : ""}
            </p>
          </>
        ) : (
          <p className="muted">The sprint has not started: spend shows from its first day.</p>
        )}
      </article>
    </section>
  );
}
