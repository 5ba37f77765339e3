// The summary cards: bias in words, band hits, p80 coverage, and what is counted apart.
import { formatShare } from "~/domain/retro";
import type { InsightsData } from "./insights-data";

export function InsightsSummary({ d }: { d: InsightsData }) {
  const s = d.summary;
  return (
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
          {s.withoutEstimate} finished without an estimate, {s.withoutSpend} without spend, {s.outliers} more than 2×
          off.
        </p>
      </article>
    </section>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
