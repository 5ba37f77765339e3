// Who is in the room: here or away, and whether they have voted (never what).
import { Form } from "@remix-run/react";
import type { Me, ParticipantView, RoundStatus } from "~/domain/poker";
import { formatAway } from "~/components/poker/format";
import type { LiveStatus } from "~/components/poker/use-room-live";

export function LiveIndicator({ status }: { status: LiveStatus }) {
  const text = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", ended: "Session ended" }[
    status
  ];
  return (
    <span className={`live-indicator is-${status}`} role="status" aria-live="polite" data-testid="live-indicator">
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

export function PeopleList({
  participants,
  me,
  now,
  roundStatus,
}: {
  participants: ParticipantView[];
  me: Me;
  now: number;
  roundStatus: RoundStatus | null;
}) {
  const voting = roundStatus === "voting";
  const sorted = [...participants].sort(
    (a, b) => Number(b.present) - Number(a.present) || a.name.localeCompare(b.name),
  );
  return (
    <ul className="plain-list poker-people" aria-label="People in this session">
      {sorted.map((p) => (
        <li key={p.id} className={p.present ? "poker-person" : "poker-person is-away"}>
          <span className="poker-person-name">
            <span className="poker-presence" aria-hidden="true">
              {p.present ? "●" : "○"}
            </span>
            {p.name}
            {p.id === me.participantId ? <span className="muted"> (you)</span> : null}
          </span>
          <span className="poker-person-tags">
            {p.isFacilitator ? <span className="badge badge-info">Facilitator</span> : null}
            {p.role === "observer" ? <span className="badge">Observer</span> : null}
            {p.guest ? <span className="badge">Guest</span> : null}
            <span className="muted">{p.present ? "here" : formatAway(now - (p.awaySince ?? now))}</span>
            {voting && p.role === "voter" ? (
              p.voted ? (
                <span className="badge badge-ok">✓ voted</span>
              ) : (
                <span className="badge">… not yet</span>
              )
            ) : null}
          </span>
        </li>
      ))}
      {sorted.length === 0 ? <li className="muted">Nobody has joined yet.</li> : null}
    </ul>
  );
}

export function JoinPanel({ me }: { me: Me }) {
  if (me.kind !== "member" || !me.canParticipate) return null;
  if (me.role === null) {
    return (
      <div className="card stack poker-join">
        <h2>Join this session</h2>
        <p className="muted">Voters pick cards; observers watch and see the results.</p>
        <div className="row">
          <Form method="post">
            <input type="hidden" name="intent" value="join" />
            <input type="hidden" name="role" value="voter" />
            <button type="submit" className="btn btn-primary">
              Join as voter
            </button>
          </Form>
          <Form method="post">
            <input type="hidden" name="intent" value="join" />
            <input type="hidden" name="role" value="observer" />
            <button type="submit" className="btn">
              Join as observer
            </button>
          </Form>
        </div>
      </div>
    );
  }
  const other = me.role === "voter" ? "observer" : "voter";
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="join" />
      <input type="hidden" name="role" value={other} />
      <button type="submit" className="btn btn-ghost btn-sm">
        {other === "voter" ? "Switch to voter" : "Switch to observer"}
      </button>
    </Form>
  );
}
