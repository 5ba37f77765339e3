import type { ReactNode } from "react";
// The sprint's settings form, for creating and editing: name, goal, dates, capacity (a number, or
// the seat-pool calculator with its arithmetic), reserve, commit basis and exhaustion policy, with
// the suggested capacity from recent sprints ("yesterday's weather") and how it was worked out.
// Plain form fields, so it works before JavaScript; once hydrated the arithmetic follows the inputs.
import { Form } from "@remix-run/react";
import { isIsoDay } from "~/domain/form-fields";
import { useState } from "react";
import { Field, FormError } from "~/components/ui/field";
import { formatCredits, suggestCapacity, type ClosedSprint } from "~/domain/capacity";
import { BASIS_LABELS, PLAN_LABELS, POLICY_HINTS, POLICY_LABELS, sprintCapacity } from "~/domain/sprint";

export interface SprintFormValues {
  name: string;
  goal: string;
  start: string;
  end: string;
  capacityKind: "credits" | "pool";
  capacityCredits: string;
  poolPlan: string;
  poolSeats: string;
  poolPerSeat: string;
  reservePercent: string;
  commitBasis: string;
  exhaustionPolicy: string;
}

export function SprintForm({
  intent,
  defaults,
  values,
  errors,
  history,
  submitLabel,
  disabled = false,
  beforeSubmit,
}: {
  intent?: string;
  defaults: SprintFormValues;
  /** What the user submitted last time (after a validation error): wins over defaults. */
  values?: Record<string, string>;
  errors: Record<string, string>;
  history: ClosedSprint[];
  submitLabel: string;
  disabled?: boolean;
  /** Shown above the submit button, inside the form (the organisation's allocation, say). */
  beforeSubmit?: ReactNode;
}) {
  const initial = { ...defaults, ...(values ?? {}) } as SprintFormValues;
  const [form, setForm] = useState(initial);
  const set = (name: keyof SprintFormValues) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setForm((f) => ({ ...f, [name]: value }));
  };
  const calc = computeCapacity(form);
  const suggestion = safe(() =>
    validDates(form) ? suggestCapacity(history, { start: form.start, end: form.end }) : null,
  );

  return (
    <Form method="post" className="stack sprint-form" noValidate>
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <FormError message={errors.form} />
      <fieldset disabled={disabled} className="stack">
        <div className="form-grid">
          <Field
            label="Name"
            name="name"
            value={form.name}
            onChange={set("name")}
            error={errors.name}
            required
            maxLength={120}
          />
          <Field
            label="Start"
            name="start"
            type="date"
            value={form.start}
            onChange={set("start")}
            error={errors.start}
            required
          />
          <Field
            label="End"
            name="end"
            type="date"
            value={form.end}
            onChange={set("end")}
            error={errors.end}
            required
            hint={calc.workingDays !== null ? `${calc.workingDays} working days (Mon–Fri)` : undefined}
          />
          <Field
            label="Goal"
            name="goal"
            className="span-all"
            error={errors.goal}
            hint="What the sprint is for, in a sentence."
          >
            {(control) => <textarea {...control} rows={2} value={form.goal} onChange={set("goal")} maxLength={500} />}
          </Field>
        </div>

        <fieldset className="card-inset stack">
          <legend>Capacity in AI credits</legend>
          <div className="row" role="radiogroup" aria-label="How to set capacity">
            <label className="field-check">
              <input
                type="radio"
                name="capacityKind"
                value="credits"
                checked={form.capacityKind === "credits"}
                onChange={set("capacityKind")}
              />{" "}
              A number of credits
            </label>
            <label className="field-check">
              <input
                type="radio"
                name="capacityKind"
                value="pool"
                checked={form.capacityKind === "pool"}
                onChange={set("capacityKind")}
              />{" "}
              Seat pool calculator
            </label>
          </div>
          {errors.capacityKind ? <p className="field-error">{errors.capacityKind}</p> : null}

          {form.capacityKind === "credits" ? (
            <div className="form-grid">
              <Field
                label="Capacity (credits)"
                name="capacityCredits"
                inputMode="decimal"
                value={form.capacityCredits}
                onChange={set("capacityCredits")}
                error={errors.capacityCredits}
                required
              />
            </div>
          ) : (
            <div className="stack">
              <div className="form-grid">
                <Field label="Plan" name="poolPlan" error={errors.poolPlan}>
                  {(control) => (
                    <select {...control} value={form.poolPlan || "copilot-business"} onChange={set("poolPlan")}>
                      {Object.entries(PLAN_LABELS).map(([id, label]) => (
                        <option key={id} value={id}>
                          {label}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field
                  label="Seats"
                  name="poolSeats"
                  inputMode="numeric"
                  value={form.poolSeats}
                  onChange={set("poolSeats")}
                  error={errors.poolSeats}
                  required
                />
                {(form.poolPlan || "copilot-business") === "custom" ? (
                  <Field
                    label="Credits per seat a month"
                    name="poolPerSeat"
                    inputMode="decimal"
                    value={form.poolPerSeat}
                    onChange={set("poolPerSeat")}
                    error={errors.poolPerSeat}
                    required
                  />
                ) : null}
              </div>
              {calc.pool ? (
                <div className="arithmetic" aria-live="polite">
                  <p className="arithmetic-title">How the pool turns into this sprint's share</p>
                  <ol>
                    {calc.pool.explanation.map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ol>
                </div>
              ) : null}
            </div>
          )}

          <div className="form-grid">
            <Field
              label="Reserve (%)"
              name="reservePercent"
              className="field-reserve"
              inputMode="decimal"
              value={form.reservePercent}
              onChange={set("reservePercent")}
              error={errors.reservePercent}
              hint="Held back for exceptions: commitments are measured against capacity minus reserve."
            />
          </div>
          {calc.capacity !== null ? (
            <p className="capacity-result" aria-live="polite">
              Capacity <strong>{formatCredits(calc.capacity)}</strong> − reserve {formatCredits(calc.reserve ?? 0)} ={" "}
              <strong>{formatCredits(calc.available ?? 0)} credits available</strong> for commitments.
            </p>
          ) : null}

          <div className="arithmetic">
            <p className="arithmetic-title">Suggested capacity (yesterday's weather)</p>
            {suggestion ? (
              <>
                <ol>
                  {suggestion.explanation.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ol>
                <button
                  type="button"
                  className="btn btn-ghost"
                  onClick={() =>
                    setForm((f) => ({ ...f, capacityKind: "credits", capacityCredits: String(suggestion.credits) }))
                  }
                >
                  Use {formatCredits(suggestion.credits)} credits
                </button>
              </>
            ) : (
              <p className="muted">
                No closed sprints with spend yet: the suggestion appears after the first one closes.
              </p>
            )}
          </div>
        </fieldset>

        <div className="form-grid">
          <Field
            label="Commit basis"
            name="commitBasis"
            error={errors.commitBasis}
            hint="Which figure of each story counts against available credits."
          >
            {(control) => (
              <select {...control} value={form.commitBasis} onChange={set("commitBasis")}>
                {Object.entries(BASIS_LABELS).map(([id, label]) => (
                  <option key={id} value={id}>
                    {label}
                    {id === "expected" ? " (default)" : " (cautious)"}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="When capacity runs out"
            name="exhaustionPolicy"
            error={errors.exhaustionPolicy}
            hint={POLICY_HINTS[form.exhaustionPolicy as keyof typeof POLICY_HINTS]}
          >
            {(control) => (
              <select {...control} value={form.exhaustionPolicy} onChange={set("exhaustionPolicy")}>
                {Object.entries(POLICY_LABELS).map(([id, label]) => (
                  <option key={id} value={id}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {beforeSubmit}
        {disabled ? null : (
          <div>
            <button type="submit" className="btn btn-primary">
              {submitLabel}
            </button>
          </div>
        )}
      </fieldset>
    </Form>
  );
}

function safe<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

function validDates(f: SprintFormValues) {
  return isIsoDay(f.start) && isIsoDay(f.end) && f.end >= f.start;
}

function num(v: string): number | null {
  if (v.trim() === "") return null;
  const n = Number(v.replace(/[,\s_]/g, ""));
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** The capacity the form's current values give, or nulls while they are incomplete. */
function computeCapacity(f: SprintFormValues) {
  const empty = { capacity: null, available: null, reserve: null, pool: null, workingDays: null };
  if (!validDates(f)) return empty;
  const reserve = num(f.reservePercent) ?? 0;
  const result = safe(() =>
    sprintCapacity({
      start: f.start,
      end: f.end,
      capacityKind: f.capacityKind,
      capacityCredits: num(f.capacityCredits),
      poolPlan: (f.poolPlan || "copilot-business") as "copilot-business" | "copilot-enterprise" | "custom",
      poolSeats: num(f.poolSeats) === null ? null : Math.floor(num(f.poolSeats)!),
      poolPerSeat: num(f.poolPerSeat),
      reservePercent: Math.min(100, reserve),
    }),
  );
  if (!result)
    return {
      ...empty,
      workingDays: safe(
        () =>
          sprintCapacity({
            start: f.start,
            end: f.end,
            capacityKind: "credits",
            capacityCredits: 0,
            poolPlan: null,
            poolSeats: null,
            poolPerSeat: null,
            reservePercent: 0,
          }).workingDays,
      ),
    };
  const incomplete = f.capacityKind === "credits" ? num(f.capacityCredits) === null : num(f.poolSeats) === null;
  return {
    capacity: incomplete ? null : result.capacity,
    available: incomplete ? null : result.available,
    reserve: incomplete ? null : result.reserve,
    pool: incomplete ? null : result.pool,
    workingDays: result.workingDays,
  };
}
