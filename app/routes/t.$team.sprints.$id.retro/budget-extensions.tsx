// The budget extensions granted during the sprint, when there were any.
import type { RetroData } from "./retro-data";
import { formatDay } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export function BudgetExtensions({ d }: { d: RetroData }) {
  return d.extensions.length ? (
    <section aria-labelledby="extensions-title" className="retro-section">
      <h3 id="extensions-title">Budget extensions</h3>
      <ul>
        {d.extensions.map((x) => (
          <li key={x.id}>
            <strong>{x.key ?? x.title}</strong>: +{formatCredits(x.credits)} credits on {formatDay(x.createdAt)}
            {x.byName ? ` by ${x.byName}` : ""} — {x.reason}
          </li>
        ))}
      </ul>
    </section>
  ) : null;
}
