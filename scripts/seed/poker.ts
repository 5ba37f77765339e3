// Demo step: poker. A finished session (four stories, one re-voted, one marked split, estimates
// recorded with their round history) and an open upcoming one with voting ahead and a guest link.
// Runs after the backlog step; creates a few stories itself if there are none. Idempotent: a team
// that has the demo sessions already is left alone.
import type { SizingScheme } from "~/domain/sizing-scheme";
import {
  castVote,
  createPokerSession,
  endSession,
  finalizeItem,
  joinSession,
  loadRoomState,
  markLeft,
  nextStory,
  revealRound,
  revote,
  type CardInput,
} from "~/models/poker.server";
import { getCurrentScheme } from "~/models/scheme.server";
import { listSprints } from "~/models/sprint.server";
import { createStories, listStories } from "~/models/story.server";
import type { DemoContext } from "./demo";

const FALLBACK_STORIES = [
  "Retry failed payout webhooks with exponential backoff",
  "Show refund status on the customer receipt page",
  "Rotate API signing keys without downtime",
  "Add idempotency keys to the create-charge endpoint",
  "Migrate ledger reports to the new warehouse",
  "Contract tests for the card vault client",
  "Explain declined-card reasons in plain language",
  "Alert when payout batches stall for more than an hour",
  "Export disputes as CSV",
];

/** Cards by level index (so the demo follows whatever levels the team's scheme has). */
function cards(scheme: SizingScheme, i: number, a: number, r: number): CardInput {
  const pick = (levels: { id: string }[], n: number) => levels[Math.min(n, levels.length - 1)]!.id;
  return {
    intensity: pick(scheme.intensity, i),
    autonomy: pick(scheme.autonomy, a),
    risk: pick(scheme.risk, r),
    split: false,
  };
}

export async function seedPoker(ctx: DemoContext): Promise<void> {
  const { db, teamId, members } = ctx;
  // Named after the demo's sprints (newest first): the open session plans the running sprint, the
  // finished one the sprint before it.
  const sprints = await listSprints(db, { teamId });
  const FINISHED = `${sprints[1]?.name ?? "Sprint 13"} planning`;
  const UPCOMING = `${sprints[0]?.name ?? "Sprint 14"} planning`;
  const existing = await db.selectFrom("pokerSessions").select("name").where("teamId", "=", teamId).execute();
  const names = new Set(existing.map((s) => s.name));
  if (names.has(FINISHED) && names.has(UPCOMING)) return;

  let stories = (await listStories(db, { teamId })).filter((s) => s.status === "backlog");
  if (stories.length < 9) {
    await createStories(db, {
      teamId,
      stories: FALLBACK_STORIES.map((title) => ({ key: null, title, link: null, labels: [], description: "" })),
    });
    stories = (await listStories(db, { teamId })).filter((s) => s.status === "backlog");
  }
  const owner = members.find((m) => m.role === "owner")!;
  const voters = members.filter((m) => m.role === "manager" || m.role === "member");
  const observer = members.find((m) => m.role === "observer");
  const scheme = (await getCurrentScheme(db, teamId)).scheme;

  async function participants(sessionId: number) {
    const ids = new Map<number, number>();
    const state = await loadRoomState(db, { teamId, sessionId });
    ids.set(owner.id, state!.participants.find((p) => p.userId === owner.id)!.id);
    for (const v of voters) {
      const joined = await joinSession(db, { teamId, sessionId, userId: v.id, name: v.name, role: "voter" });
      ids.set(v.id, joined.result.id);
    }
    if (observer)
      await joinSession(db, { teamId, sessionId, userId: observer.id, name: observer.name, role: "observer" });
    return ids;
  }
  async function vote(sessionId: number, ids: Map<number, number>, plays: CardInput[]) {
    const state = await loadRoomState(db, { teamId, sessionId });
    const item = state!.items.find((i) => i.id === state!.session.currentItemId)!;
    const round = state!.rounds.find((r) => r.itemId === item.id && r.number === item.roundNumber)!;
    const people = [owner, ...voters];
    for (const [n, play] of plays.entries()) {
      const person = people[n % people.length]!;
      await castVote(db, { teamId, sessionId, participantId: ids.get(person.id)!, roundId: round.id, cards: play });
    }
    await revealRound(db, { teamId, sessionId, userId: owner.id });
    return item.id;
  }
  async function leaveAll(sessionId: number) {
    const state = await loadRoomState(db, { teamId, sessionId });
    for (const p of state!.participants) await markLeft(db, { teamId, sessionId, participantId: p.id });
  }

  if (!names.has(FINISHED)) {
    const picked = stories.slice(0, 4);
    stories = stories.slice(4);
    const { id } = await createPokerSession(db, {
      teamId,
      name: FINISHED,
      storyIds: picked.map((s) => s.id),
      autoReveal: false,
      timerSeconds: null,
      allowAhead: false,
      allowGuests: false,
      createdBy: { id: owner.id, name: owner.name },
    });
    const ids = await participants(id);
    const base = { teamId, sessionId: id, userId: owner.id };

    // 1: a wide first round, a re-vote, then agreement.
    let itemId = await vote(id, ids, [
      cards(scheme, 1, 1, 1),
      cards(scheme, 2, 2, 2),
      cards(scheme, 1, 2, 1),
      { split: true },
    ]);
    await revote(db, { ...base, itemId });
    itemId = await vote(id, ids, [
      cards(scheme, 1, 2, 1),
      cards(scheme, 1, 2, 1),
      cards(scheme, 1, 2, 2),
      cards(scheme, 1, 2, 1),
    ]);
    await finalizeItem(db, {
      ...base,
      itemId,
      levels: { intensity: scheme.intensity[1]!.id, autonomy: scheme.autonomy[2]!.id, risk: scheme.risk[1]!.id },
    });
    await nextStory(db, base);
    // 2: unanimous, small.
    itemId = await vote(id, ids, [
      cards(scheme, 0, 1, 0),
      cards(scheme, 0, 1, 0),
      cards(scheme, 0, 1, 0),
      cards(scheme, 0, 1, 0),
    ]);
    await finalizeItem(db, {
      ...base,
      itemId,
      levels: { intensity: scheme.intensity[0]!.id, autonomy: scheme.autonomy[1]!.id, risk: scheme.risk[0]!.id },
    });
    await nextStory(db, base);
    // 3: most say it is too big.
    itemId = await vote(id, ids, [{ split: true }, { split: true }, { split: true }, cards(scheme, 3, 3, 2)]);
    await finalizeItem(db, { ...base, itemId, levels: null });
    await nextStory(db, base);
    // 4: close, with one "can't say".
    itemId = await vote(id, ids, [
      cards(scheme, 2, 1, 2),
      cards(scheme, 2, 1, 1),
      { ...cards(scheme, 2, 1, 1), risk: "?" },
      cards(scheme, 1, 1, 1),
    ]);
    await finalizeItem(db, {
      ...base,
      itemId,
      levels: { intensity: scheme.intensity[2]!.id, autonomy: scheme.autonomy[1]!.id, risk: scheme.risk[1]!.id },
    });
    await leaveAll(id);
    await endSession(db, base);
  }

  if (!names.has(UPCOMING)) {
    const picked = stories.slice(0, 5);
    const { id } = await createPokerSession(db, {
      teamId,
      name: UPCOMING,
      storyIds: picked.map((s) => s.id),
      autoReveal: true,
      timerSeconds: 120,
      allowAhead: true,
      allowGuests: true,
      createdBy: { id: owner.id, name: owner.name },
    });
    const ids = await participants(id);
    // One voter already voted ahead on the second story (hidden until it comes up and is revealed).
    const state = await loadRoomState(db, { teamId, sessionId: id });
    const second = state!.items[1];
    const round = second && state!.rounds.find((r) => r.itemId === second.id && r.number === second.roundNumber);
    const early = voters[voters.length - 1];
    if (round && early)
      await castVote(db, {
        teamId,
        sessionId: id,
        participantId: ids.get(early.id)!,
        roundId: round.id,
        cards: cards(scheme, 1, 2, 1),
      });
    await leaveAll(id);
    // The round timer starts when someone first opens the room (joinSession), not at seed time, so
    // the first visit shows it running rather than "Time's up".
    await db
      .updateTable("pokerRounds")
      .set({ timerEndsAt: null })
      .where("teamId", "=", teamId)
      .where("itemId", "in", db.selectFrom("pokerItems").select("id").where("sessionId", "=", id))
      .execute();
  }
}
