// The overview cards: imported, unattributed, unpriced, and keys waiting for stories.
import { Link } from "@remix-run/react";
import type { SpendData } from "./spend-data";
import { formatCredits } from "~/domain/credits";

export function SpendOverview({ overview, team }: { overview: SpendData["overview"]; team: string | undefined }) {
  return (
    <section className="cards spend-cards" aria-label="Spend overview">
      <article className="card">
        <h2>Imported spend</h2>
        <p className="big-number">{formatCredits(overview.credits)}</p>
        <p className="muted">
          credits in {overview.entries.toLocaleString("en-US")} {overview.entries === 1 ? "entry" : "entries"}
        </p>
        <Link to={`/t/${team}/spend/import`}>Import more</Link>
      </article>
      <article className="card">
        <h2>Unattributed</h2>
        <p className="big-number">{formatCredits(overview.unattributed.credits)}</p>
        <p className="muted">
          credits in {overview.unattributed.entries.toLocaleString("en-US")}{" "}
          {overview.unattributed.entries === 1 ? "entry" : "entries"} with no story yet
        </p>
      </article>
      {overview.unpriced.entries ? (
        <article className="card">
          <h2>Unpriced</h2>
          <p className="big-number">{overview.unpriced.entries.toLocaleString("en-US")}</p>
          <p className="muted">
            {overview.unpriced.entries === 1 ? "entry" : "entries"} on models the rate card lacks:{" "}
            {overview.unpriced.models.map((m) => m.model).join(", ")}.
          </p>
          <Link to={`/t/${team}/settings/rates`}>Add them to the rate card</Link>
        </article>
      ) : null}
      {overview.waiting.length ? (
        <article className="card">
          <h2>Waiting for stories</h2>
          <p className="muted">
            These keys appear in the data but no story has them yet; the spend attaches as soon as one does.
          </p>
          <ul className="plain-list">
            {overview.waiting.slice(0, 6).map((w) => (
              <li key={w.key}>
                <code>{w.key}</code> — {formatCredits(w.credits)} credits
              </li>
            ))}
          </ul>
          {overview.waiting.length > 6 ? <p className="muted">and {overview.waiting.length - 6} more</p> : null}
        </article>
      ) : null}
    </section>
  );
}
