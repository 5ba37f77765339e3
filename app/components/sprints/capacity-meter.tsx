// The sprint's committed load against capacity minus reserve, on the shared `.meter` (app.css):
// a solid segment up to expected credits, a hatched one from expected to p80, a tick where
// "available" ends once the load runs past it. Unestimated stories are counted, never as zero.
import type { CommitBasis } from "~/domain/capacity";
import { meterGeometry } from "~/domain/sprint";
import { formatCredits } from "~/domain/credits";

export interface CapacityMeterProps {
  capacity: number;
  available: number;
  reservePercent: number;
  expected: number;
  p80: number;
  basis: CommitBasis;
  unestimatedCount: number;
  /** Shown while a move is on its way to the server. */
  pending?: boolean;
  id?: string;
}

export function CapacityMeter(props: CapacityMeterProps) {
  const g = meterGeometry(props);
  const warn = !g.over && g.percentOfAvailable !== null && g.percentOfAvailable >= 90;
  const fillClass = g.over
    ? "meter-segment meter-segment-danger"
    : warn
      ? "meter-segment meter-segment-warn"
      : "meter-segment";
  return (
    <div
      className={g.over ? "meter capacity-meter meter-over" : "meter capacity-meter"}
      id={props.id}
      data-pending={props.pending ? "" : undefined}
    >
      <div className="capacity-meter-head">
        <span className="capacity-meter-figure">
          <strong data-testid="meter-load">{formatCredits(g.load)}</strong>
          <span className="muted">
            {" "}
            / {formatCredits(props.available)} credits committed ({props.basis === "p80" ? "p80" : "expected"})
          </span>
        </span>
        {g.over ? (
          <span className="badge badge-danger">Over by {formatCredits(g.overBy)}</span>
        ) : g.percentOfAvailable !== null ? (
          <span className={warn ? "badge badge-warn" : "badge"}>{g.percentOfAvailable} %</span>
        ) : null}
      </div>
      <div className="meter-track" role="img" aria-label={g.summary}>
        {g.expectedPct > 0 ? (
          <span className={fillClass} style={{ "--value": `${g.expectedPct}%` } as React.CSSProperties} />
        ) : null}
        {g.rangePct > 0 ? (
          <span
            className="meter-segment meter-segment-range"
            style={{ "--value": `${g.rangePct}%` } as React.CSSProperties}
          />
        ) : null}
        {g.availablePct < 100 ? (
          <span
            className="meter-tick"
            style={{ "--at": `${g.availablePct}%` } as React.CSSProperties}
            data-label="available"
          />
        ) : null}
      </div>
      <div className="meter-legend">
        <span>
          <span className="legend-swatch" aria-hidden="true" /> Expected {formatCredits(props.expected)}
        </span>
        <span>
          <span className="legend-swatch legend-swatch-range" aria-hidden="true" /> p80{" "}
          {formatCredits(Math.max(props.p80, props.expected))}
        </span>
        <span>
          Available {formatCredits(props.available)} = capacity {formatCredits(props.capacity)} −{" "}
          {formatCredits(props.reservePercent)} % reserve
        </span>
        {props.unestimatedCount > 0 ? (
          <span className="badge badge-warn">{props.unestimatedCount} unestimated: unknown, not zero</span>
        ) : null}
      </div>
    </div>
  );
}
