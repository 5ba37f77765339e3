// A story's frozen estimate: the three levels as the scheme version of the estimate named them, the
// size, expected and p80 credits, and whether one person set it (solo) or a poker session did.
import type { DimensionId } from "~/domain/sizing-scheme";
import { formatDay } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export interface EstimateView {
  size: string;
  expectedCredits: number;
  p80Credits: number;
  bandLow: number;
  bandHigh: number | null;
  source: "solo" | "session";
  schemeVersion: number;
  currentSchemeVersion: number;
  estimatedAt: string;
  estimatedBy: string | null;
  levels: { dimension: DimensionId; dimensionLabel: string; id: string; label: string; description: string }[];
}

export function EstimateSummary({ estimate }: { estimate: EstimateView }) {
  const band =
    estimate.bandHigh === null
      ? `${formatCredits(estimate.bandLow)}+ credits`
      : `${formatCredits(estimate.bandLow)}–${formatCredits(estimate.bandHigh)} credits`;
  return (
    <div className="estimate-summary stack">
      <div className="estimate-headline">
        <span className="size-big">
          <span className="sr-only">Size </span>
          {estimate.size}
        </span>
        <dl className="estimate-numbers">
          <div>
            <dt>Expected</dt>
            <dd>{formatCredits(estimate.expectedCredits)} credits</dd>
          </div>
          <div>
            <dt>p80</dt>
            <dd>{formatCredits(estimate.p80Credits)} credits</dd>
          </div>
          <div>
            <dt>Band</dt>
            <dd>{band}</dd>
          </div>
        </dl>
      </div>
      <ul className="level-list">
        {estimate.levels.map((l) => (
          <li key={l.dimension}>
            <span className="muted">{l.dimensionLabel}</span> <strong>{l.label}</strong>
            {l.description ? <span className="muted"> — {l.description}</span> : null}
          </li>
        ))}
      </ul>
      <p className="estimate-meta">
        {estimate.source === "solo" ? (
          <span className="badge badge-warn" title="Set by one person without a poker session">
            Solo estimate
          </span>
        ) : (
          <span className="badge badge-ok">Poker session</span>
        )}{" "}
        <span className="badge">Scheme v{estimate.schemeVersion}</span>{" "}
        <span className="muted">
          {estimate.estimatedBy ? `by ${estimate.estimatedBy} ` : ""}on {formatDay(estimate.estimatedAt)}
          {estimate.schemeVersion !== estimate.currentSchemeVersion
            ? ` · the team has since moved to scheme v${estimate.currentSchemeVersion}; this estimate keeps v${estimate.schemeVersion}`
            : ""}
        </span>
      </p>
    </div>
  );
}
