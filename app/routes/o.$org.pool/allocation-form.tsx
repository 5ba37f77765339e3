import { Form } from "@remix-run/react";
import { FormError } from "~/components/ui/field";
import { formatCredits } from "~/domain/credits";
import { formatMonth } from "~/domain/dates";
import type { PoolActionResult } from "./intents";
import type { loadPoolPage } from "./queries.server";

type Page = Awaited<ReturnType<typeof loadPoolPage>> & { isAdmin: boolean };

/** Each team's share of the month, in credits or as a % of the included pool; the rest is reserve. */
export function AllocationForm({ page, result }: { page: Page; result?: PoolActionResult }) {
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  if (!page.pool) return null;
  return (
    <section className="card stack" aria-labelledby="alloc-heading">
      <h2 id="alloc-heading">Allocations</h2>
      <p>
        Allocated <strong>{formatCredits(page.allocated)}</strong> of {formatCredits(page.pool.ceiling)} ·{" "}
        <strong>{formatCredits(page.reserve ?? 0)}</strong> unallocated reserve for exceptions
        {page.pool.usableOverage > 0 ? " (pool first, then overage)" : ""}.
      </p>
      {page.teams.length === 0 ? (
        <p className="muted">No team has joined yet: ask one on the Settings page.</p>
      ) : (
        <Form method="post" className="stack" noValidate>
          <input type="hidden" name="intent" value="allocate" />
          <input type="hidden" name="month" value={page.month} />
          <FormError message={errors.allocations ?? errors.form} />
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Allocations of {formatMonth(page.month)}</caption>
              <thead>
                <tr>
                  <th scope="col">Team</th>
                  <th scope="col">Allocation</th>
                  <th scope="col">As</th>
                  <th scope="col" className="num">
                    Credits now
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.teams.map((t) => {
                  const id = `amount-${t.teamId}`;
                  const kind = values[`kind-${t.teamId}`] ?? (t.percent !== null ? "percent" : "credits");
                  const amount =
                    values[id] ??
                    (t.percent !== null ? String(t.percent) : t.credits === null ? "" : String(t.credits));
                  return (
                    <tr key={t.teamId}>
                      <th scope="row">
                        <label htmlFor={id}>{t.name}</label>
                        <input type="hidden" name="teamId" value={t.teamId} />
                      </th>
                      <td>
                        <input
                          id={id}
                          name="amount"
                          inputMode="decimal"
                          defaultValue={amount}
                          disabled={!page.isAdmin}
                          aria-invalid={errors[id] ? true : undefined}
                          aria-describedby={errors[id] ? `${id}-error` : undefined}
                          size={10}
                        />
                        {errors[id] ? (
                          <p className="field-error" id={`${id}-error`}>
                            {errors[id]}
                          </p>
                        ) : null}
                      </td>
                      <td>
                        <label htmlFor={`kind-${t.teamId}`} className="sr-only">
                          {t.name}: credits or percent
                        </label>
                        <select id={`kind-${t.teamId}`} name="kind" defaultValue={kind} disabled={!page.isAdmin}>
                          <option value="credits">credits</option>
                          <option value="percent">% of pool</option>
                        </select>
                      </td>
                      <td className="num">{t.credits === null ? "—" : formatCredits(t.credits)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {page.isAdmin ? (
            <button type="submit" className="btn btn-primary">
              Save allocations
            </button>
          ) : null}
        </Form>
      )}
    </section>
  );
}
