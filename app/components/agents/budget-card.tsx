// A story's budget as the guard sees it (spent, p80 + extensions, what is left, the decision and
// why), the extensions granted, and — for managers — the form that extends it. Updates live as spend
// arrives (the route listens to the team's spend stream).
import { Form } from "@remix-run/react";
import { Field, FormError } from "~/components/ui/field";
import type { GuardDecision } from "~/domain/budget-guard";
import { formatDay } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export interface BudgetView {
  decision: GuardDecision;
  reason: string;
  spent: number;
  extended: number;
  p80: number | null;
  leftToP80: number | null;
  sprint: { name: string; policy: string; remaining: number | null } | null;
  extensions: { id: number; credits: number; reason: string; createdAt: string; byName: string | null }[];
}

const BADGE: Record<GuardDecision, { className: string; label: string }> = {
  continue: { className: "badge badge-ok", label: "Continue" },
  warn: { className: "badge badge-warn", label: "Warn" },
  stop: { className: "badge badge-danger", label: "Stop" },
};

export function BudgetCard({
  budget,
  canExtend,
  busy,
  errors,
}: {
  budget: BudgetView;
  canExtend: boolean;
  busy: boolean;
  errors: Record<string, string>;
}) {
  const badge = BADGE[budget.decision];
  return (
    <section className="card stack" aria-labelledby="budget-heading">
      <h2 id="budget-heading">Budget guard</h2>
      <p className="row" aria-live="polite" data-testid="budget-decision">
        <span className={badge.className}>{badge.label}</span> <span>{budget.reason}</span>
      </p>
      <dl className="row">
        <div>
          <dt className="muted">Spent</dt>
          <dd data-testid="budget-spent">{formatCredits(budget.spent)}</dd>
        </div>
        {budget.p80 !== null ? (
          <div>
            <dt className="muted">p80{budget.extended > 0 ? " + extended" : ""}</dt>
            <dd>{formatCredits(budget.p80 + budget.extended)}</dd>
          </div>
        ) : null}
        {budget.leftToP80 !== null ? (
          <div>
            <dt className="muted">Left</dt>
            <dd>{formatCredits(budget.leftToP80)}</dd>
          </div>
        ) : null}
        {budget.sprint ? (
          <div>
            <dt className="muted">Sprint {budget.sprint.name} left</dt>
            <dd>{formatCredits(budget.sprint.remaining)}</dd>
          </div>
        ) : null}
      </dl>
      {budget.extensions.length ? (
        <ul className="stack">
          {budget.extensions.map((x) => (
            <li key={x.id}>
              +{formatCredits(x.credits)} on {formatDay(x.createdAt)}
              {x.byName ? ` by ${x.byName}` : ""}: {x.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {canExtend ? (
        <details open={budget.decision === "stop" || Object.keys(errors).length > 0}>
          <summary>Extend the budget</summary>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="extend-budget" />
            <FormError message={errors.form} />
            <Field
              label="Credits to add"
              name="credits"
              id="extend-credits"
              type="number"
              inputMode="decimal"
              min="0.01"
              step="any"
              required
              error={errors.credits}
            />
            <Field
              label="Reason (shown in the retro)"
              name="reason"
              id="extend-reason"
              required
              maxLength={500}
              error={errors.reason}
            />
            <div className="row">
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Extend budget
              </button>
            </div>
          </Form>
        </details>
      ) : null}
    </section>
  );
}
