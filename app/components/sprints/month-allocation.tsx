import { Link } from "@remix-run/react";
import { formatCredits } from "~/domain/credits";
import { formatMonth } from "~/domain/dates";
import type { SprintMonthCheck } from "~/domain/organisation/sprint-allocation";

export interface MonthAllocationProps {
  check: { organisation: { slug: string; name: string }; months: SprintMonthCheck[] } | null;
  /** The action's refusal or warning about the allocation. */
  message?: string;
  /** The warning asks to confirm: the form then shows the "Save anyway" box. */
  warning?: boolean;
}

/**
 * For a team in an organisation: what is left of the team's month allocation for the sprint's
 * months (as the page loaded or as last submitted), and the action's warning or refusal.
 */
export function MonthAllocation({ check, message, warning }: MonthAllocationProps) {
  if (!check) return null;
  return (
    <div className="stack" aria-live="polite">
      <p className="muted">
        This team draws on <Link to={`/o/${check.organisation.slug}`}>{check.organisation.name}</Link>'s monthly pool.{" "}
        {check.months.length === 0
          ? "No month this sprint touches has a pool yet, so nothing limits it."
          : check.months
              .map(
                (m) =>
                  `${formatMonth(m.month)}: ${formatCredits(Math.max(0, m.left))} of ${formatCredits(m.allocation)} left after other sprints, this sprint takes ${formatCredits(m.thisSprint)}`,
              )
              .join(". ") + "."}
      </p>
      {message ? (
        <div className={warning ? "alert alert-warn" : "alert alert-error"} role="alert">
          <p>{message}</p>
          {warning ? (
            <label className="row">
              <input type="checkbox" name="confirmOverAllocation" value="on" /> Save anyway
            </label>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
