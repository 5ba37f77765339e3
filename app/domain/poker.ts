// Token-poker rules and the one function that decides what a participant may see of a room.
//
// The server loads a RoomState (every vote included) and never sends it anywhere; what leaves the
// server is a RoomView built by `roomViewFor`: the public part of the room, in which a vote value
// appears only once its round is revealed, plus the viewer's own cards (`mine`). Before reveal no
// one but the voter — not the facilitator, not an API client — gets a value, only "has voted".
import type { Role } from "~/domain/roles";
import { summarizeRound, UNSURE, type Implied, type Levels, type RoundSummary, type Vote } from "~/domain/sizing";
import type { DimensionId, SizingScheme } from "~/domain/sizing-scheme";

/**
 * A participant whose live stream has not refreshed presence for this long counts as away. Open
 * streams refresh it every heartbeat (app/server/poker-live.server.ts, every 5 s); a closed stream
 * marks its participant away at once. See docs/decisions/0020-presence.md.
 */
export const PRESENCE_TTL_MS = 20_000;
/** Auto-reveal waits this long after the last vote; a change within it starts the wait again. */
export const AUTO_REVEAL_GRACE_MS = 3_000;
/** After this long away, the room offers the facilitator role to the others. */
export const FACILITATOR_AWAY_MS = 120_000;

export const CARD_DIMENSIONS: DimensionId[] = ["intensity", "autonomy", "risk"];
export const SPLIT = "split";

export type SessionStatus = "open" | "ended";
export type ItemStatus = "pending" | "finalized" | "skipped";
export type RoundStatus = "voting" | "revealed";
export type ParticipantRole = "voter" | "observer";
export type VoteDimension = DimensionId | "split";

export interface StateParticipant {
  id: number;
  userId: number | null;
  name: string;
  role: ParticipantRole;
  /** Epoch ms. */
  lastSeenAt: number;
  leftAt: number | null;
}

export interface ItemEstimate {
  size: string;
  expected: number;
  p80: number;
  intensity: string;
  autonomy: string;
  risk: string;
  /** The size's credit band (bandHigh null: open-ended). */
  bandLow: number;
  bandHigh: number | null;
  /** Who finalized it and when (epoch ms): the room shows the result, not the form, once it is set. */
  by: string | null;
  at: number | null;
}

export interface StateItem {
  id: number;
  storyId: number;
  key: string | null;
  title: string;
  link: string | null;
  description: string;
  status: ItemStatus;
  roundNumber: number;
  split: boolean;
  estimate: ItemEstimate | null;
}

export interface StateRound {
  id: number;
  itemId: number;
  number: number;
  status: RoundStatus;
  timerEndsAt: number | null;
  revealedAt: number | null;
  /** Epoch ms when the round reveals by itself (auto-reveal's grace period is running); else null. */
  autoRevealAt: number | null;
}

export interface StateVote {
  roundId: number;
  participantId: number;
  dimension: VoteDimension;
  /** null: the card was cleared. */
  value: string | null;
}

/** Everything about a room, server-side only. Items in queue order. */
export interface RoomState {
  now: number;
  session: {
    id: number;
    name: string;
    status: SessionStatus;
    autoReveal: boolean;
    timerSeconds: number | null;
    allowAhead: boolean;
    guestKey: string | null;
    facilitatorId: number | null;
    currentItemId: number | null;
    seq: number;
    createdAt: number;
    endedAt: number | null;
  };
  scheme: SizingScheme;
  participants: StateParticipant[];
  items: StateItem[];
  /** At least the latest round of every item and every round of the current item. */
  rounds: StateRound[];
  votes: StateVote[];
}

export type Viewer = { kind: "member"; userId: number; teamRole: Role } | { kind: "guest"; participantId: number };

// ---------------------------------------------------------------------------------------------------
// What leaves the server

export interface Cards {
  split: boolean;
  intensity: string | null;
  autonomy: string | null;
  risk: string | null;
}

export interface ParticipantView {
  id: number;
  name: string;
  guest: boolean;
  role: ParticipantRole;
  present: boolean;
  /** Epoch ms since when the participant is away; null while present. */
  awaySince: number | null;
  isFacilitator: boolean;
  /** Has a complete vote in the current story's open round (never what it is). */
  voted: boolean;
}

export interface QueueItemView {
  itemId: number;
  storyId: number;
  key: string | null;
  title: string;
  status: ItemStatus;
  isCurrent: boolean;
  roundNumber: number;
  /** The round that takes votes now (null once revealed); voting ahead uses it. */
  openRoundId: number | null;
  /** Complete votes in the item's open round (0 once revealed). */
  votedCount: number;
  split: boolean;
  estimate: ItemEstimate | null;
}

export interface RevealedVote extends Cards {
  participantId: number;
  name: string;
  implied: Implied;
}

export interface RevealedRound {
  id: number;
  number: number;
  revealedAt: number | null;
  votes: RevealedVote[];
  summary: RoundSummary;
}

export interface CurrentItemView {
  itemId: number;
  storyId: number;
  key: string | null;
  title: string;
  link: string | null;
  description: string;
  status: ItemStatus;
  split: boolean;
  estimate: ItemEstimate | null;
  round: {
    id: number;
    number: number;
    status: RoundStatus;
    timerEndsAt: number | null;
    voted: number[];
    /** Epoch ms when the round reveals by itself, while every present voter has voted; else null. */
    autoRevealAt: number | null;
  };
  /** Every revealed round of this story, oldest first (the round history). */
  revealed: RevealedRound[];
}

export interface SessionSummary {
  stories: number;
  finalized: number;
  skipped: number;
  pending: number;
  totalExpected: number;
  totalP80: number;
  sized: { itemId: number; key: string | null; title: string; size: string; expected: number; p80: number }[];
  split: { itemId: number; key: string | null; title: string }[];
}

/** The room as every participant sees it: no vote value of an unrevealed round is in here. */
export interface PublicRoom {
  session: {
    id: number;
    name: string;
    status: SessionStatus;
    autoReveal: boolean;
    timerSeconds: number | null;
    allowAhead: boolean;
    guestsAllowed: boolean;
    createdAt: number;
    endedAt: number | null;
  };
  facilitator: { userId: number; name: string; present: boolean; awaySince: number | null } | null;
  participants: ParticipantView[];
  queue: QueueItemView[];
  current: CurrentItemView | null;
  summary: SessionSummary;
  scheme: SizingScheme;
}

export interface Me {
  kind: "member" | "guest";
  participantId: number | null;
  userId: number | null;
  name: string | null;
  /** null: a member who has not joined yet. */
  role: ParticipantRole | null;
  /** Team members (not observers, not guests) may join as voters, facilitate and take over. */
  canParticipate: boolean;
  isFacilitator: boolean;
  canVote: boolean;
}

export interface RoomView {
  /** The session's change counter; a view with a higher seq is newer. */
  seq: number;
  /** Server clock (epoch ms) when the view was built: orders views of one seq, and lets clients offset their clock. */
  at: number;
  room: PublicRoom;
  me: Me;
  /** The viewer's own cards in rounds that are not revealed yet, by round id. */
  mine: Record<string, Cards>;
}

// ---------------------------------------------------------------------------------------------------
// Rules

export function isPresent(p: Pick<StateParticipant, "lastSeenAt" | "leftAt">, now: number): boolean {
  return p.leftAt === null && now - p.lastSeenAt < PRESENCE_TTL_MS;
}

function awaySince(p: StateParticipant, now: number): number | null {
  if (isPresent(p, now)) return null;
  return p.leftAt ?? p.lastSeenAt + PRESENCE_TTL_MS;
}

export function emptyCards(): Cards {
  return { split: false, intensity: null, autonomy: null, risk: null };
}

/** A vote counts as cast when it is `split` or has a card (possibly `?`) in every dimension. */
export function isComplete(cards: Cards): boolean {
  return cards.split || CARD_DIMENSIONS.every((d) => cards[d] !== null);
}

/** Whether a card is playable under the scheme: one of its level ids, or `?`. */
export function isValidCard(scheme: SizingScheme, dimension: DimensionId, value: string): boolean {
  return value === UNSURE || scheme[dimension].some((level) => level.id === value);
}

/** Each participant's cards in one round. */
export function ballots(votes: StateVote[], roundId: number): Map<number, Cards> {
  const out = new Map<number, Cards>();
  for (const v of votes) {
    if (v.roundId !== roundId) continue;
    const cards = out.get(v.participantId) ?? emptyCards();
    if (v.dimension === "split") cards.split = v.value === SPLIT;
    else cards[v.dimension] = v.value;
    out.set(v.participantId, cards);
  }
  return out;
}

function completeVoters(votes: StateVote[], roundId: number): number[] {
  return [...ballots(votes, roundId)].filter(([, c]) => isComplete(c)).map(([id]) => id);
}

/**
 * Whether a round may take votes: the session is open, the round is the item's open one, the
 * story is not finalized, and it is the story under discussion unless voting ahead is allowed.
 */
export function canVoteOn(state: RoomState, roundId: number): boolean {
  const round = state.rounds.find((r) => r.id === roundId);
  const item = round && state.items.find((i) => i.id === round.itemId);
  if (!round || !item) return false;
  return votingOpen({
    sessionStatus: state.session.status,
    allowAhead: state.session.allowAhead,
    isCurrent: item.id === state.session.currentItemId,
    itemStatus: item.status,
    roundStatus: round.status,
    isLatestRound: round.number === item.roundNumber,
  });
}

/** The rule behind canVoteOn, on the few facts it needs (the model checks it under the session lock). */
export function votingOpen(x: {
  sessionStatus: SessionStatus;
  allowAhead: boolean;
  isCurrent: boolean;
  itemStatus: ItemStatus;
  roundStatus: RoundStatus;
  isLatestRound: boolean;
}): boolean {
  if (x.sessionStatus !== "open" || x.roundStatus !== "voting" || !x.isLatestRound || x.itemStatus === "finalized")
    return false;
  return x.isCurrent || x.allowAhead;
}

/**
 * Auto-reveal: the current story's open round, once every present voter has a complete vote
 * (and at least one voter is present).
 */
export function shouldAutoReveal(state: RoomState): boolean {
  if (!state.session.autoReveal || state.session.status !== "open") return false;
  const item = state.items.find((i) => i.id === state.session.currentItemId);
  const round = item && state.rounds.find((r) => r.itemId === item.id && r.number === item.roundNumber);
  if (!item || !round || round.status !== "voting" || item.status === "finalized") return false;
  const voters = state.participants.filter((p) => p.role === "voter" && isPresent(p, state.now));
  if (voters.length === 0) return false;
  const done = new Set(completeVoters(state.votes, round.id));
  return voters.every((p) => done.has(p.id));
}

/** Whether the room should offer the facilitator role to the others. */
export function facilitatorIsAway(room: Pick<PublicRoom, "facilitator">, now: number): boolean {
  const f = room.facilitator;
  if (!f) return true;
  return !f.present && f.awaySince !== null && now - f.awaySince >= FACILITATOR_AWAY_MS;
}

/** The pending story after `currentItemId` in queue order (wrapping to earlier pending ones); null when none. */
export function nextPendingItem(
  items: Pick<StateItem, "id" | "status">[],
  currentItemId: number | null,
): number | null {
  const index = items.findIndex((i) => i.id === currentItemId);
  const after = items.slice(index + 1).find((i) => i.status === "pending");
  const before = items.slice(0, Math.max(index, 0)).find((i) => i.status === "pending");
  return (after ?? before)?.id ?? null;
}

/** Every revealed round of an item with its votes, names, implied sizes and summary. */
export function revealedRounds(state: RoomState, itemId: number): RevealedRound[] {
  const names = new Map(state.participants.map((p) => [p.id, p.name]));
  return state.rounds
    .filter((r) => r.itemId === itemId && r.status === "revealed")
    .sort((a, b) => a.number - b.number)
    .map((round) => {
      const cast = [...ballots(state.votes, round.id)].filter(
        ([, c]) => c.split || CARD_DIMENSIONS.some((d) => c[d] !== null),
      );
      const votes: Vote[] = cast.map(([id, c]) => ({ voterId: String(id), ...c }));
      const summary = summarizeRound(state.scheme, votes);
      const implied = new Map(summary.perVoter.map((v) => [v.voterId, v]));
      return {
        id: round.id,
        number: round.number,
        revealedAt: round.revealedAt,
        summary,
        votes: cast
          .map(([id, c]) => {
            const i = implied.get(String(id));
            return {
              participantId: id,
              name: names.get(id) ?? "Someone who left",
              ...c,
              implied: { expected: i?.expected ?? null, p80: i?.p80 ?? null, size: i?.size ?? null },
            };
          })
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    });
}

/** The round history frozen into an estimate: who played what in each revealed round, and the summary. */
export function roundHistory(state: RoomState, itemId: number) {
  return revealedRounds(state, itemId).map((r) => ({
    number: r.number,
    revealedAt: r.revealedAt === null ? null : new Date(r.revealedAt).toISOString(),
    votes: r.votes.map((v) => ({
      voter: v.name,
      split: v.split,
      intensity: v.intensity,
      autonomy: v.autonomy,
      risk: v.risk,
    })),
    suggestion: r.summary.suggestion,
    agreement: Object.fromEntries(CARD_DIMENSIONS.map((d) => [d, r.summary.dimensions[d].agreement])),
  }));
}

/** The consensus to preselect when finalizing: the last revealed round's suggestion, where it is complete. */
export function suggestedLevels(round: RevealedRound | undefined): Levels | null {
  const s = round?.summary.suggestion;
  if (!s || s.split || !s.intensity || !s.autonomy || !s.risk) return null;
  return { intensity: s.intensity, autonomy: s.autonomy, risk: s.risk };
}

export function summarize(items: StateItem[]): SessionSummary {
  const sized = items.flatMap((i) =>
    i.status === "finalized" && i.estimate && !i.split
      ? [
          {
            itemId: i.id,
            key: i.key,
            title: i.title,
            size: i.estimate.size,
            expected: i.estimate.expected,
            p80: i.estimate.p80,
          },
        ]
      : [],
  );
  return {
    stories: items.length,
    finalized: items.filter((i) => i.status === "finalized").length,
    skipped: items.filter((i) => i.status === "skipped").length,
    pending: items.filter((i) => i.status === "pending").length,
    totalExpected: sized.reduce((sum, s) => sum + s.expected, 0),
    totalP80: sized.reduce((sum, s) => sum + s.p80, 0),
    sized,
    split: items.filter((i) => i.split).map((i) => ({ itemId: i.id, key: i.key, title: i.title })),
  };
}

// ---------------------------------------------------------------------------------------------------
// Visibility

/** The part of the room that is the same for every participant. Built without any hidden value. */
export function publicRoom(state: RoomState): PublicRoom {
  const { session, now } = state;
  const currentItem = state.items.find((i) => i.id === session.currentItemId) ?? null;
  const openRound = (item: StateItem) =>
    state.rounds.find((r) => r.itemId === item.id && r.number === item.roundNumber && r.status === "voting");
  const currentRound = currentItem
    ? state.rounds.find((r) => r.itemId === currentItem.id && r.number === currentItem.roundNumber)
    : undefined;
  const votedNow = new Set(
    currentRound && currentRound.status === "voting" ? completeVoters(state.votes, currentRound.id) : [],
  );
  const facilitator = state.participants.find((p) => p.userId !== null && p.userId === session.facilitatorId);

  return {
    session: {
      id: session.id,
      name: session.name,
      status: session.status,
      autoReveal: session.autoReveal,
      timerSeconds: session.timerSeconds,
      allowAhead: session.allowAhead,
      guestsAllowed: session.guestKey !== null,
      createdAt: session.createdAt,
      endedAt: session.endedAt,
    },
    facilitator:
      session.facilitatorId === null
        ? null
        : {
            userId: session.facilitatorId,
            name: facilitator?.name ?? "The facilitator",
            present: facilitator ? isPresent(facilitator, now) : false,
            awaySince: facilitator ? awaySince(facilitator, now) : session.createdAt,
          },
    participants: state.participants.map((p) => ({
      id: p.id,
      name: p.name,
      guest: p.userId === null,
      role: p.role,
      present: isPresent(p, now),
      awaySince: awaySince(p, now),
      isFacilitator: p.userId !== null && p.userId === session.facilitatorId,
      voted: votedNow.has(p.id),
    })),
    queue: state.items.map((item) => {
      const round = openRound(item);
      return {
        itemId: item.id,
        storyId: item.storyId,
        key: item.key,
        title: item.title,
        status: item.status,
        isCurrent: item.id === session.currentItemId,
        roundNumber: item.roundNumber,
        openRoundId: round?.id ?? null,
        votedCount: round ? completeVoters(state.votes, round.id).length : 0,
        split: item.split,
        estimate: item.estimate,
      };
    }),
    current:
      currentItem && currentRound
        ? {
            itemId: currentItem.id,
            storyId: currentItem.storyId,
            key: currentItem.key,
            title: currentItem.title,
            link: currentItem.link,
            description: currentItem.description,
            status: currentItem.status,
            split: currentItem.split,
            estimate: currentItem.estimate,
            round: {
              id: currentRound.id,
              number: currentRound.number,
              status: currentRound.status,
              timerEndsAt: currentRound.timerEndsAt,
              voted: [...votedNow],
              autoRevealAt: currentRound.status === "voting" ? (currentRound.autoRevealAt ?? null) : null,
            },
            revealed: revealedRounds(state, currentItem.id),
          }
        : null,
    summary: summarize(state.items),
    scheme: state.scheme,
  };
}

/** The viewer's participant row, if they joined (members by user id, guests by their row). */
export function participantFor(state: Pick<RoomState, "participants">, viewer: Viewer): StateParticipant | undefined {
  return viewer.kind === "member"
    ? state.participants.find((p) => p.userId === viewer.userId)
    : state.participants.find((p) => p.id === viewer.participantId);
}

/** Who the viewer is in the room and what they may do. */
export function meFor(state: RoomState, viewer: Viewer): Me {
  const p = participantFor(state, viewer);
  const canParticipate = viewer.kind === "member" && viewer.teamRole !== "observer";
  const open = state.session.status === "open";
  return {
    kind: viewer.kind,
    participantId: p?.id ?? null,
    userId: viewer.kind === "member" ? viewer.userId : null,
    name: p?.name ?? null,
    role: p?.role ?? null,
    canParticipate: canParticipate && open,
    isFacilitator: viewer.kind === "member" && state.session.facilitatorId === viewer.userId,
    canVote: open && p?.role === "voter" && (viewer.kind === "guest" || canParticipate),
  };
}

/** The viewer's own cards in unrevealed rounds; another participant's never. */
export function mineFor(state: RoomState, participantId: number | null): Record<string, Cards> {
  if (participantId === null) return {};
  const hidden = new Set(state.rounds.filter((r) => r.status === "voting").map((r) => r.id));
  const own = state.votes.filter((v) => v.participantId === participantId && hidden.has(v.roundId));
  const out: Record<string, Cards> = {};
  for (const roundId of new Set(own.map((v) => v.roundId)))
    out[String(roundId)] = ballots(own, roundId).get(participantId)!;
  return out;
}

/** What one viewer may see of the room. The only way room data leaves the server. */
export function roomViewFor(state: RoomState, viewer: Viewer, room: PublicRoom = publicRoom(state)): RoomView {
  const me = meFor(state, viewer);
  return { seq: state.session.seq, at: state.now, room, me, mine: mineFor(state, me.participantId) };
}
