// Quick estimate: one person picks the three levels directly, without a poker session. Radio groups
// work before JS loads; with JS the resulting size and credits show as the cards are picked.
import { Form } from "@remix-run/react";
import { useState } from "react";
import { implied } from "~/domain/sizing";
import { DIMENSIONS, type DimensionId, type SizingScheme } from "~/domain/sizing-scheme";
import { formatCredits } from "~/domain/credits";

export function QuickEstimateForm({
  scheme,
  initial,
  error,
  busy,
}: {
  scheme: SizingScheme;
  initial: Partial<Record<DimensionId, string>>;
  error?: string;
  busy: boolean;
}) {
  const [picked, setPicked] = useState<Partial<Record<DimensionId, string>>>(initial);
  const preview = implied(scheme, {
    intensity: picked.intensity ?? null,
    autonomy: picked.autonomy ?? null,
    risk: picked.risk ?? null,
  });
  return (
    <Form method="post" className="quick-estimate stack" aria-describedby="quick-estimate-note">
      <input type="hidden" name="intent" value="estimate" />
      <p id="quick-estimate-note" className="muted">
        Set the three levels yourself. It is recorded as a <strong>solo estimate</strong>; a poker session can replace
        it later.
      </p>
      <div className="level-pickers">
        {DIMENSIONS.map((d) => (
          <fieldset key={d.id} className="level-picker">
            <legend>{d.label}</legend>
            {scheme[d.id].map((level) => (
              <label key={level.id} className="level-option">
                <input
                  type="radio"
                  name={d.id}
                  value={level.id}
                  defaultChecked={initial[d.id] === level.id}
                  onChange={() => setPicked((p) => ({ ...p, [d.id]: level.id }))}
                  required
                />
                <span>
                  <span className="level-option-label">{level.label}</span>
                  <span className="level-option-description">{level.description}</span>
                </span>
              </label>
            ))}
          </fieldset>
        ))}
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Save solo estimate
        </button>
        <output className="muted" aria-live="polite">
          {preview.size
            ? `Size ${preview.size} · expected ${formatCredits(preview.expected)} credits${preview.p80 !== null ? ` · p80 ${formatCredits(preview.p80)}` : ""}`
            : "Pick model intensity and autonomy to see the size."}
        </output>
      </div>
    </Form>
  );
}
