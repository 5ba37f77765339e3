// The poker room. Its data is a RoomView (see app/domain/poker.ts): first from the loader, then
// kept current by the live stream; every action is a plain form post that also works without
// JavaScript, and the stream (or the loader's revalidation) brings the result.
import { useActionData, useFetcher, useSearchParams } from "@remix-run/react";
import { lazy, Suspense, useEffect, useRef, useState, type ReactNode } from "react";
import { facilitatorIsAway, type RoomView } from "~/domain/poker";
import { formatDuration, levelLabel } from "~/components/poker/format";
import { JoinPanel, LiveIndicator, PeopleList } from "~/components/poker/people";
import { Queue } from "~/components/poker/queue";
import { RevealPanel } from "~/components/poker/reveal-panel";
import { SharePanel } from "~/components/poker/share-panel";
import { SummaryPanel } from "~/components/poker/summary";
import { useRoomLive, useServerNow } from "~/components/poker/use-room-live";
import { VoteDeck } from "~/components/poker/vote-deck";
import { formatInstant } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

// Facilitator-only parts load on demand (see facilitator-tools.tsx): a voter's page stays small.
const tools = () => import("~/components/poker/facilitator-tools");
const FacilitatorQueue = lazy(() => tools().then((m) => ({ default: m.FacilitatorQueue })));
const FinalizeForm = lazy(() => tools().then((m) => ({ default: m.FinalizeForm })));
const AddStories = lazy(() => tools().then((m) => ({ default: m.AddStories })));
const FacilitatorOptions = lazy(() => tools().then((m) => ({ default: m.FacilitatorOptions })));

export interface RoomProps {
  view: RoomView;
  streamUrl: string;
  shareUrl: string;
  guestUrl: string | null;
  /** A manager may make an invite for someone new to the team that lands them here. */
  canInvite: boolean;
  /** Why the links cannot work for others (a localhost address), or null. */
  linkProblem: string | null;
  qrSvg: string | null;
  addable: { id: number; key: string | null; title: string }[];
  teamName: string;
}

type ActionResult = { ok: boolean; seq?: number | null; errors?: Record<string, string> } | undefined;

export function PokerRoom(props: RoomProps) {
  const { view, offset, status } = useRoomLive(props.streamUrl, props.view);
  const now = useServerNow(view, offset);
  const { room, me, mine } = view;
  const { session, current } = room;
  const actionData = useActionData<ActionResult>();
  const fetcher = useFetcher<ActionResult>({ key: "poker-room" });
  const busy = fetcher.state !== "idle";
  const error = (fetcher.state === "idle" ? fetcher.data?.errors?.form : undefined) ?? actionData?.errors?.form;
  const [params] = useSearchParams();
  const aheadItemId = Number(params.get("ahead")) || null;
  const aheadItem = room.queue.find((q) => q.itemId === aheadItemId && !q.isCurrent && q.openRoundId !== null);
  const open = session.status === "open";
  const offerTakeOver = open && me.canParticipate && !me.isFacilitator && facilitatorIsAway(room, now);

  const button = (
    intent: string,
    label: ReactNode,
    fields: Record<string, string> = {},
    className = "btn",
    shortcut?: string,
  ) => (
    <fetcher.Form method="post" className="inline-form">
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" className={className} disabled={busy} aria-keyshortcuts={shortcut}>
        {label}
      </button>
    </fetcher.Form>
  );

  const round = current?.round;
  const latestRevealed = current?.revealed[current.revealed.length - 1];
  const voters = room.participants.filter((p) => p.role === "voter");
  const votedCount = round?.status === "voting" ? round.voted.length : 0;
  const queueProps = { queue: room.queue, canVoteAhead: me.canVote && session.allowAhead && open, mine, aheadItemId };
  const controls = useRef<HTMLDivElement>(null);
  const announcement = useRevealAnnouncement(view);

  // The button pressed (Reveal, Re-vote, Next story) goes away with the change it made: focus
  // stays on the room's main action instead of dropping to the page body.
  // (Its buttons are disabled while the action is under way: focus moves once they are enabled.)
  const stage = `${current?.itemId}:${round?.id}:${round?.status}:${current?.status}`;
  const refocus = useRef(false);
  const lastStage = useRef(stage);
  const focusLost = () => !document.activeElement || document.activeElement === document.body;
  useEffect(() => {
    // Only when the stage moved on (not on arriving at the page: the skip link comes first then).
    if (lastStage.current === stage) return;
    lastStage.current = stage;
    if (focusLost() || controls.current?.contains(document.activeElement)) refocus.current = true;
  }, [stage]);
  useEffect(() => {
    if (!refocus.current || !controls.current) return;
    const buttons = controls.current.querySelectorAll<HTMLButtonElement>("button:not(:disabled)");
    const target = controls.current.querySelector<HTMLButtonElement>(".btn-primary:not(:disabled)") ?? buttons[0];
    if (!target) return;
    refocus.current = false;
    if (focusLost()) target.focus();
  });

  // Facilitator shortcuts (shown in the room): R reveal, V re-vote, N next story; never while typing.
  const shortcuts = me.isFacilitator && open && !!current && !!round;
  useEffect(() => {
    if (!shortcuts || !current || !round) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat || e.altKey || e.ctrlKey || e.metaKey || busy) return;
      const el = e.target as HTMLElement | null;
      if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
      const key = e.key.toLowerCase();
      const submit = (fields: Record<string, string>) => {
        e.preventDefault();
        fetcher.submit(fields, { method: "post" });
      };
      if (key === "r" && round.status === "voting") submit({ intent: "reveal", roundId: String(round.id) });
      else if (key === "v" && round.status === "revealed") submit({ intent: "revote", itemId: String(current.itemId) });
      else if (key === "n") submit({ intent: "next" });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [shortcuts, current, round, busy, fetcher]);

  return (
    <div className="poker-room">
      {/* Screen readers hear the reveal (and who revealed it is beside the point). */}
      <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="poker-announcer">
        {announcement}
      </div>
      <div className="page-header">
        <div>
          <h1>{session.name}</h1>
          <p className="muted">
            {props.teamName} · {room.facilitator ? <>facilitated by {room.facilitator.name}</> : "no facilitator"}
            {session.autoReveal ? " · auto-reveal" : ""}
            {session.allowAhead ? " · voting ahead" : ""}
          </p>
        </div>
        <div>
          <LiveIndicator status={status} />
        </div>
      </div>

      {error ? (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      ) : null}
      {!open ? (
        <div className="alert" role="status">
          This session has ended. The summary below is what it produced.
        </div>
      ) : null}
      {offerTakeOver ? (
        <div className="alert alert-warn row" role="alert">
          <span>
            {room.facilitator
              ? `${room.facilitator.name} has been away for 2 minutes.`
              : "This session has no facilitator."}{" "}
            Someone can take over to keep the room going.
          </span>
          {button("take-over", "Take over as facilitator", {}, "btn btn-primary")}
        </div>
      ) : null}

      <div className="poker-layout">
        <div className="poker-main stack">
          {me.role === null ? <JoinPanel me={me} /> : null}

          {current && round ? (
            <section className="card stack poker-current" aria-labelledby="poker-story-h">
              <div className="row">
                <p className="muted poker-eyebrow">
                  Story {room.queue.findIndex((q) => q.itemId === current.itemId) + 1} of {room.queue.length} · round{" "}
                  {round.number}
                </p>
                <span className="spacer" />
                {round.status === "voting" && round.timerEndsAt !== null && open ? (
                  <Countdown endsAt={round.timerEndsAt} now={now} />
                ) : null}
              </div>
              <h2 id="poker-story-h">
                {current.key ? <span className="muted">{current.key} </span> : null}
                {current.title}
              </h2>
              {current.link ? (
                <p>
                  <a href={current.link} target="_blank" rel="noreferrer noopener">
                    Open the story ↗
                  </a>
                </p>
              ) : null}
              {current.description ? <p className="poker-description">{current.description}</p> : null}

              {round.status === "voting" ? (
                <p className="poker-progress" role="status">
                  <strong>
                    {votedCount} of {voters.length}
                  </strong>{" "}
                  {voters.length === 1 ? "voter has" : "voters have"} voted
                  {session.autoReveal && round.autoRevealAt === null
                    ? " — cards turn over when every voter who is here has voted"
                    : ""}
                  {session.autoReveal && round.autoRevealAt !== null && open ? (
                    <AutoRevealCountdown at={round.autoRevealAt} now={now} />
                  ) : null}
                </p>
              ) : null}

              {me.isFacilitator && open ? (
                <>
                  <div className="row poker-controls" role="group" aria-label="Facilitator controls" ref={controls}>
                    {round.status === "voting"
                      ? button("reveal", "Reveal", { roundId: String(round.id) }, "btn btn-primary", "R")
                      : null}
                    {round.status === "revealed"
                      ? button(
                          "revote",
                          "Re-vote",
                          { itemId: String(current.itemId) },
                          current.status === "finalized" ? "btn" : "btn btn-primary",
                          "V",
                        )
                      : null}
                    {button(
                      "next",
                      "Next story",
                      {},
                      round.status === "revealed" && current.status === "finalized" ? "btn btn-primary" : "btn",
                      "N",
                    )}
                    {current.status === "pending"
                      ? button("skip", "Skip", { itemId: String(current.itemId) }, "btn btn-ghost")
                      : null}
                  </div>
                  <p className="muted poker-shortcuts">
                    Keyboard: <kbd>R</kbd> reveal · <kbd>V</kbd> re-vote · <kbd>N</kbd> next story (not while typing in
                    a field)
                  </p>
                </>
              ) : null}

              {current.status === "finalized" ? (
                <div className="alert alert-ok" role="status">
                  {current.split ? (
                    <>✂ Marked split: this story should be broken up before it is sized.</>
                  ) : current.estimate ? (
                    <>
                      ✓ Finalized: <strong>{current.estimate.size}</strong> —{" "}
                      {levelLabel(room.scheme, "intensity", current.estimate.intensity)} ·{" "}
                      {levelLabel(room.scheme, "autonomy", current.estimate.autonomy)} ·{" "}
                      {levelLabel(room.scheme, "risk", current.estimate.risk)},{" "}
                      {formatCredits(current.estimate.expected)} credits expected (p80{" "}
                      {formatCredits(current.estimate.p80)}; range {formatCredits(current.estimate.bandLow)}
                      {current.estimate.bandHigh === null ? "+" : `–${formatCredits(current.estimate.bandHigh)}`}{" "}
                      credits).
                      {current.estimate.by || current.estimate.at !== null ? (
                        <span className="poker-finalized-by">
                          {" "}
                          {current.estimate.by ? `By ${current.estimate.by}` : "Set"}
                          {current.estimate.at !== null ? ` on ${formatInstant(new Date(current.estimate.at))}` : ""}.
                        </span>
                      ) : null}
                    </>
                  ) : (
                    <>✓ Finalized.</>
                  )}
                </div>
              ) : null}

              {round.status === "voting" && me.canVote ? (
                <VoteDeck
                  key={round.id}
                  heading="Your cards"
                  scheme={room.scheme}
                  roundId={round.id}
                  saved={mine[String(round.id)]}
                  seq={view.seq}
                  live={status === "live"}
                />
              ) : null}
              {round.status === "voting" && !me.canVote && open ? (
                <p className="muted">Cards stay face down until the facilitator reveals them.</p>
              ) : null}

              {latestRevealed ? (
                <RevealPanel
                  round={latestRevealed}
                  scheme={room.scheme}
                  title={
                    round.status === "revealed"
                      ? `Round ${latestRevealed.number} results`
                      : `Round ${latestRevealed.number} (before this re-vote)`
                  }
                />
              ) : null}
              {/* Once finalized the result above is the answer; Re-vote re-opens the form. */}
              {round.status === "revealed" &&
              me.isFacilitator &&
              open &&
              latestRevealed &&
              current.status !== "finalized" ? (
                <Suspense fallback={<p className="muted">Loading the finalize form…</p>}>
                  <FinalizeForm itemId={current.itemId} round={latestRevealed} scheme={room.scheme} busy={busy} />
                </Suspense>
              ) : null}
              {current.revealed.length > 1 ? (
                <details className="poker-history">
                  <summary>Earlier rounds ({current.revealed.length - 1})</summary>
                  {current.revealed.slice(0, -1).map((r) => (
                    <RevealPanel key={r.id} round={r} scheme={room.scheme} title={`Round ${r.number}`} />
                  ))}
                </details>
              ) : null}
            </section>
          ) : (
            <section className="card empty-state">
              <h2>{room.queue.length ? "No story under discussion" : "The queue is empty"}</h2>
              <p>
                {room.summary.pending
                  ? "Pick the next story to continue."
                  : room.queue.length
                    ? "Every story in the queue has been handled."
                    : "Add stories from the backlog to start voting."}
              </p>
              {me.isFacilitator && open && room.summary.pending
                ? button("next", "Next story", {}, "btn btn-primary")
                : null}
            </section>
          )}

          {aheadItem && me.canVote ? (
            <section className="card stack" aria-label="Vote ahead">
              <h2>
                Voting ahead: {aheadItem.key ? <span className="muted">{aheadItem.key} </span> : null}
                {aheadItem.title}
              </h2>
              <p className="muted">
                Your cards stay hidden until this story comes up and is revealed. You can change them until then.
              </p>
              <VoteDeck
                key={aheadItem.openRoundId!}
                heading="Your early cards"
                scheme={room.scheme}
                roundId={aheadItem.openRoundId!}
                saved={mine[String(aheadItem.openRoundId)]}
                seq={view.seq}
                live={status === "live"}
              />
            </section>
          ) : null}

          <SummaryPanel summary={room.summary} />
        </div>

        <aside className="poker-side stack">
          <section className="card stack" aria-labelledby="poker-people-h">
            <div className="row">
              <h2 id="poker-people-h">People</h2>
              <span className="muted">{room.participants.filter((p) => p.present).length} here</span>
            </div>
            <PeopleList participants={room.participants} me={me} now={now} roundStatus={round?.status ?? null} />
            <div className="row">
              {me.role !== null ? <JoinPanel me={me} /> : null}
              {open && me.canParticipate && !me.isFacilitator && !offerTakeOver
                ? button("take-over", "Take over as facilitator", {}, "btn btn-ghost btn-sm")
                : null}
            </div>
          </section>

          <section className="card stack" aria-labelledby="poker-queue-h">
            <h2 id="poker-queue-h">Queue</h2>
            {me.isFacilitator && open ? (
              <Suspense fallback={<Queue {...queueProps} />}>
                <FacilitatorQueue {...queueProps} />
              </Suspense>
            ) : (
              <Queue {...queueProps} />
            )}
            {me.isFacilitator && open ? (
              <details>
                <summary>Add stories</summary>
                <Suspense fallback={null}>
                  <AddStories stories={props.addable} />
                </Suspense>
              </details>
            ) : null}
          </section>

          {me.kind === "member" && open ? (
            <SharePanel
              shareUrl={props.shareUrl}
              guestUrl={props.guestUrl}
              guestsAllowed={session.guestsAllowed}
              isFacilitator={me.isFacilitator}
              canInvite={props.canInvite}
              linkProblem={props.linkProblem}
              qrSvg={props.qrSvg}
            />
          ) : null}

          {me.isFacilitator && open ? (
            <Suspense fallback={null}>
              <FacilitatorOptions view={view} busy={busy} />
            </Suspense>
          ) : null}
        </aside>
      </div>
    </div>
  );
}

function Countdown({ endsAt, now }: { endsAt: number; now: number }) {
  const left = endsAt - now;
  return (
    <span
      className={left > 0 ? "badge" : "badge badge-warn"}
      role="timer"
      aria-label={left > 0 ? `${formatDuration(left)} left` : "Time is up"}
    >
      {left > 0 ? `${formatDuration(left)} left` : "Time's up"}
    </span>
  );
}

/** "Revealing in 3 s": auto-reveal's grace period after the last vote (a change restarts it). */
function AutoRevealCountdown({ at, now }: { at: number; now: number }) {
  const left = Math.max(0, Math.ceil((at - now) / 1000));
  return (
    <>
      {" — "}
      {/* The seconds tick for the eye only; the status region says it once. */}
      <span className="badge badge-warn" data-testid="auto-reveal-countdown" aria-hidden="true">
        {left > 0 ? `everyone here has voted: revealing in ${left} s` : "revealing…"}
      </span>
      <span className="sr-only">everyone here has voted: the cards turn over in a few seconds</span>{" "}
      <span className="muted">(changing a card starts the wait again)</span>
    </>
  );
}

/** The text for the room's aria-live region: said once when a round turns over. */
function useRevealAnnouncement(view: RoomView): string {
  const round = view.room.current?.round;
  const title = view.room.current?.title ?? "";
  const [text, setText] = useState("");
  const seen = useRef<{ id: number; status: string } | null>(null);
  useEffect(() => {
    if (!round) return;
    const before = seen.current;
    seen.current = { id: round.id, status: round.status };
    if (before && before.id === round.id && before.status === "voting" && round.status === "revealed") {
      setText(`Cards revealed: round ${round.number} of “${title}”. The results are below.`);
    } else if (before && before.id !== round.id && round.status === "voting") {
      setText(`Voting is open: round ${round.number} of “${title}”.`);
    }
  }, [round, title]);
  return text;
}
