// The facilitator records the agreed levels (preselected from the suggestion) on the story, or
// marks it split. The preview uses the session's scheme, the same arithmetic the server uses.
import { Form } from "@remix-run/react";
import { useState } from "react";
import { suggestedLevels, type RevealedRound } from "~/domain/poker";
import { estimate } from "~/domain/sizing";
import { DIMENSIONS, type SizingScheme } from "~/domain/sizing-scheme";
import { formatCredits } from "~/components/poker/format";

export function FinalizeForm({ itemId, round, scheme, busy }: { itemId: number; round: RevealedRound; scheme: SizingScheme; busy: boolean }) {
  const suggestion = suggestedLevels(round);
  const initial = {
    intensity: suggestion?.intensity ?? scheme.intensity[0]!.id,
    autonomy: suggestion?.autonomy ?? scheme.autonomy[0]!.id,
    risk: suggestion?.risk ?? scheme.risk[0]!.id,
  };
  const [levels, setLevels] = useState(initial);
  const preview = (() => {
    try {
      return estimate(scheme, levels);
    } catch {
      return null;
    }
  })();
  return (
    <div className="card stack poker-finalize">
      <h3>Finalize this story</h3>
      <Form method="post" className="stack" key={round.id}>
        <input type="hidden" name="intent" value="finalize" />
        <input type="hidden" name="itemId" value={itemId} />
        <div className="form-grid">
          {DIMENSIONS.map((d) => (
            <div className="field" key={d.id}>
              <label htmlFor={`finalize-${d.id}`}>{d.label}</label>
              <select
                id={`finalize-${d.id}`}
                name={d.id}
                value={levels[d.id]}
                onChange={(e) => setLevels({ ...levels, [d.id]: e.currentTarget.value })}
              >
                {scheme[d.id].map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.label}
                    {l.id === suggestion?.[d.id] ? " (suggested)" : ""}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </div>
        <p className="muted" aria-live="polite">
          {preview ? (
            <>
              Records size <strong>{preview.size}</strong>: {formatCredits(preview.expected)} credits expected, p80 {formatCredits(preview.p80)}.
            </>
          ) : null}
        </p>
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Finalize
          </button>
        </div>
      </Form>
      <Form method="post" className="row">
        <input type="hidden" name="intent" value="split-story" />
        <input type="hidden" name="itemId" value={itemId} />
        <button type="submit" className="btn" disabled={busy}>
          ✂ Mark as split
        </button>
        <span className="muted">Too big to size: no estimate is recorded; the summary lists it to split.</span>
      </Form>
    </div>
  );
}
