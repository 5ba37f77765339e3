// Live poker rooms over server-sent events.
//
// Each open stream belongs to one viewer. When a room changes (a message "sessionId:seq" on the
// pub/sub, from this instance or another), the hub loads the room once from the database and sends
// every local viewer the view built for them by `roomViewFor` — so a stream only ever carries what
// its recipient may see. Every connect starts with a full snapshot, which is the resync after a
// reload, a sleeping laptop, a dropped connection or a server restart. A heartbeat (every 5 s, or LIVE_HEARTBEAT_MS) keeps
// proxies from closing idle streams, refreshes presence, and catches up on any missed message.
//
// Presence is the set of open streams (docs/decisions/0020-presence.md): the heartbeat refreshes
// each open stream's participant in the database, a closed stream marks them away at once (the
// close comes from the socket, see scripts/server.ts), and a participant no instance refreshed for
// PRESENCE_TTL_MS is away. The hub also runs auto-reveal's grace-period timer for its rooms.
import {
  meFor,
  mineFor,
  participantFor,
  publicRoom,
  roomViewFor,
  shouldAutoReveal,
  type PublicRoom,
  type RoomState,
  type Viewer,
} from "~/domain/poker";
import {
  joinSession,
  loadRoomState,
  markAway,
  markLeft,
  markPresent,
  roomPulse,
  settleRoomAutoReveal,
  touchPresence,
} from "~/models/poker.server";
import { getUserById } from "~/models/user.server";
import type { DB } from "~/utils/db.server";
import { registerStream } from "~/utils/stream-closers.server";
import { getPubSub, type PubSub } from "~/utils/pubsub.server";
import { getServices } from "~/utils/database-and-secrets.server";
import { hasSingleton, singleton } from "~/utils/singleton.server";

const CHANNEL = "poker";
/** Clients reconnect this long after a stream ends (the server restarting, say). */
const RETRY_MS = 1_500;
/** A client this many chunks behind is cut off; it reconnects and gets a fresh snapshot. */
const MAX_QUEUED_CHUNKS = 256;

interface Connection {
  viewer: Viewer;
  participantId: number | null;
  send(chunk: string): void;
  close(options?: { quiet?: boolean }): void;
}

interface Room {
  sessionId: number;
  teamId: number;
  conns: Set<Connection>;
  /** Highest change counter sent to this room's streams. */
  seq: number;
  /** Who is present, as last sent: presence changes by time alone, without a seq change. */
  presence: string;
  running: boolean;
  again: boolean;
  force: boolean;
  /** Auto-reveal's grace-period timer for the current round, and the moment it was set for. */
  revealTimer: ReturnType<typeof setTimeout> | null;
  revealAt: number | null;
  /** The seq at which the auto-reveal state was last checked against presence (once per seq). */
  settledSeq: number;
}

const encoder = new TextEncoder();

export function snapshotEvent(view: { seq: number }): string {
  return `id: ${view.seq}\nevent: snapshot\ndata: ${JSON.stringify(view)}\n\n`;
}

/**
 * The snapshot events of one change for every viewer: the same text as
 * `snapshotEvent(roomViewFor(state, viewer, room))`, with the shared part (the public room, most of
 * the bytes) serialized once per change instead of once per viewer; only `me` and `mine` (what
 * this viewer is and their own unrevealed cards) are serialized per viewer.
 */
export function snapshotEventsOf(state: RoomState, room: PublicRoom): (viewer: Viewer) => string {
  const head = `id: ${state.session.seq}\nevent: snapshot\ndata: {"seq":${JSON.stringify(state.session.seq)},"at":${JSON.stringify(state.now)},"room":${JSON.stringify(room)}`;
  return (viewer) => {
    const me = meFor(state, viewer);
    return `${head},"me":${JSON.stringify(me)},"mine":${JSON.stringify(mineFor(state, me.participantId))}}\n\n`;
  };
}

class PokerHub {
  readonly #rooms = new Map<number, Room>();

  constructor(
    private readonly db: DB,
    private readonly pubsub: PubSub,
    heartbeatMs: number,
  ) {
    pubsub.subscribe(CHANNEL, (message) => this.#onMessage(message));
    pubsub.onResync(() => {
      for (const room of this.#rooms.values()) this.#refresh(room, true);
    });
    setInterval(() => void this.#tick(), heartbeatMs).unref();
  }

  /** Tells every instance that a room changed (call after the change committed). */
  async announce(sessionId: number, seq: number | null): Promise<void> {
    if (seq === null) return;
    await this.pubsub.publish(CHANNEL, `${sessionId}:${seq}`);
  }

  connectionCount(): number {
    let n = 0;
    for (const room of this.#rooms.values()) n += room.conns.size;
    return n;
  }

  #onMessage(message: string) {
    const [sessionId, seq] = message.split(":").map(Number);
    const room = this.#rooms.get(sessionId!);
    if (!room || !(seq! > room.seq)) return;
    this.#refresh(room, false);
  }

  /** Loads the room once and sends each local viewer their own view; coalesces bursts of changes. */
  #refresh(room: Room, force: boolean) {
    room.force ||= force;
    if (room.running) {
      room.again = true;
      return;
    }
    room.running = true;
    void (async () => {
      try {
        do {
          room.again = false;
          const forced = room.force;
          room.force = false;
          const state = await loadRoomState(this.db, { teamId: room.teamId, sessionId: room.sessionId });
          if (!state) {
            for (const conn of [...room.conns]) conn.close();
            return;
          }
          this.#broadcast(room, state, forced);
        } while (room.again);
      } catch (error) {
        console.error(`[poker] refreshing room ${room.sessionId} failed:`, (error as Error).message);
      } finally {
        room.running = false;
      }
    })();
  }

  #broadcast(room: Room, state: RoomState, force: boolean) {
    const pub = publicRoom(state);
    const presence = pub.participants.map((p) => `${p.id}:${p.present ? 1 : 0}`).join(",");
    if (!force && state.session.seq <= room.seq && presence === room.presence) return;
    room.seq = Math.max(room.seq, state.session.seq);
    room.presence = presence;
    const eventFor = snapshotEventsOf(state, pub);
    for (const conn of room.conns) {
      // Someone who joined after opening their stream: the heartbeat keeps them present from now on.
      if (conn.participantId === null) conn.participantId = participantFor(state, conn.viewer)?.id ?? null;
      conn.send(eventFor(conn.viewer));
    }
    this.#watchAutoReveal(room, state, pub);
  }

  /**
   * Auto-reveal's timer: at the end of the grace period the round reveals (if everyone present
   * still has voted; the model checks under the session's lock, so several instances may try).
   * Presence that moved by time alone (a voter timing out) starts or stops the grace period.
   */
  #watchAutoReveal(room: Room, state: RoomState, pub: PublicRoom) {
    const round = pub.current?.round;
    const at = round?.status === "voting" ? round.autoRevealAt : null;
    if (at !== room.revealAt) {
      if (room.revealTimer) clearTimeout(room.revealTimer);
      room.revealTimer = null;
      room.revealAt = at;
      if (at !== null) {
        room.revealTimer = setTimeout(
          () => {
            room.revealTimer = null;
            void this.#settle(room);
          },
          Math.max(0, at - state.now) + 25,
        );
        room.revealTimer.unref?.();
      }
    }
    const wants = shouldAutoReveal(state);
    if (wants !== (at !== null) && room.settledSeq !== state.session.seq) {
      room.settledSeq = state.session.seq;
      void this.#settle(room);
    }
  }

  async #settle(room: Room) {
    try {
      const change = await settleRoomAutoReveal(this.db, { teamId: room.teamId, sessionId: room.sessionId });
      await this.announce(room.sessionId, change.seq);
    } catch (error) {
      console.error(`[poker] auto-reveal in room ${room.sessionId} failed:`, (error as Error).message);
    }
  }

  /** Participants with a stream open here (for a shutdown: they are away until they reconnect). */
  localParticipants(): { teamId: number; sessionId: number; participantId: number }[] {
    const out = new Map<number, { teamId: number; sessionId: number; participantId: number }>();
    for (const room of this.#rooms.values()) {
      for (const conn of room.conns) {
        if (conn.participantId !== null)
          out.set(conn.participantId, {
            teamId: room.teamId,
            sessionId: room.sessionId,
            participantId: conn.participantId,
          });
      }
    }
    return [...out.values()];
  }

  async #tick() {
    const ids = new Set<number>();
    for (const room of this.#rooms.values())
      for (const conn of room.conns) if (conn.participantId !== null) ids.add(conn.participantId);
    try {
      await touchPresence(this.db, [...ids]);
    } catch (error) {
      console.error("[poker] presence heartbeat failed:", (error as Error).message);
    }
    const ping = `: heartbeat\nevent: ping\ndata: ${Date.now()}\n\n`;
    for (const room of this.#rooms.values()) for (const conn of room.conns) conn.send(ping);
    // One query for all rooms; only those whose counter or presence moved are reloaded (someone
    // timed out, or a message from another instance got lost).
    try {
      for (const pulse of await roomPulse(this.db, [...this.#rooms.keys()])) {
        const room = this.#rooms.get(pulse.sessionId);
        if (room && (pulse.seq > room.seq || pulse.presence !== room.presence)) this.#refresh(room, false);
      }
    } catch (error) {
      console.error("[poker] heartbeat check failed:", (error as Error).message);
    }
  }

  /** A text/event-stream Response for one viewer of one room. */
  async open(
    connectionClosed: AbortSignal,
    input: { teamId: number; sessionId: number; viewer: Viewer },
  ): Promise<Response> {
    const { teamId, sessionId, viewer } = input;
    let state = await loadRoomState(this.db, { teamId, sessionId });
    if (!state) throw new Response("Not found", { status: 404 });
    let participant = participantFor(state, viewer);
    // Team observers have no "join" to press (they may not change anything): arriving is joining.
    if (!participant && viewer.kind === "member" && viewer.teamRole === "observer" && state.session.status === "open") {
      const name = await this.#userName(viewer.userId);
      const joined = await joinSession(this.db, {
        teamId,
        sessionId,
        userId: viewer.userId,
        name,
        role: "observer",
        keepRole: true,
      });
      await this.announce(sessionId, joined.seq);
      participant = { id: joined.result.id } as never;
    }
    const participantId = participant?.id ?? null;
    if (participantId !== null) {
      const present = await markPresent(this.db, { teamId, sessionId, participantId });
      await this.announce(sessionId, present.seq);
    }

    let room = this.#rooms.get(sessionId);
    if (!room) {
      room = {
        sessionId,
        teamId,
        conns: new Set(),
        seq: 0,
        presence: "",
        running: false,
        again: false,
        force: false,
        revealTimer: null,
        revealAt: null,
        settledSeq: -1,
      };
      this.#rooms.set(sessionId, room);
    }
    const theRoom = room;
    let closed = false;
    let unregister = () => {};
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const conn: Connection = {
      viewer,
      participantId,
      send: (chunk) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(chunk));
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED_CHUNKS) conn.close();
        } catch {
          conn.close();
        }
      },
      close: (options = {}) => {
        if (closed) return;
        closed = true;
        unregister();
        theRoom.conns.delete(conn);
        if (theRoom.conns.size === 0 && this.#rooms.get(sessionId) === theRoom) {
          this.#rooms.delete(sessionId);
          if (theRoom.revealTimer) clearTimeout(theRoom.revealTimer);
        }
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
        // The last stream of this participant here closed: they left (unless the server is
        // shutting down — a restart is not leaving, and clients come back in a second).
        const left = conn.participantId;
        if (!options.quiet && left !== null && ![...theRoom.conns].some((c) => c.participantId === left)) {
          markLeft(this.db, { teamId, sessionId, participantId: left })
            .then((left) => this.announce(sessionId, left.seq))
            .catch((error: Error) => console.error("[poker] marking a participant away failed:", error.message));
        }
      },
    };
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      cancel() {
        conn.close();
      },
    });
    connectionClosed.addEventListener("abort", () => conn.close(), { once: true });
    unregister = registerStream(() => conn.close({ quiet: true }));
    room.conns.add(conn);

    // Registered first, then the snapshot: a change in between reaches this stream either way.
    state = (await loadRoomState(this.db, { teamId, sessionId })) ?? state;
    conn.send(`retry: ${RETRY_MS}\n\n`);
    conn.send(snapshotEvent(roomViewFor(state, viewer)));
    if (connectionClosed.aborted) conn.close();

    return new Response(body, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
      },
    });
  }

  async releaseAll(): Promise<void> {
    const here = this.localParticipants();
    if (here.length)
      await markAway(
        this.db,
        here.map((p) => p.participantId),
      );
  }

  async #userName(userId: number): Promise<string> {
    return (await getUserById(this.db, userId))?.name ?? "Observer";
  }
}

function getHub(): Promise<PokerHub> {
  return singleton("poker-hub", async () => {
    const { db, env } = await getServices();
    return new PokerHub(db, await getPubSub(), env.LIVE_HEARTBEAT_MS);
  });
}

/** The live stream of a room for one viewer (the caller has checked access). */
export async function openRoomStream(
  closed: AbortSignal,
  input: { teamId: number; sessionId: number; viewer: Viewer },
) {
  return (await getHub()).open(closed, input);
}

/**
 * At shutdown (before the streams close quietly): everyone connected here is away until their
 * browser reconnects — a restart starts from nobody present. One statement; no auto-reveal.
 */
export async function releasePresence(): Promise<void> {
  if (!hasSingleton("poker-hub")) return;
  const hub = await getHub();
  await hub.releaseAll();
}

/** After a committed change: every instance's streams of that room get a fresh view. */
export async function announceRoomChange(sessionId: number, seq: number | null | undefined) {
  if (seq === null || seq === undefined) return;
  await (await getHub()).announce(sessionId, seq);
}
