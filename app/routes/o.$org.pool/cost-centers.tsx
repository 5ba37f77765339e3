import { Form } from "@remix-run/react";
import { Field, FormError } from "~/components/ui/field";
import { formatCredits } from "~/domain/credits";
import type { PoolActionResult } from "./intents";
import type { loadPoolPage } from "./queries.server";

type Page = Awaited<ReturnType<typeof loadPoolPage>> & { isAdmin: boolean };

/** Groups of teams with an optional cap on what they together may be allocated in a month. */
export function CostCenters({ page, result }: { page: Page; result?: PoolActionResult }) {
  const errors = result?.errors ?? {};
  return (
    <section className="card stack" aria-labelledby="cc-heading">
      <h2 id="cc-heading">Cost centers</h2>
      <FormError message={errors.form} />
      {page.costCenters.length ? (
        <ul className="plain-list">
          {page.costCenters.map((c) => (
            <li key={c.id} className="row">
              {page.isAdmin ? (
                <Form method="post" className="row">
                  <input type="hidden" name="intent" value="save-cost-center" />
                  <input type="hidden" name="costCenterId" value={c.id} />
                  <label htmlFor={`cc-name-${c.id}`} className="sr-only">
                    Name
                  </label>
                  <input id={`cc-name-${c.id}`} name="name" defaultValue={c.name} size={14} />
                  <label htmlFor={`cc-cap-${c.id}`}>Cap</label>
                  <input
                    id={`cc-cap-${c.id}`}
                    name="capCredits"
                    inputMode="decimal"
                    defaultValue={c.capCredits ?? ""}
                    placeholder="none"
                    size={8}
                  />
                  <button type="submit" className="btn btn-ghost">
                    Save
                  </button>
                </Form>
              ) : (
                <span>
                  <strong>{c.name}</strong>{" "}
                  <span className="muted">
                    {c.capCredits === null ? "no cap" : `cap ${formatCredits(c.capCredits)}`}
                  </span>
                </span>
              )}
              {page.isAdmin ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="delete-cost-center" />
                  <input type="hidden" name="costCenterId" value={c.id} />
                  <button type="submit" className="btn btn-ghost">
                    Delete
                  </button>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No cost centers.</p>
      )}
      {page.isAdmin ? (
        <Form method="post" className="row" noValidate>
          <input type="hidden" name="intent" value="save-cost-center" />
          <Field label="New cost center" name="name" placeholder="Payments" error={errors.name} />
          <Field label="Cap (credits a month)" name="capCredits" inputMode="decimal" error={errors.capCredits} />
          <button type="submit" className="btn">
            Add
          </button>
        </Form>
      ) : null}
      {page.teams.length && page.costCenters.length ? (
        <>
          <h3>Teams</h3>
          <ul className="plain-list">
            {page.teams.map((t) => (
              <li key={t.teamId} className="row">
                <Form method="post" className="row">
                  <input type="hidden" name="intent" value="set-cost-center" />
                  <input type="hidden" name="teamId" value={t.teamId} />
                  <label htmlFor={`team-cc-${t.teamId}`}>{t.name}</label>
                  <select
                    id={`team-cc-${t.teamId}`}
                    name="costCenterId"
                    defaultValue={t.costCenterId ?? ""}
                    disabled={!page.isAdmin}
                  >
                    <option value="">No cost center</option>
                    {page.costCenters.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                  {page.isAdmin ? (
                    <button type="submit" className="btn btn-ghost">
                      Set
                    </button>
                  ) : null}
                </Form>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
