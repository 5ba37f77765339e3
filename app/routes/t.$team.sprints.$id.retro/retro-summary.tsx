// The summary cards: drift in words, planned against actual, band hits, p80 coverage, and what is counted apart.
import { Link } from "@remix-run/react";
import { formatShare } from "~/domain/retro";
import type { RetroData } from "./retro-data";
import { formatCredits } from "~/domain/credits";

export function RetroSummary({
  d,
  withParams,
}: {
  d: RetroData;
  withParams: (patch: Record<string, string | null>) => string;
}) {
  const s = d.summary;
  return (
    <section className="cards retro-summary" aria-label="Summary">
      <article className="card">
        <h3>Drift</h3>
        <p className="headline-words">
          {s.medianRatioWords ? capitalize(s.medianRatioWords) : "No story has both an estimate and a spend yet"}
        </p>
        <p className="muted">
          median of {s.compared} {s.compared === 1 ? "story" : "stories"}
          {d.spread ? `; ${d.spread}` : ""}
        </p>
      </article>
      <article className="card">
        <h3>Planned vs actual</h3>
        <p className="big-number">
          {formatCredits(s.totals.matchedActual)}{" "}
          <span className="muted big-number-unit">/ {formatCredits(s.totals.matchedPlanned)}</span>
        </p>
        <p className="muted">
          credits actual / expected over the {s.totals.matchedStories} stories with both. All estimates:{" "}
          {formatCredits(s.totals.allPlanned)}; all spend: {formatCredits(s.totals.allActual)}.
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
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
