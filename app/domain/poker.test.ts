import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  facilitatorIsAway,
  FACILITATOR_AWAY_MS,
  isComplete,
  nextPendingItem,
  PRESENCE_TTL_MS,
  roomViewFor,
  shouldAutoReveal,
  suggestedLevels,
  type RoomState,
  type StateVote,
  type Viewer,
} from "~/domain/poker";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";

const NOW = 1_800_000_000_000;

function baseState(overrides: Partial<RoomState> = {}): RoomState {
  return {
    now: NOW,
    session: {
      id: 1,
      name: "Planning",
      status: "open",
      autoReveal: true,
      timerSeconds: null,
      allowAhead: true,
      guestKey: null,
      facilitatorId: 100,
      currentItemId: 10,
      seq: 7,
      createdAt: NOW - 60_000,
      endedAt: null,
    },
    scheme: DEFAULT_SCHEME,
    participants: [
      { id: 1, userId: 100, name: "Fay", role: "voter", lastSeenAt: NOW, leftAt: null },
      { id: 2, userId: 200, name: "Vic", role: "voter", lastSeenAt: NOW, leftAt: null },
      { id: 3, userId: null, name: "Gus", role: "voter", lastSeenAt: NOW, leftAt: null },
      { id: 4, userId: 400, name: "Obi", role: "observer", lastSeenAt: NOW, leftAt: null },
    ],
    items: [
      {
        id: 10,
        storyId: 1,
        key: "A-1",
        title: "One",
        link: null,
        description: "",
        status: "pending",
        roundNumber: 2,
        split: false,
        estimate: null,
      },
      {
        id: 11,
        storyId: 2,
        key: "A-2",
        title: "Two",
        link: null,
        description: "",
        status: "pending",
        roundNumber: 1,
        split: false,
        estimate: null,
      },
    ],
    rounds: [
      {
        id: 100,
        itemId: 10,
        number: 1,
        status: "revealed",
        timerEndsAt: null,
        revealedAt: NOW - 30_000,
        autoRevealAt: null,
      },
      { id: 101, itemId: 10, number: 2, status: "voting", timerEndsAt: null, revealedAt: null, autoRevealAt: null },
      { id: 110, itemId: 11, number: 1, status: "voting", timerEndsAt: null, revealedAt: null, autoRevealAt: null },
    ],
    votes: [],
    ...overrides,
  };
}

const VIEWERS: Viewer[] = [
  { kind: "member", userId: 100, teamRole: "owner" },
  { kind: "member", userId: 200, teamRole: "member" },
  { kind: "guest", participantId: 3 },
  { kind: "member", userId: 400, teamRole: "observer" },
  { kind: "member", userId: 999, teamRole: "member" }, // a member who has not joined
];

describe("roomViewFor", () => {
  it("never carries another participant's card from an unrevealed round, whoever looks (property)", () => {
    const dims = ["intensity", "autonomy", "risk", "split"] as const;
    const hiddenVote = fc.record({
      roundId: fc.constantFrom(101, 110),
      participantId: fc.constantFrom(1, 2, 3),
      dimension: fc.constantFrom(...dims),
      // Marker values no deck has: if one shows up where it should not, the JSON says so.
      n: fc.integer({ min: 0, max: 999 }),
    });
    fc.assert(
      fc.property(fc.array(hiddenVote, { maxLength: 30 }), fc.constantFrom(...VIEWERS), (raw, viewer) => {
        const votes: StateVote[] = raw.map((v) => ({
          roundId: v.roundId,
          participantId: v.participantId,
          dimension: v.dimension,
          value: v.dimension === "split" ? "split" : `SECRET-${v.participantId}-${v.n}`,
        }));
        const view = roomViewFor(baseState({ votes }), viewer);
        const me = view.me.participantId;
        const { mine, ...rest } = view;
        // Outside `mine` no hidden value at all; inside `mine` only the viewer's own.
        expect(JSON.stringify(rest)).not.toMatch(/SECRET-/);
        for (const found of JSON.stringify(mine).match(/SECRET-\d+/g) ?? []) expect(found).toBe(`SECRET-${me}`);
        // The split card is a value too: the public room says nothing but "voted".
        expect(JSON.stringify(rest.room.participants)).not.toMatch(/split/);
      }),
    );
  });

  it("shows revealed rounds to everyone with names, implied sizes and a suggestion", () => {
    const votes: StateVote[] = [
      { roundId: 100, participantId: 1, dimension: "intensity", value: "standard" },
      { roundId: 100, participantId: 1, dimension: "autonomy", value: "delegate" },
      { roundId: 100, participantId: 1, dimension: "risk", value: "medium" },
      { roundId: 100, participantId: 3, dimension: "split", value: "split" },
    ];
    const view = roomViewFor(baseState({ votes }), { kind: "member", userId: 400, teamRole: "observer" });
    const round = view.room.current!.revealed[0]!;
    expect(round.votes.map((v) => v.name)).toEqual(["Fay", "Gus"]);
    expect(round.votes[0]!.implied).toEqual({ expected: 150, p80: 375, size: "M" });
    expect(round.votes[1]!.split).toBe(true);
    expect(suggestedLevels(round)).toEqual({ intensity: "standard", autonomy: "delegate", risk: "medium" });
    expect(view.me).toMatchObject({ role: "observer", canVote: false, canParticipate: false, isFacilitator: false });
  });

  it("tells guests and observers apart from members who may facilitate", () => {
    const state = baseState();
    expect(roomViewFor(state, { kind: "guest", participantId: 3 }).me).toMatchObject({
      kind: "guest",
      canVote: true,
      canParticipate: false,
    });
    expect(roomViewFor(state, { kind: "member", userId: 999, teamRole: "member" }).me).toMatchObject({
      role: null,
      canParticipate: true,
      canVote: false,
    });
    expect(roomViewFor(state, { kind: "member", userId: 100, teamRole: "owner" }).me.isFacilitator).toBe(true);
  });
});

describe("rules", () => {
  const full = (participantId: number, roundId = 101): StateVote[] =>
    (["intensity", "autonomy", "risk"] as const).map((dimension) => ({
      roundId,
      participantId,
      dimension,
      value: "?",
    }));

  it("auto-reveals only when every present voter has a complete vote", () => {
    expect(shouldAutoReveal(baseState({ votes: [...full(1), ...full(2)] }))).toBe(false); // Gus is here and has not voted
    expect(shouldAutoReveal(baseState({ votes: [...full(1), ...full(2), ...full(3)] }))).toBe(true);
    const away = baseState({ votes: [...full(1), ...full(2)] });
    away.participants[2]!.lastSeenAt = NOW - PRESENCE_TTL_MS - 1;
    expect(shouldAutoReveal(away)).toBe(true);
    const off = baseState({ votes: [...full(1), ...full(2), ...full(3)] });
    off.session.autoReveal = false;
    expect(shouldAutoReveal(off)).toBe(false);
  });

  it("counts split or a card in every dimension as a cast vote", () => {
    expect(isComplete({ split: true, intensity: null, autonomy: null, risk: null })).toBe(true);
    expect(isComplete({ split: false, intensity: "?", autonomy: "?", risk: "?" })).toBe(true);
    expect(isComplete({ split: false, intensity: "light", autonomy: null, risk: "low" })).toBe(false);
  });

  it("offers the facilitator role after two minutes away", () => {
    const at = (awaySince: number | null, present = false) => ({
      facilitator: { userId: 1, name: "F", present, awaySince },
    });
    expect(facilitatorIsAway(at(null, true), NOW)).toBe(false);
    expect(facilitatorIsAway(at(NOW - FACILITATOR_AWAY_MS + 1), NOW)).toBe(false);
    expect(facilitatorIsAway(at(NOW - FACILITATOR_AWAY_MS), NOW)).toBe(true);
    expect(facilitatorIsAway({ facilitator: null }, NOW)).toBe(true);
  });

  it("finds the next pending story after the current one, wrapping around", () => {
    const items = [
      { id: 1, status: "finalized" as const },
      { id: 2, status: "pending" as const },
      { id: 3, status: "skipped" as const },
      { id: 4, status: "pending" as const },
    ];
    expect(nextPendingItem(items, 2)).toBe(4);
    expect(nextPendingItem(items, 4)).toBe(2);
    expect(nextPendingItem(items, null)).toBe(2);
    expect(nextPendingItem([{ id: 1, status: "finalized" }], 1)).toBeNull();
  });
});
