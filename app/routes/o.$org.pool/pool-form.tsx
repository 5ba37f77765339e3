import { Form } from "@remix-run/react";
import { Field, FormError } from "~/components/ui/field";
import { formatCredits } from "~/domain/credits";
import { formatMonth } from "~/domain/dates";
import type { PoolActionResult } from "./intents";
import type { loadPoolPage } from "./queries.server";

type Page = Awaited<ReturnType<typeof loadPoolPage>> & { isAdmin: boolean };

/** The month's pool: from seats or a number, the overage budget and what happens when it is empty. */
export function PoolForm({ page, result }: { page: Page; result?: PoolActionResult }) {
  const s = page.settings;
  const errors = result?.errors ?? {};
  const v = (name: string, fallback: string | number | null | undefined) =>
    result?.values?.[name] ?? (fallback === null || fallback === undefined ? "" : String(fallback));
  const source = v("poolSource", s?.poolSource ?? "seats");
  return (
    <section className="card stack" aria-labelledby="pool-heading">
      <h2 id="pool-heading">The month's pool</h2>
      {page.pool ? (
        <div className="stack">
          <p>
            <strong>{formatCredits(page.pool.included)}</strong> credits included
            {page.pool.usableOverage > 0 ? (
              <>
                {" "}
                + <strong>{formatCredits(page.pool.usableOverage)}</strong> metered overage
              </>
            ) : null}
            {s?.openedFrom ? <span className="muted"> · opened from {formatMonth(s.openedFrom)}</span> : null}
          </p>
          <details>
            <summary>How is this computed?</summary>
            <ul>
              {page.pool.explanation.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </details>
        </div>
      ) : (
        <p className="muted">
          No pool for this month yet{page.isAdmin ? ": set it up below." : "; an org admin sets it up."} Later months
          open from it automatically.
        </p>
      )}
      {page.isAdmin ? (
        <Form method="post" className="stack form-narrow" noValidate>
          <input type="hidden" name="intent" value="save-pool" />
          <input type="hidden" name="month" value={page.month} />
          <FormError message={errors.form} />
          <fieldset className="stack">
            <legend>Pool from</legend>
            <label className="row">
              <input type="radio" name="poolSource" value="seats" defaultChecked={source === "seats"} /> Seats ×
              included credits per seat
            </label>
            <div className="form-grid">
              <Field label="Plan" name="plan" error={errors.plan}>
                {(control) => (
                  <select {...control} defaultValue={v("plan", s?.plan ?? "copilot-business")}>
                    <option value="copilot-business">Copilot Business</option>
                    <option value="copilot-enterprise">Copilot Enterprise</option>
                    <option value="custom">Other plan</option>
                  </select>
                )}
              </Field>
              <Field
                label="Seats"
                name="seats"
                inputMode="numeric"
                defaultValue={v("seats", s?.seats)}
                error={errors.seats}
              />
              <Field
                label="Included credits per seat"
                name="includedPerSeat"
                inputMode="decimal"
                defaultValue={v("includedPerSeat", s?.includedPerSeat ?? page.perSeatDefaults["copilot-business"])}
                error={errors.includedPerSeat}
                hint={`Vendors change this: Copilot Business ${formatCredits(page.perSeatDefaults["copilot-business"])}, Enterprise ${formatCredits(page.perSeatDefaults["copilot-enterprise"])} a month.`}
              />
            </div>
            <label className="row">
              <input type="radio" name="poolSource" value="fixed" defaultChecked={source === "fixed"} /> A fixed number
              of credits
            </label>
            <Field
              label="Pool in credits"
              name="fixedCredits"
              inputMode="decimal"
              defaultValue={v("fixedCredits", s?.fixedCredits)}
              error={errors.fixedCredits}
            />
          </fieldset>
          <div className="form-grid">
            <Field
              label="Paid overage budget"
              name="overageBudgetCredits"
              inputMode="decimal"
              defaultValue={v("overageBudgetCredits", s?.overageBudgetCredits ?? 0)}
              error={errors.overageBudgetCredits}
              hint="Credits that may be bought beyond the pool (0 for none)."
            />
            <Field label="When the pool is empty" name="exhaustionPolicy" error={errors.exhaustionPolicy}>
              {(control) => (
                <select {...control} defaultValue={v("exhaustionPolicy", s?.exhaustionPolicy ?? "block")}>
                  <option value="block">Block until next month</option>
                  <option value="metered">Allow metered overage up to the budget</option>
                </select>
              )}
            </Field>
            <Field label="A sprint over its team's allocation" name="allocationPolicy" error={errors.allocationPolicy}>
              {(control) => (
                <select {...control} defaultValue={v("allocationPolicy", s?.allocationPolicy ?? "warn")}>
                  <option value="warn">Is warned</option>
                  <option value="refuse">Is refused</option>
                </select>
              )}
            </Field>
          </div>
          <button type="submit" className="btn btn-primary">
            Save pool
          </button>
        </Form>
      ) : null}
    </section>
  );
}
