import { expect, it } from "vitest";
import { publicRoom, roomViewFor, type RoomView, type Viewer } from "~/domain/poker";
import { snapshotEvent, snapshotEventsOf } from "~/server/poker-live.server";
import {
  castVote,
  createGuest,
  createPokerSession,
  findGuest,
  finalizeItem,
  joinSession,
  loadRoomState,
  markLeft,
  markPresent,
  moveItem,
  nextStory,
  PokerError,
  removeItem,
  revealRound,
  roomPulse,
  revote,
  settleRoomAutoReveal,
  clearPresence,
  markAway,
  setGuestLink,
  skipItem,
  endSession,
} from "~/models/poker.server";
import { addMember } from "~/models/team.server";
import { createStories, getStory } from "~/models/story.server";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

const story = (title: string) => ({ key: null, title, link: null, labels: [], description: "" });

describeDb("poker sessions", (t) => {
  /** A team with an owner (facilitator, voter), two member voters and an observer, and a session on three stories. */
  async function room(options: { autoReveal?: boolean; allowAhead?: boolean; allowGuests?: boolean } = {}) {
    const { team, owner } = await makeTeam(t.db);
    const [a, b, watcher] = [await makeUser(t.db, "Ada"), await makeUser(t.db, "Bo"), await makeUser(t.db, "Obi")];
    await addMember(t.db, { teamId: team.id, userId: a.id, role: "member" });
    await addMember(t.db, { teamId: team.id, userId: b.id, role: "member" });
    await addMember(t.db, { teamId: team.id, userId: watcher.id, role: "observer" });
    const stories = await createStories(t.db, {
      teamId: team.id,
      stories: [story("One"), story("Two"), story("Three")],
    });
    const { id: sessionId } = await createPokerSession(t.db, {
      teamId: team.id,
      name: "Planning",
      storyIds: stories.map((s) => s.id),
      autoReveal: options.autoReveal ?? false,
      timerSeconds: null,
      allowAhead: options.allowAhead ?? false,
      allowGuests: options.allowGuests ?? false,
      createdBy: { id: owner.id, name: owner.name },
    });
    const base = { teamId: team.id, sessionId };
    const pa = (await joinSession(t.db, { ...base, userId: a.id, name: a.name, role: "voter" })).result.id;
    const pb = (await joinSession(t.db, { ...base, userId: b.id, name: b.name, role: "voter" })).result.id;
    const po = (await joinSession(t.db, { ...base, userId: watcher.id, name: watcher.name, role: "observer" })).result
      .id;
    const state = await loadRoomState(t.db, base);
    const pOwner = state!.participants.find((p) => p.userId === owner.id)!.id;
    const currentRound = async () => {
      const s = (await loadRoomState(t.db, base))!;
      const item = s.items.find((i) => i.id === s.session.currentItemId)!;
      return { item, round: s.rounds.find((r) => r.itemId === item.id && r.number === item.roundNumber)!, state: s };
    };
    return { team, owner, a, b, watcher, stories, sessionId, base, pa, pb, po, pOwner, currentRound };
  }

  const levels = { intensity: "standard", autonomy: "delegate", risk: "medium" };

  it("keeps one vote per round, voter and dimension; a change replaces it and an older request never wins", async () => {
    const r = await room();
    const { round } = await r.currentRound();
    await castVote(t.db, {
      ...r.base,
      participantId: r.pa,
      roundId: round.id,
      cards: { intensity: "light" },
      clientTs: 100,
    });
    await castVote(t.db, {
      ...r.base,
      participantId: r.pa,
      roundId: round.id,
      cards: { intensity: "frontier" },
      clientTs: 200,
    });
    // A late request carrying an older stamp (sent before the change above) changes nothing.
    await castVote(t.db, {
      ...r.base,
      participantId: r.pa,
      roundId: round.id,
      cards: { intensity: "standard" },
      clientTs: 150,
    });
    const rows = await t.db
      .selectFrom("pokerVotes")
      .selectAll()
      .where("roundId", "=", round.id)
      .where("participantId", "=", r.pa)
      .execute();
    expect(rows.map((v) => [v.dimension, v.value])).toEqual([["intensity", "frontier"]]);
    // The database itself refuses a second row for the same round, voter and dimension.
    await expect(
      t.db
        .insertInto("pokerVotes")
        .values({
          roundId: round.id,
          participantId: r.pa,
          dimension: "intensity",
          value: "light",
          sessionId: r.sessionId,
          teamId: r.team.id,
        })
        .execute(),
    ).rejects.toMatchObject({ code: "23505" });
    // Cards outside the deck are refused.
    await expect(
      castVote(t.db, { ...r.base, participantId: r.pa, roundId: round.id, cards: { risk: "enormous" } }),
    ).rejects.toBeInstanceOf(PokerError);
  });

  it("records every one of many concurrent casts", async () => {
    const r = await room();
    const { round } = await r.currentRound();
    const voters = [r.pOwner, r.pa, r.pb];
    const casts = voters.flatMap((participantId) =>
      (["intensity", "autonomy", "risk"] as const).map((d) =>
        castVote(t.db, {
          ...r.base,
          participantId,
          roundId: round.id,
          cards: { [d]: d === "intensity" ? "frontier" : d === "autonomy" ? "pair" : "high" },
        }),
      ),
    );
    // The same voter hammering one card: the newest stamp wins whatever order they land in.
    const hammer = [5, 1, 4, 2, 3].map((n) =>
      castVote(t.db, {
        ...r.base,
        participantId: r.pa,
        roundId: round.id,
        cards: { split: n % 2 === 1 },
        clientTs: 1_000 + n,
      }),
    );
    const results = await Promise.all([...casts, ...hammer]);
    const seqs = results.map((c) => c.seq);
    expect(new Set(seqs).size).toBe(seqs.length); // every change got its own seq
    const rows = await t.db
      .selectFrom("pokerVotes")
      .select(["participantId", "dimension", "value"])
      .where("roundId", "=", round.id)
      .execute();
    expect(rows.filter((v) => v.dimension !== "split")).toHaveLength(9);
    expect(rows.find((v) => v.participantId === r.pa && v.dimension === "split")?.value).toBe("split"); // ts 1005, odd → on
  });

  it("admits people whose account names are longer than a room name may be", async () => {
    const { team, owner } = await makeTeam(t.db);
    const longName = "Maximiliana ".repeat(8).trim(); // 95 characters: signup allows 100
    const voter = await makeUser(t.db, longName);
    await addMember(t.db, { teamId: team.id, userId: voter.id, role: "member" });
    const [only] = await createStories(t.db, { teamId: team.id, stories: [story("Long names")] });
    const { id: sessionId } = await createPokerSession(t.db, {
      teamId: team.id,
      name: "Names",
      storyIds: [only!.id],
      autoReveal: false,
      timerSeconds: null,
      allowAhead: false,
      allowGuests: false,
      createdBy: { id: owner.id, name: longName },
    });
    const base = { teamId: team.id, sessionId };
    await joinSession(t.db, { ...base, userId: voter.id, name: voter.name, role: "voter" });
    const state = (await loadRoomState(t.db, base))!;
    // The room shows the account's full name; only the stored snapshot is shortened.
    expect(state.participants.map((p) => p.name)).toContain(voter.name);
  });

  it("refuses votes from observers and on a revealed round; re-vote opens a new round and keeps the old one", async () => {
    const r = await room();
    const { round, item } = await r.currentRound();
    await expect(
      castVote(t.db, { ...r.base, participantId: r.po, roundId: round.id, cards: { intensity: "light" } }),
    ).rejects.toMatchObject({ status: 403 });
    await castVote(t.db, { ...r.base, participantId: r.pa, roundId: round.id, cards: { ...levels } });
    await castVote(t.db, {
      ...r.base,
      participantId: r.pb,
      roundId: round.id,
      cards: { intensity: "frontier", autonomy: "autonomous", risk: "high" },
    });
    // Only the facilitator reveals.
    await expect(revealRound(t.db, { ...r.base, userId: r.a.id })).rejects.toMatchObject({ status: 403 });
    await revealRound(t.db, { ...r.base, userId: r.owner.id });
    await expect(
      castVote(t.db, { ...r.base, participantId: r.pa, roundId: round.id, cards: { intensity: "light" } }),
    ).rejects.toMatchObject({ status: 409 });

    await revote(t.db, { ...r.base, userId: r.owner.id, itemId: item.id });
    const after = await r.currentRound();
    expect(after.round.number).toBe(2);
    expect(after.round.status).toBe("voting");
    await castVote(t.db, { ...r.base, participantId: r.pa, roundId: after.round.id, cards: { split: true } });
    const view = roomViewFor(after.state, { kind: "member", userId: r.a.id, teamRole: "member" });
    const history = view.room.current!.revealed;
    expect(history).toHaveLength(1);
    expect(history[0]!.number).toBe(1);
    expect(history[0]!.votes.map((v) => v.intensity).sort()).toEqual(["frontier", "standard"]);
    const old = await t.db.selectFrom("pokerVotes").select("value").where("roundId", "=", round.id).execute();
    expect(old).toHaveLength(6);
  });

  it("finalizes with the agreed levels: an estimate from the session with the round history", async () => {
    const r = await room();
    const first = await r.currentRound();
    await castVote(t.db, { ...r.base, participantId: r.pa, roundId: first.round.id, cards: { ...levels } });
    await castVote(t.db, { ...r.base, participantId: r.pb, roundId: first.round.id, cards: { split: true } });
    await revealRound(t.db, { ...r.base, userId: r.owner.id });
    await revote(t.db, { ...r.base, userId: r.owner.id, itemId: first.item.id });
    const second = await r.currentRound();
    await castVote(t.db, { ...r.base, participantId: r.pa, roundId: second.round.id, cards: { ...levels } });
    await castVote(t.db, {
      ...r.base,
      participantId: r.pb,
      roundId: second.round.id,
      cards: { ...levels, risk: "high" },
    });
    // Not before reveal, and not by someone who is not the facilitator.
    await expect(
      finalizeItem(t.db, { ...r.base, userId: r.owner.id, itemId: first.item.id, levels }),
    ).rejects.toMatchObject({ status: 409 });
    await revealRound(t.db, { ...r.base, userId: r.owner.id });
    await expect(
      finalizeItem(t.db, { ...r.base, userId: r.b.id, itemId: first.item.id, levels }),
    ).rejects.toMatchObject({ status: 403 });

    await finalizeItem(t.db, { ...r.base, userId: r.owner.id, itemId: first.item.id, levels });
    const storyRow = await getStory(t.db, { teamId: r.team.id, storyId: first.item.storyId });
    expect(storyRow).toMatchObject({
      status: "estimated",
      size: "M",
      expectedCredits: 150,
      estimateSource: "session",
      ...levels,
    });
    const estimate = await t.db
      .selectFrom("estimates")
      .selectAll()
      .where("id", "=", storyRow!.estimateId!)
      .executeTakeFirstOrThrow();
    expect(estimate.sessionId).toBe(r.sessionId);
    const rounds = estimate.rounds as {
      number: number;
      votes: { voter: string; split: boolean; risk: string | null }[];
    }[];
    expect(rounds.map((x) => x.number)).toEqual([1, 2]);
    expect(rounds[0]!.votes.find((v) => v.voter === r.b.name)?.split).toBe(true);
    expect(rounds[1]!.votes.map((v) => v.risk).sort()).toEqual(["high", "medium"]);

    const done = await r.currentRound();
    expect(done.item.status).toBe("finalized");
    const view = roomViewFor(done.state, { kind: "member", userId: r.owner.id, teamRole: "owner" });
    expect(view.room.summary).toMatchObject({ finalized: 1, totalExpected: 150 });

    // The third story is marked split: no estimate, listed in the summary.
    await nextStory(t.db, { ...r.base, userId: r.owner.id });
    const next = await r.currentRound();
    await castVote(t.db, { ...r.base, participantId: r.pa, roundId: next.round.id, cards: { split: true } });
    await revealRound(t.db, { ...r.base, userId: r.owner.id });
    await finalizeItem(t.db, { ...r.base, userId: r.owner.id, itemId: next.item.id, levels: null });
    const final = roomViewFor((await loadRoomState(t.db, r.base))!, {
      kind: "member",
      userId: r.a.id,
      teamRole: "member",
    });
    expect(final.room.summary.split.map((s) => s.title)).toEqual(["Two"]);
    expect((await getStory(t.db, { teamId: r.team.id, storyId: next.item.storyId }))!.estimateId).toBeNull();
  });

  it("never shows a hidden vote to anyone but its voter: not the facilitator, an observer or a guest", async () => {
    const r = await room({ allowGuests: true, allowAhead: true });
    const { round, state } = await r.currentRound();
    const ahead = state.rounds.find((x) => x.itemId !== round.itemId)!;
    // Values no deck has (written around the model's checks), so any appearance in a view is a leak.
    const secret = (n: string) => `SECRET-${n}`;
    await t.db
      .insertInto("pokerVotes")
      .values([
        {
          roundId: round.id,
          participantId: r.pa,
          dimension: "intensity",
          value: secret("a-intensity"),
          sessionId: r.sessionId,
          teamId: r.team.id,
        },
        {
          roundId: round.id,
          participantId: r.pa,
          dimension: "risk",
          value: secret("a-risk"),
          sessionId: r.sessionId,
          teamId: r.team.id,
        },
        {
          roundId: ahead.id,
          participantId: r.pa,
          dimension: "autonomy",
          value: secret("a-ahead"),
          sessionId: r.sessionId,
          teamId: r.team.id,
        },
        {
          roundId: round.id,
          participantId: r.pb,
          dimension: "autonomy",
          value: secret("b-autonomy"),
          sessionId: r.sessionId,
          teamId: r.team.id,
        },
      ])
      .execute();
    const session = await t.db
      .selectFrom("pokerSessions")
      .select("guestKey")
      .where("id", "=", r.sessionId)
      .executeTakeFirstOrThrow();
    const guest = await createGuest(t.db, { guestKey: session.guestKey!, name: "Guest Gil" });
    const loaded = (await loadRoomState(t.db, r.base))!;

    const viewers: [string, Viewer][] = [
      ["facilitator", { kind: "member", userId: r.owner.id, teamRole: "owner" }],
      ["observer", { kind: "member", userId: r.watcher.id, teamRole: "observer" }],
      ["guest", { kind: "guest", participantId: guest.participantId }],
      ["b", { kind: "member", userId: r.b.id, teamRole: "member" }],
    ];
    // The live stream builds its events with the shared room serialized once per change: the same text.
    const eventFor = snapshotEventsOf(loaded, publicRoom(loaded));
    for (const [who, viewer] of viewers) {
      const json = JSON.stringify(roomViewFor(loaded, viewer));
      const leaked = json.match(/SECRET-[a-z-]+/g) ?? [];
      // b sees only b's own card.
      expect(leaked, who).toEqual(who === "b" ? [secret("b-autonomy")] : []);
      expect(eventFor(viewer), who).toBe(snapshotEvent(roomViewFor(loaded, viewer)));
    }
    const own = roomViewFor(loaded, { kind: "member", userId: r.a.id, teamRole: "member" });
    expect(own.mine[String(round.id)]).toMatchObject({ intensity: secret("a-intensity"), risk: secret("a-risk") });
    expect(own.mine[String(ahead.id)]).toMatchObject({ autonomy: secret("a-ahead") });
    // Everybody may see that a voted and b did not finish (only a complete vote counts as voted).
    expect(own.room.participants.find((p) => p.id === r.pa)?.voted).toBe(false);
    expect(own.room.queue.find((q) => q.itemId === ahead.itemId)?.votedCount).toBe(0);

    // Revealed, the votes are everyone's to see.
    await t.db.deleteFrom("pokerVotes").where("sessionId", "=", r.sessionId).execute();
    await castVote(t.db, { ...r.base, participantId: r.pa, roundId: round.id, cards: { ...levels } });
    const hidden = roomViewFor((await loadRoomState(t.db, r.base))!, {
      kind: "guest",
      participantId: guest.participantId,
    });
    expect(hidden.room.participants.find((p) => p.id === r.pa)?.voted).toBe(true);
    expect(JSON.stringify({ ...hidden.room, scheme: null })).not.toContain('"delegate"'); // the deck lists every level id
    await revealRound(t.db, { ...r.base, userId: r.owner.id });
    const shown: RoomView = roomViewFor((await loadRoomState(t.db, r.base))!, {
      kind: "guest",
      participantId: guest.participantId,
    });
    expect(shown.room.current!.revealed[0]!.votes).toEqual([
      expect.objectContaining({ participantId: r.pa, ...levels }),
    ]);
  });

  it("auto-reveals after a grace period once every present voter has voted, and when the last missing voter leaves", async () => {
    const r = await room({ autoReveal: true });
    const { round } = await r.currentRound();
    const armedAt = async () => (await r.currentRound()).round.autoRevealAt;
    // Ends the grace period now, as if its 3 s had passed.
    const elapse = () =>
      t.db
        .updateTable("pokerRounds")
        .set({ autoRevealAt: new Date(Date.now() - 1000) })
        .where("id", "=", round.id)
        .execute();
    // Everyone who joined is present for now (joining counts as being seen).
    await castVote(t.db, { ...r.base, participantId: r.pOwner, roundId: round.id, cards: { ...levels } });
    await castVote(t.db, { ...r.base, participantId: r.pa, roundId: round.id, cards: { split: true } });
    expect(await armedAt()).toBeNull();
    // b wanders off without voting: the others have all voted, so the grace period starts.
    await markLeft(t.db, { ...r.base, participantId: r.pb });
    const first = await armedAt();
    expect(first).not.toBeNull();
    expect((await r.currentRound()).round.status).toBe("voting");
    // Too early: nothing happens.
    expect((await settleRoomAutoReveal(t.db, r.base)).seq).toBeNull();
    // A change within the grace period counts: the wait starts again.
    await new Promise((done) => setTimeout(done, 20));
    await castVote(t.db, { ...r.base, participantId: r.pa, roundId: round.id, cards: { split: false, ...levels } });
    const second = await armedAt();
    expect(second!).toBeGreaterThan(first!);
    const view = roomViewFor((await loadRoomState(t.db, r.base))!, {
      kind: "member",
      userId: r.a.id,
      teamRole: "member",
    });
    expect(view.room.current!.round.autoRevealAt).toBe(second);
    // b comes back without a vote: the round is not complete any more, the wait stops.
    expect((await markPresent(t.db, { ...r.base, participantId: r.pb })).seq).not.toBeNull();
    expect(await armedAt()).toBeNull();
    await markLeft(t.db, { ...r.base, participantId: r.pb });
    await elapse();
    const revealed = await settleRoomAutoReveal(t.db, r.base);
    expect(revealed.result.revealed).toBe(true);
    expect(revealed.seq).not.toBeNull();
    expect((await r.currentRound()).round).toMatchObject({ status: "revealed", autoRevealAt: null });
    // The live hub's heartbeat sees the same presence the room view shows.
    const [pulse] = await roomPulse(t.db, [r.sessionId]);
    const after = roomViewFor((await loadRoomState(t.db, r.base))!, {
      kind: "member",
      userId: r.a.id,
      teamRole: "member",
    });
    expect(pulse!.presence).toBe(after.room.participants.map((p) => `${p.id}:${p.present ? 1 : 0}`).join(","));
    expect(pulse!.presence).toContain(`${r.pb}:0`);
    expect(pulse!.seq).toBe(after.seq);
    // Coming back is a change the room hears about; being here already is not.
    expect((await markPresent(t.db, { ...r.base, participantId: r.pb })).seq).not.toBeNull();
    expect((await markPresent(t.db, { ...r.base, participantId: r.pb })).seq).toBeNull();
  });

  it("does not reveal when the round stopped being complete during the grace period", async () => {
    const r = await room({ autoReveal: true });
    const { round } = await r.currentRound();
    await markLeft(t.db, { ...r.base, participantId: r.pb });
    await castVote(t.db, { ...r.base, participantId: r.pOwner, roundId: round.id, cards: { ...levels } });
    await castVote(t.db, { ...r.base, participantId: r.pa, roundId: round.id, cards: { ...levels } });
    expect((await r.currentRound()).round.autoRevealAt).not.toBeNull();
    // a takes a card back; the hub's timer fires after the grace period.
    await castVote(t.db, { ...r.base, participantId: r.pa, roundId: round.id, cards: { risk: null } });
    await t.db
      .updateTable("pokerRounds")
      .set({ autoRevealAt: new Date(Date.now() - 1000) })
      .where("id", "=", round.id)
      .execute();
    expect((await settleRoomAutoReveal(t.db, r.base)).result.revealed).toBe(false);
    expect((await r.currentRound()).round).toMatchObject({ status: "voting", autoRevealAt: null });
  });

  it("starts from nobody present after a restart, and marks a stopping instance's participants away", async () => {
    const r = await room();
    const present = async () =>
      (await loadRoomState(t.db, r.base))!.participants.filter((p) => p.leftAt === null).map((p) => p.id);
    expect((await present()).length).toBe(4);
    await markAway(t.db, [r.pa]);
    expect(await present()).not.toContain(r.pa);
    // Another instance refreshed b a moment ago: a PostgreSQL instance starting keeps them.
    expect(await clearPresence(t.db, { keepSeenWithinMs: 60_000 })).toBe(0); // everyone here was seen just now
    expect(await clearPresence(t.db, { keepSeenWithinMs: 0 })).toBeGreaterThanOrEqual(3); // (other tests share the database)
    expect(await present()).toEqual([]);
  });

  it("lets the facilitator skip, move and remove stories, the current one included, without breaking the room", async () => {
    const r = await room({ allowAhead: true });
    const start = await r.currentRound();
    const ids = start.state.items.map((i) => i.id);
    await skipItem(t.db, { ...r.base, userId: r.owner.id, itemId: ids[0]! });
    let s = (await loadRoomState(t.db, r.base))!;
    expect(s.session.currentItemId).toBe(ids[1]);
    await moveItem(t.db, { ...r.base, userId: r.owner.id, itemId: ids[2]!, beforeId: null, afterId: ids[0]! });
    s = (await loadRoomState(t.db, r.base))!;
    expect(s.items.map((i) => i.title)).toEqual(["Three", "One", "Two"]);
    await removeItem(t.db, { ...r.base, userId: r.owner.id, itemId: ids[1]! });
    s = (await loadRoomState(t.db, r.base))!;
    expect(s.items.map((i) => i.title)).toEqual(["Three", "One"]);
    expect(s.session.currentItemId).toBe(ids[2]);
    // A vote on a story that left the queue is refused, not lost silently.
    await expect(
      castVote(t.db, { ...r.base, participantId: r.pa, roundId: start.round.id + 1, cards: { intensity: "light" } }),
    ).rejects.toBeInstanceOf(PokerError);
    // Non-facilitators cannot rearrange.
    await expect(skipItem(t.db, { ...r.base, userId: r.a.id, itemId: ids[2]! })).rejects.toMatchObject({ status: 403 });
    const view = roomViewFor(s, { kind: "member", userId: r.a.id, teamRole: "member" });
    expect(view.room.current?.title).toBe("Three");
  });

  it("admits guests by name to one open session only, and ends their access with the session", async () => {
    const r = await room({ allowGuests: true });
    const key = (
      await t.db.selectFrom("pokerSessions").select("guestKey").where("id", "=", r.sessionId).executeTakeFirstOrThrow()
    ).guestKey!;
    const guest = await createGuest(t.db, { guestKey: key, name: "Gil" });
    expect(await findGuest(t.db, guest.token)).toMatchObject({
      sessionId: r.sessionId,
      status: "open",
      displayName: "Gil",
    });
    const { round } = await r.currentRound();
    await castVote(t.db, { ...r.base, participantId: guest.participantId, roundId: round.id, cards: { ...levels } });
    await setGuestLink(t.db, { ...r.base, userId: r.owner.id, enabled: false });
    await expect(createGuest(t.db, { guestKey: key, name: "Late" })).rejects.toMatchObject({ status: 404 });
    await endSession(t.db, { ...r.base, userId: r.owner.id });
    expect(await findGuest(t.db, guest.token)).toMatchObject({ status: "ended" });
    await expect(
      castVote(t.db, { ...r.base, participantId: guest.participantId, roundId: round.id, cards: { risk: "low" } }),
    ).rejects.toMatchObject({ status: 409 });
  });
});
