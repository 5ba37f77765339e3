// One voter's cards for one round: a radio group per dimension (plus `?`) and the whole-vote
// `split`. Works as a plain form before JavaScript loads ("Save vote"); afterwards a card is cast
// the moment it is picked (a click, Space or Enter) and saved at once, and the cards show the change
// immediately while the server confirms it. The arrow keys only move along a row: a keyboard user
// can walk from Low to High without casting every card on the way (and triggering auto-reveal).
import { Form, useFetcher } from "@remix-run/react";
import { useEffect, useId, useState } from "react";
import { isComplete, type Cards } from "~/domain/poker";
import { DIMENSIONS, type DimensionId, type SizingScheme } from "~/domain/sizing-scheme";
import { useHydrated } from "~/components/ui/use-hydrated";

/** The "can't say" card (UNSURE in domain/sizing.ts; repeated to keep the sizing maths out of this bundle). */
const UNSURE = "?";
const NO_CARDS: Cards = { split: false, intensity: null, autonomy: null, risk: null };

export function VoteDeck({
  scheme,
  roundId,
  saved,
  seq,
  disabled,
  heading,
  live,
}: {
  scheme: SizingScheme;
  roundId: number;
  /** The cards as the server has them. */
  saved: Cards | undefined;
  /** The room's change counter: a draft is dropped once the server has caught up with it. */
  seq: number;
  disabled?: boolean;
  heading: string;
  /** The live stream is up: the moment to re-send a vote the network swallowed. */
  live: boolean;
}) {
  const id = useId();
  const hydrated = useHydrated();
  const fetcher = useFetcher<{ ok: boolean; offline?: boolean; seq?: number | null; errors?: Record<string, string> }>({
    key: `vote-${roundId}`,
  });
  // What the voter just picked, shown until the server's view includes it.
  const [draft, setDraft] = useState<{ cards: Cards; roundId: number } | null>(null);
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const confirmedSeq = result?.ok ? (result.seq ?? null) : null;
  const unsent = !!result?.offline && draft !== null;
  useEffect(() => {
    // Refused (the round was revealed meanwhile, say): show the server's cards again. Not sent at
    // all (offline): keep the pick on screen and send it again below.
    if (result && !result.ok && !result.offline) setDraft(null);
  }, [result]);
  useEffect(() => {
    if (!unsent || !live || !draft) return;
    const retry = window.setTimeout(() => save(draft.cards), 1_000);
    return () => window.clearTimeout(retry);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- re-sends when the connection is back, then after each failed try
  }, [unsent, live, result]);
  useEffect(() => {
    if (confirmedSeq !== null && seq >= confirmedSeq) setDraft(null);
  }, [seq, confirmedSeq]);
  useEffect(() => setDraft(null), [roundId]);

  const cards = draft && draft.roundId === roundId ? draft.cards : (saved ?? NO_CARDS);
  const error = result && !result.ok ? result.errors?.form : undefined;

  function save(next: Cards) {
    setDraft({ cards: next, roundId });
    fetcher.submit(
      {
        intent: "vote",
        roundId: String(roundId),
        intensity: next.intensity ?? "",
        autonomy: next.autonomy ?? "",
        risk: next.risk ?? "",
        split: next.split ? "split" : "",
        splitShown: "1",
        ts: String(Date.now()),
      },
      { method: "post" },
    );
  }

  const cast = isComplete(cards);
  return (
    <Form method="post" className="poker-deck" aria-labelledby={`${id}-h`}>
      <div className="row">
        <h3 id={`${id}-h`}>{heading}</h3>
        <span className={unsent ? "badge badge-warn" : cast ? "badge badge-ok" : "badge"} role="status">
          {unsent
            ? "Not saved yet: waiting for the connection"
            : cast
              ? "✓ Your vote is in"
              : "Pick a card in each row, or split"}
        </span>
      </div>
      <input type="hidden" name="intent" value="vote" />
      <input type="hidden" name="roundId" value={roundId} />
      <input type="hidden" name="splitShown" value="1" />
      {DIMENSIONS.map((dimension) => (
        <CardGroup
          key={dimension.id}
          id={`${id}-${dimension.id}`}
          dimension={dimension.id}
          label={dimension.label}
          scheme={scheme}
          value={cards[dimension.id]}
          disabled={disabled}
          onPick={(value) => save({ ...cards, [dimension.id]: value })}
        />
      ))}
      <label className={cards.split ? "deck-split is-on" : "deck-split"}>
        <input
          type="checkbox"
          name="split"
          value="split"
          checked={cards.split}
          disabled={disabled}
          onChange={(e) => save({ ...cards, split: e.currentTarget.checked })}
        />
        <span>
          <strong>Split</strong> — too big to size: split the story
          {cards.split ? <span className="muted"> (your cards above are not counted)</span> : null}
        </span>
      </label>
      {error && !unsent ? (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row">
        {/* Without JavaScript the form is saved with this button; with it, every pick saves. */}
        {!hydrated ? (
          <button type="submit" className="btn btn-primary" disabled={disabled}>
            Save vote
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            disabled={disabled || (!cast && !cards.intensity && !cards.autonomy && !cards.risk)}
            onClick={() => save(NO_CARDS)}
          >
            Clear my vote
          </button>
        )}
      </div>
    </Form>
  );
}

function CardGroup({
  id,
  dimension,
  label,
  scheme,
  value,
  disabled,
  onPick,
}: {
  id: string;
  dimension: DimensionId;
  label: string;
  scheme: SizingScheme;
  value: string | null;
  disabled?: boolean;
  onPick: (value: string) => void;
}) {
  const cardsOf = [...scheme[dimension], { id: UNSURE, label: "?", description: "Not sure in this dimension" }];
  // Browsers move the check with the focus in a radio group; here the arrows move focus only.
  const onKeyDown = (e: React.KeyboardEvent<HTMLFieldSetElement>) => {
    const target = e.target as HTMLInputElement;
    if (target.type !== "radio" || e.altKey || e.ctrlKey || e.metaKey) return;
    const radios = [...e.currentTarget.querySelectorAll<HTMLInputElement>('input[type="radio"]:not(:disabled)')];
    const at = radios.indexOf(target);
    const step: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    let next: HTMLInputElement | undefined;
    if (e.key in step) next = radios[(at + step[e.key]! + radios.length) % radios.length];
    else if (e.key === "Home") next = radios[0];
    else if (e.key === "End") next = radios[radios.length - 1];
    else if (e.key === "Enter") {
      // Enter casts the focused card (instead of submitting the form).
      e.preventDefault();
      onPick(target.value);
      return;
    } else return;
    e.preventDefault();
    next?.focus();
  };
  return (
    <fieldset className="deck-group" role="radiogroup" aria-labelledby={`${id}-legend`} onKeyDown={onKeyDown}>
      <legend id={`${id}-legend`}>{label}</legend>
      <div className="deck-cards">
        {cardsOf.map((level) => {
          const inputId = `${id}-${level.id}`;
          return (
            <label key={level.id} className="deck-card" htmlFor={inputId}>
              <input
                id={inputId}
                type="radio"
                name={dimension}
                value={level.id}
                checked={value === level.id}
                disabled={disabled}
                aria-labelledby={`${inputId}-l`}
                aria-describedby={`${inputId}-d`}
                onChange={() => onPick(level.id)}
              />
              <span className="deck-face">
                <span className="deck-check" aria-hidden="true">
                  ✓
                </span>
                <span className="deck-label" id={`${inputId}-l`}>
                  {level.id === UNSURE ? (
                    <>
                      <span aria-hidden="true">?</span>
                      <span className="sr-only">Can't say</span>
                    </>
                  ) : (
                    level.label
                  )}
                </span>
                <span className="deck-desc" id={`${inputId}-d`}>
                  {level.description}
                </span>
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
