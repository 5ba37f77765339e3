import { sql, type Transaction } from "kysely";
import type { Database, PokerParticipantRole, PokerVoteDimension } from "../../db/schema";
import {
  AUTO_REVEAL_GRACE_MS,
  ballots,
  CARD_DIMENSIONS,
  isComplete,
  isPresent,
  isValidCard,
  nextPendingItem,
  PRESENCE_TTL_MS,
  roundHistory,
  SPLIT,
  type RoomState,
  type StateVote,
  votingOpen,
} from "~/domain/poker";
import { isNameTaken } from "~/domain/display-name";
import { initialRanks, rankBetween } from "~/domain/ranks";
import { UNSURE, UnknownLevelError, type Levels } from "~/domain/sizing";
import type { DimensionId, SizingScheme } from "~/domain/sizing-scheme";
import { getCurrentScheme, getSchemeVersion } from "~/models/scheme.server";
import { recordEstimate } from "~/models/story.server";
import { hashToken, newToken } from "~/utils/crypto.server";
import type { DB } from "~/utils/db.server";

/** A refused poker action, with the HTTP status the route answers and a message for the person. */
export class PokerError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 = 409,
  ) {
    super(message);
    this.name = "PokerError";
  }
}

type Trx = Transaction<Database>;

const sessionColumns = [
  "id",
  "teamId",
  "status",
  "facilitatorId",
  "currentItemId",
  "autoReveal",
  "timerSeconds",
  "allowAhead",
  "schemeId",
  "guestKey",
] as const;

type LockedSession = {
  id: number;
  teamId: number;
  status: "open" | "ended";
  facilitatorId: number | null;
  currentItemId: number | null;
  autoReveal: boolean;
  timerSeconds: number | null;
  allowAhead: boolean;
  schemeId: number;
  guestKey: string | null;
};

export interface Mutation<T> {
  /** The session's change counter after the change; null when nothing changed. */
  seq: number | null;
  result: T;
}

/**
 * Every change to a room goes through here: one transaction that first locks the session row (so
 * changes to one room are serialised and always take locks in the same order), checks that the
 * session is open and, for facilitator actions, that the caller still is the facilitator, then
 * bumps `seq` so live clients know there is something new.
 */
async function mutate<T>(
  db: DB,
  input: {
    teamId: number;
    sessionId: number;
    facilitator?: number;
    allowEnded?: boolean;
    bumpIf?: (result: T) => boolean;
  },
  fn: (trx: Trx, session: LockedSession) => Promise<T>,
): Promise<Mutation<T>> {
  return db.transaction().execute(async (trx) => {
    // Bumping seq first takes the row lock and the new counter in one statement; a refused change
    // rolls back with it. Changes that may turn out to be no-ops (presence) lock without bumping.
    const session = input.bumpIf
      ? await trx
          .selectFrom("pokerSessions")
          .select([...sessionColumns, "seq"])
          .where("id", "=", input.sessionId)
          .where("teamId", "=", input.teamId)
          .forUpdate()
          .executeTakeFirst()
      : await trx
          .updateTable("pokerSessions")
          .set({ seq: sql<number>`seq + 1` })
          .where("id", "=", input.sessionId)
          .where("teamId", "=", input.teamId)
          .returning([...sessionColumns, "seq"])
          .executeTakeFirst();
    if (!session) throw new PokerError("This poker session does not exist.", 404);
    if (session.status !== "open" && !input.allowEnded) throw new PokerError("This session has ended.", 409);
    if (input.facilitator !== undefined && session.facilitatorId !== input.facilitator) {
      throw new PokerError("Only the facilitator can do that. Take over as facilitator first.", 403);
    }
    const result = await fn(trx, session);
    if (!input.bumpIf) return { seq: session.seq, result };
    if (!input.bumpIf(result)) return { seq: null, result };
    const { seq } = await trx
      .updateTable("pokerSessions")
      .set({ seq: sql<number>`seq + 1` })
      .where("id", "=", session.id)
      .returning("seq")
      .executeTakeFirstOrThrow();
    return { seq, result };
  });
}

// Sizing schemes are frozen rows (never updated), so a loaded version can be kept. Keyed by the db
// handle too: tests open several databases in one process, each with its own ids.
const schemeCache = new WeakMap<object, Map<number, SizingScheme>>();
async function sessionScheme(db: DB, teamId: number, schemeId: number): Promise<SizingScheme> {
  let cache = schemeCache.get(db);
  if (!cache) schemeCache.set(db, (cache = new Map()));
  const hit = cache.get(schemeId);
  if (hit) return hit;
  const version = await getSchemeVersion(db, { teamId, schemeId });
  if (!version) throw new Error(`Sizing scheme ${schemeId} is missing`);
  cache.set(schemeId, version.scheme);
  return version.scheme;
}

// A session's scheme never changes either; votes are checked against it before the vote's
// transaction starts (inside it, the embedded database's one connection is taken).
const sessionSchemeCache = new WeakMap<object, Map<number, SizingScheme>>();
async function schemeOfSession(db: DB, teamId: number, sessionId: number): Promise<SizingScheme | null> {
  let cache = sessionSchemeCache.get(db);
  if (!cache) sessionSchemeCache.set(db, (cache = new Map()));
  const hit = cache.get(sessionId);
  if (hit) return hit;
  const row = await db
    .selectFrom("pokerSessions")
    .select("schemeId")
    .where("id", "=", sessionId)
    .where("teamId", "=", teamId)
    .executeTakeFirst();
  if (!row) return null;
  const scheme = await sessionScheme(db, teamId, row.schemeId);
  cache.set(sessionId, scheme);
  return scheme;
}

async function storiesOfTeam(trx: Trx, teamId: number, storyIds: number[]): Promise<number[]> {
  if (!storyIds.length) return [];
  const rows = await trx
    .selectFrom("stories")
    .select("id")
    .where("teamId", "=", teamId)
    .where("id", "in", storyIds)
    .where("archivedAt", "is", null)
    .execute();
  const found = new Set(rows.map((r) => r.id));
  // Keep the caller's order (the queue order the facilitator dragged), drop unknown and repeated ids.
  return [...new Set(storyIds)].filter((id) => found.has(id));
}

/** Display names are kept for the room's history at 60 characters; account names may be longer. */
const MAX_PARTICIPANT_NAME = 60;
function participantName(name: string) {
  return [...name].slice(0, MAX_PARTICIPANT_NAME).join("");
}

function timerEnd(timerSeconds: number | null) {
  return timerSeconds ? sql<Date>`now() + make_interval(secs => ${timerSeconds}::int)` : null;
}

async function insertItems(trx: Trx, session: { id: number; teamId: number }, storyIds: number[], ranks: string[]) {
  if (!storyIds.length) return [];
  const items = await trx
    .insertInto("pokerItems")
    .values(storyIds.map((storyId, i) => ({ sessionId: session.id, teamId: session.teamId, storyId, rank: ranks[i]! })))
    .returning(["id", "storyId"])
    .execute();
  await trx
    .insertInto("pokerRounds")
    .values(items.map((item) => ({ itemId: item.id, sessionId: session.id, teamId: session.teamId, number: 1 })))
    .execute();
  // RETURNING order follows VALUES order in practice, but the queue order must not depend on it.
  const byStory = new Map(items.map((i) => [i.storyId, i.id]));
  return storyIds.map((id) => byStory.get(id)!);
}

/** Starts the round timer of the item that just became the story under discussion. */
async function makeCurrent(trx: Trx, session: LockedSession, itemId: number | null) {
  await trx.updateTable("pokerSessions").set({ currentItemId: itemId }).where("id", "=", session.id).execute();
  if (itemId === null) return;
  await trx
    .updateTable("pokerItems")
    .set({ status: "pending" })
    .where("id", "=", itemId)
    .where("status", "=", "skipped")
    .execute();
  await trx
    .updateTable("pokerRounds")
    .set({ timerEndsAt: timerEnd(session.timerSeconds) })
    .where("itemId", "=", itemId)
    .where("status", "=", "voting")
    .where("number", "=", trx.selectFrom("pokerItems").select("roundNumber").where("id", "=", itemId))
    .execute();
}

// ---------------------------------------------------------------------------------------------------
// Sessions

export interface CreateSessionInput {
  teamId: number;
  name: string;
  storyIds: number[];
  autoReveal: boolean;
  timerSeconds: number | null;
  allowAhead: boolean;
  allowGuests: boolean;
  createdBy: { id: number; name: string };
}

/** Opens a room with its queue (in the given order); the creator facilitates and joins as a voter. */
export async function createPokerSession(db: DB, input: CreateSessionInput) {
  return db.transaction().execute(async (trx) => {
    const scheme = await getCurrentScheme(trx, input.teamId);
    const storyIds = await storiesOfTeam(trx, input.teamId, input.storyIds);
    const session = await trx
      .insertInto("pokerSessions")
      .values({
        teamId: input.teamId,
        name: input.name,
        autoReveal: input.autoReveal,
        timerSeconds: input.timerSeconds,
        allowAhead: input.allowAhead,
        guestKey: input.allowGuests ? newToken(18) : null,
        schemeId: scheme.id,
        facilitatorId: input.createdBy.id,
        createdBy: input.createdBy.id,
      })
      .returning(sessionColumns)
      .executeTakeFirstOrThrow();
    const itemIds = await insertItems(trx, session, storyIds, initialRanks(storyIds.length));
    await makeCurrent(trx, session, itemIds[0] ?? null);
    await trx
      .insertInto("pokerParticipants")
      .values({
        sessionId: session.id,
        teamId: input.teamId,
        userId: input.createdBy.id,
        displayName: participantName(input.createdBy.name),
        role: "voter",
      })
      .execute();
    return { id: session.id };
  });
}

/** The team's sessions, open ones first, with queue progress and the credits finalized so far. */
export function listPokerSessions(db: DB, teamId: number) {
  return db
    .selectFrom("pokerSessions as s")
    .leftJoin("users as f", "f.id", "s.facilitatorId")
    .select((eb) => [
      "s.id",
      "s.name",
      "s.status",
      "s.createdAt",
      "s.endedAt",
      "f.name as facilitatorName",
      eb
        .selectFrom("pokerItems as i")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("i.sessionId", "=", "s.id")
        .as("stories"),
      eb
        .selectFrom("pokerItems as i")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("i.sessionId", "=", "s.id")
        .where("i.status", "=", "finalized")
        .as("finalized"),
      eb
        .selectFrom("pokerItems as i")
        .innerJoin("estimates as e", "e.id", "i.estimateId")
        .select(sql<number>`coalesce(sum(e.expected_credits), 0)`.as("c"))
        .whereRef("i.sessionId", "=", "s.id")
        .where("i.status", "=", "finalized")
        .where("i.split", "=", false)
        .as("expectedCredits"),
    ])
    .where("s.teamId", "=", teamId)
    .orderBy(sql`s.status = 'open'`, "desc")
    .orderBy("s.createdAt", "desc")
    .orderBy("s.id", "desc")
    .limit(200)
    .execute();
}

/** For the dashboard: the open session most recently started (the active or next one), and how many are open. */
export async function getPokerDashboard(db: DB, teamId: number) {
  const open = await db
    .selectFrom("pokerSessions as s")
    .select((eb) => [
      "s.id",
      "s.name",
      "s.createdAt",
      eb
        .selectFrom("pokerItems as i")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("i.sessionId", "=", "s.id")
        .as("stories"),
      eb
        .selectFrom("pokerItems as i")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("i.sessionId", "=", "s.id")
        .where("i.status", "=", "finalized")
        .as("finalized"),
      eb
        .selectFrom("pokerParticipants as p")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("p.sessionId", "=", "s.id")
        .where("p.leftAt", "is", null)
        .where("p.lastSeenAt", ">", sql<Date>`now() - make_interval(secs => ${PRESENCE_TTL_MS / 1000}::int)`)
        .as("present"),
    ])
    .where("s.teamId", "=", teamId)
    .where("s.status", "=", "open")
    .orderBy("s.createdAt", "desc")
    .orderBy("s.id", "desc")
    .execute();
  const s = open[0];
  return {
    session: s
      ? { id: s.id, name: s.name, stories: s.stories ?? 0, finalized: s.finalized ?? 0, present: s.present ?? 0 }
      : null,
    openCount: open.length,
  };
}

/** Backlog stories not yet in the session's queue (for "Add stories"). */
export function listAddableStories(db: DB, input: { teamId: number; sessionId: number }) {
  return db
    .selectFrom("stories")
    .select(["id", "key", "title", "status"])
    .where("teamId", "=", input.teamId)
    .where("archivedAt", "is", null)
    .where("status", "!=", "done")
    .where("id", "not in", (eb) =>
      eb.selectFrom("pokerItems").select("storyId").where("sessionId", "=", input.sessionId),
    )
    .orderBy("rank")
    .limit(500)
    .execute();
}

// ---------------------------------------------------------------------------------------------------
// Reading a room

/** Epoch milliseconds of a timestamp column, as a JSON number (null stays null). */
const ms = (column: string) => sql.raw(`floor(extract(epoch from ${column}) * 1000)::float8`);

/**
 * Everything about a room, votes included: server-side only. What a participant gets is built
 * from this by `roomViewFor` (app/domain/poker.ts). One statement (the parts as JSON aggregates):
 * a single round trip, and the change counter and the data come from the same snapshot.
 */
export async function loadRoomState(
  db: DB,
  input: { teamId: number; sessionId: number },
): Promise<RoomState | undefined> {
  // The latest round of each story, and every round of the story under discussion (its history).
  const liveRound = sql.raw("(r.number = i.round_number or r.item_id = s.current_item_id)");
  const result = await sql<{
    id: number;
    name: string;
    status: "open" | "ended";
    autoReveal: boolean;
    timerSeconds: number | null;
    allowAhead: boolean;
    guestKey: string | null;
    facilitatorId: number | null;
    currentItemId: number | null;
    seq: number;
    schemeId: number;
    createdAtMs: number;
    endedAtMs: number | null;
    nowMs: number;
    participants: RoomState["participants"];
    items: (Omit<RoomState["items"][number], "estimate"> & {
      size: string | null;
      expected: number | null;
      p80: number | null;
      intensity: string | null;
      autonomy: string | null;
      risk: string | null;
      bandLow: number | null;
      bandHigh: number | null;
      estimatedBy: string | null;
      estimatedAtMs: number | null;
    })[];
    rounds: RoomState["rounds"];
    votes: RoomState["votes"];
  }>`
    select s.id, s.name, s.status, s.auto_reveal, s.timer_seconds, s.allow_ahead, s.guest_key, s.facilitator_id,
      s.current_item_id, s.seq, s.scheme_id,
      ${ms("s.created_at")} as created_at_ms, ${ms("s.ended_at")} as ended_at_ms, ${ms("now()")} as now_ms,
      coalesce((
        select json_agg(json_build_object('id', p.id, 'userId', p.user_id, 'role', p.role, 'name', coalesce(u.name, p.display_name),
          'lastSeenAt', ${ms("p.last_seen_at")}, 'leftAt', ${ms("p.left_at")}) order by p.created_at, p.id)
        from poker_participants p left join users u on u.id = p.user_id where p.session_id = s.id
      ), '[]'::json) as participants,
      coalesce((
        select json_agg(json_build_object('id', i.id, 'storyId', i.story_id, 'status', i.status, 'roundNumber', i.round_number,
          'split', i.split, 'key', st.key, 'title', st.title, 'link', st.link, 'description', st.description,
          'size', e.size, 'expected', e.expected_credits, 'p80', e.p80_credits,
          'intensity', e.intensity, 'autonomy', e.autonomy, 'risk', e.risk, 'bandLow', e.band_low, 'bandHigh', e.band_high,
          'estimatedBy', eu.name, 'estimatedAtMs', ${ms("e.created_at")}) order by i.rank)
        from poker_items i join stories st on st.id = i.story_id left join estimates e on e.id = i.estimate_id
          left join users eu on eu.id = e.created_by
        where i.session_id = s.id
      ), '[]'::json) as items,
      coalesce((
        select json_agg(json_build_object('id', r.id, 'itemId', r.item_id, 'number', r.number, 'status', r.status,
          'timerEndsAt', ${ms("r.timer_ends_at")}, 'revealedAt', ${ms("r.revealed_at")},
          'autoRevealAt', ${ms("r.auto_reveal_at")}))
        from poker_rounds r join poker_items i on i.id = r.item_id where r.session_id = s.id and ${liveRound}
      ), '[]'::json) as rounds,
      coalesce((
        select json_agg(json_build_object('roundId', v.round_id, 'participantId', v.participant_id, 'dimension', v.dimension, 'value', v.value))
        from poker_votes v join poker_rounds r on r.id = v.round_id join poker_items i on i.id = r.item_id
        where v.session_id = s.id and ${liveRound}
      ), '[]'::json) as votes
    from poker_sessions s
    where s.id = ${input.sessionId} and s.team_id = ${input.teamId}
  `.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    now: row.nowMs,
    session: {
      id: row.id,
      name: row.name,
      status: row.status,
      autoReveal: row.autoReveal,
      timerSeconds: row.timerSeconds,
      allowAhead: row.allowAhead,
      guestKey: row.guestKey,
      facilitatorId: row.facilitatorId,
      currentItemId: row.currentItemId,
      seq: row.seq,
      createdAt: row.createdAtMs,
      endedAt: row.endedAtMs,
    },
    scheme: await sessionScheme(db, input.teamId, row.schemeId),
    participants: row.participants,
    items: row.items.map(
      ({ size, expected, p80, intensity, autonomy, risk, bandLow, bandHigh, estimatedBy, estimatedAtMs, ...item }) => ({
        ...item,
        estimate:
          size !== null && expected !== null
            ? {
                size,
                expected,
                p80: p80 ?? expected,
                intensity: intensity ?? "",
                autonomy: autonomy ?? "",
                risk: risk ?? "",
                bandLow: Number(bandLow ?? 0),
                bandHigh: bandHigh === null ? null : Number(bandHigh),
                by: estimatedBy,
                at: estimatedAtMs,
              }
            : null,
      }),
    ),
    rounds: row.rounds,
    votes: row.votes,
  };
}

// ---------------------------------------------------------------------------------------------------
// Participants and presence

/** Joins a member (or changes their role); `keepRole` only makes sure they are in the room. */
export async function joinSession(
  db: DB,
  input: {
    teamId: number;
    sessionId: number;
    userId: number;
    name: string;
    role: PokerParticipantRole;
    keepRole?: boolean;
  },
) {
  return mutate(db, input, async (trx, session) => {
    const row = await trx
      .insertInto("pokerParticipants")
      .values({
        sessionId: session.id,
        teamId: session.teamId,
        userId: input.userId,
        displayName: participantName(input.name),
        role: input.role,
      })
      .onConflict((oc) =>
        input.keepRole
          ? oc.columns(["sessionId", "userId"]).doUpdateSet({ lastSeenAt: sql`now()` })
          : oc
              .columns(["sessionId", "userId"])
              .doUpdateSet({ role: input.role, displayName: participantName(input.name), lastSeenAt: sql`now()` }),
      )
      .returning(["id", "role"])
      .executeTakeFirstOrThrow();
    // A timed session whose current round has no timer yet (a seeded session nobody has opened)
    // starts it now, when someone is there to see it.
    if (session.timerSeconds && session.currentItemId !== null) {
      await trx
        .updateTable("pokerRounds")
        .set({ timerEndsAt: timerEnd(session.timerSeconds) })
        .where("itemId", "=", session.currentItemId)
        .where("status", "=", "voting")
        .where("timerEndsAt", "is", null)
        .where(
          "number",
          "=",
          trx.selectFrom("pokerItems").select("roundNumber").where("id", "=", session.currentItemId),
        )
        .execute();
    }
    return row;
  });
}

/** A member's participant id in a session, if they joined. */
export async function getParticipantId(db: DB, input: { teamId: number; sessionId: number; userId: number }) {
  const row = await db
    .selectFrom("pokerParticipants")
    .select("id")
    .where("teamId", "=", input.teamId)
    .where("sessionId", "=", input.sessionId)
    .where("userId", "=", input.userId)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The room of a guest link, while the session is open. */
export function getGuestEntry(db: DB, guestKey: string) {
  return db
    .selectFrom("pokerSessions as s")
    .innerJoin("teams as t", "t.id", "s.teamId")
    .select(["s.id as sessionId", "s.name", "s.teamId", "t.slug as teamSlug", "t.name as teamName"])
    .where("s.guestKey", "=", guestKey)
    .where("s.status", "=", "open")
    .executeTakeFirst();
}

/** A guest turned away for a reason the guest can act on (a name that is taken, a full room). */
export class GuestRefusedError extends PokerError {
  constructor(
    message: string,
    readonly field: "name" | "form",
  ) {
    super(message, 409);
    this.name = "GuestRefusedError";
  }
}

export const GUEST_LIMITS = { perLink: 100, perMinute: 60 };

/**
 * Admits a guest voter by display name; returns the token for the guest's cookie (stored hashed).
 * Refused when the name reads as a team member's (a guest must not pass as a member in the room),
 * or when the session already admitted `perLink` guests, or `perMinute` in the last minute. The
 * session row is locked while counting, so parallel joins cannot overshoot.
 */
export async function createGuest(
  db: DB,
  input: { guestKey: string; name: string; limits?: { perLink: number; perMinute: number } },
) {
  const limits = input.limits ?? GUEST_LIMITS;
  const entry = await getGuestEntry(db, input.guestKey);
  if (!entry)
    throw new PokerError("This guest link no longer works: the session has ended or the link was turned off.", 404);
  const token = newToken(32);
  const change = await mutate(db, { teamId: entry.teamId, sessionId: entry.sessionId }, async (trx, session) => {
    if (session.guestKey !== input.guestKey) throw new PokerError("This guest link was turned off.", 404);
    const members = await trx
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.userId")
      .select("users.name")
      .where("memberships.teamId", "=", session.teamId)
      .execute();
    if (
      isNameTaken(
        input.name,
        members.map((m) => m.name),
      )
    ) {
      throw new GuestRefusedError("A member of this team has that name. Choose another one.", "name");
    }
    const guests = await trx
      .selectFrom("pokerParticipants")
      .select([
        (eb) => eb.fn.countAll<string | number>().as("all"),
        (eb) =>
          eb.fn
            .count<string | number>("id")
            .filterWhere("createdAt", ">", sql<Date>`now() - interval '1 minute'`)
            .as("recent"),
      ])
      .where("sessionId", "=", session.id)
      .where("guestTokenHash", "is not", null)
      .executeTakeFirstOrThrow();
    if (Number(guests.all) >= limits.perLink) {
      throw new GuestRefusedError("This session has all the guests it can take. Ask the facilitator.", "form");
    }
    if (Number(guests.recent) >= limits.perMinute) {
      throw new GuestRefusedError("Many guests are joining right now. Wait a minute and try again.", "form");
    }
    return trx
      .insertInto("pokerParticipants")
      .values({
        sessionId: session.id,
        teamId: session.teamId,
        guestTokenHash: hashToken(token),
        displayName: input.name,
        role: "voter",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
  });
  return { ...entry, participantId: change.result.id, token, seq: change.seq };
}

/** The guest behind a guest cookie, with their session (whatever its state: callers check it). */
export function findGuest(db: DB, token: string) {
  return db
    .selectFrom("pokerParticipants as p")
    .innerJoin("pokerSessions as s", "s.id", "p.sessionId")
    .innerJoin("teams as t", "t.id", "s.teamId")
    .select([
      "p.id as participantId",
      "p.displayName",
      "s.id as sessionId",
      "s.status",
      "s.teamId",
      "t.slug as teamSlug",
      "t.name as teamName",
    ])
    .where("p.guestTokenHash", "=", hashToken(token))
    .executeTakeFirst();
}

/**
 * A live stream opened: the participant is here. Changes the room (and its seq) only when they
 * were away, so a page that reconnects often does not flood the others.
 */
export async function markPresent(db: DB, input: { teamId: number; sessionId: number; participantId: number }) {
  return mutate(db, { ...input, allowEnded: true, bumpIf: (changed: boolean) => changed }, async (trx, session) => {
    const before = await trx
      .selectFrom("pokerParticipants")
      .select(["lastSeenAt", "leftAt", sql<Date>`now()`.as("now")])
      .where("id", "=", input.participantId)
      .where("sessionId", "=", input.sessionId)
      .executeTakeFirst();
    if (!before) return false;
    await trx
      .updateTable("pokerParticipants")
      .set({ lastSeenAt: sql`now()`, leftAt: null })
      .where("id", "=", input.participantId)
      .execute();
    const now = new Date(before.now).getTime();
    const arrived = !isPresent(
      { lastSeenAt: new Date(before.lastSeenAt).getTime(), leftAt: before.leftAt ? 1 : null },
      now,
    );
    // A voter who arrives during auto-reveal's grace period has not voted: the wait stops.
    const settled = arrived && session.status === "open" && (await settleAutoReveal(trx, session, "presence")).changed;
    return arrived || settled;
  });
}

/** The participant's last stream on this instance closed. May complete an auto-reveal. */
export async function markLeft(db: DB, input: { teamId: number; sessionId: number; participantId: number }) {
  return mutate(db, { ...input, allowEnded: true, bumpIf: (changed: boolean) => changed }, async (trx, session) => {
    const result = await trx
      .updateTable("pokerParticipants")
      .set({ leftAt: sql`now()` })
      .where("id", "=", input.participantId)
      .where("sessionId", "=", input.sessionId)
      .where("leftAt", "is", null)
      .executeTakeFirst();
    const changed = Number(result.numUpdatedRows) > 0;
    // Everyone still here has voted: the grace period starts (never a reveal on the spot).
    if (changed && session.status === "open") await settleAutoReveal(trx, session, "presence");
    return changed;
  });
}

/**
 * Auto-reveal's timer: the live hub calls this when a round's grace period is over (and whenever
 * presence moved on its own, a voter timing out). Reveals the round if every present voter still
 * has a complete vote and the time has come; starts or stops the grace period when that changed.
 */
export async function settleRoomAutoReveal(db: DB, input: { teamId: number; sessionId: number }) {
  return mutate(
    db,
    { ...input, allowEnded: true, bumpIf: (r: { changed: boolean }) => r.changed },
    async (trx, session) =>
      session.status === "open" ? settleAutoReveal(trx, session, "due") : { changed: false, revealed: false },
  );
}

/**
 * Shutdown of an instance: the participants whose streams were open there are away until their
 * browsers reconnect. No seq change (the others' heartbeat notices the presence change).
 */
export async function markAway(db: DB, participantIds: number[]) {
  if (!participantIds.length) return;
  await db
    .updateTable("pokerParticipants")
    .set({ leftAt: sql`now()` })
    .where("id", "in", participantIds)
    .where("leftAt", "is", null)
    .execute();
}

/**
 * Start-up: nobody is present but who reconnects. `keepSeenWithinMs` spares participants that
 * another live instance refreshed that recently (PostgreSQL with several instances); 0 clears all
 * (the embedded database: one process). Returns how many were marked away.
 */
export async function clearPresence(db: DB, input: { keepSeenWithinMs: number }) {
  const result = await db
    .updateTable("pokerParticipants")
    .set({ leftAt: sql`now()` })
    .where("leftAt", "is", null)
    .where("lastSeenAt", "<=", sql<Date>`now() - make_interval(secs => ${input.keepSeenWithinMs / 1000})`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Heartbeat: streams still open on this instance keep their participants present. No seq change. */
export async function touchPresence(db: DB, participantIds: number[]) {
  if (!participantIds.length) return;
  await db
    .updateTable("pokerParticipants")
    .set({ lastSeenAt: sql`now()`, leftAt: null })
    .where("id", "in", participantIds)
    .execute();
}

/**
 * For the live hub's heartbeat: per session, its change counter and who is present, in the same
 * form the hub remembers (`id:1|0` in participant order), so only rooms that changed are reloaded.
 */
export async function roomPulse(db: DB, sessionIds: number[]) {
  if (!sessionIds.length) return [];
  const ttl = PRESENCE_TTL_MS / 1000;
  const result = await sql<{ id: number; seq: number; presence: string | null }>`
    select s.id, s.seq,
      (select string_agg(p.id || ':' || (case when p.left_at is null and p.last_seen_at > now() - make_interval(secs => ${ttl}::int) then 1 else 0 end), ','
        order by p.created_at, p.id) from poker_participants p where p.session_id = s.id) as presence
    from poker_sessions s where s.id in (${sql.join(sessionIds)})
  `.execute(db);
  return result.rows.map((r) => ({ sessionId: r.id, seq: r.seq, presence: r.presence ?? "" }));
}

export async function takeOverFacilitator(
  db: DB,
  input: { teamId: number; sessionId: number; userId: number; name: string },
) {
  return mutate(db, input, async (trx, session) => {
    await trx.updateTable("pokerSessions").set({ facilitatorId: input.userId }).where("id", "=", session.id).execute();
    // The facilitator is always in the room; as an observer unless they joined to vote.
    await trx
      .insertInto("pokerParticipants")
      .values({
        sessionId: session.id,
        teamId: session.teamId,
        userId: input.userId,
        displayName: participantName(input.name),
        role: "observer",
      })
      .onConflict((oc) => oc.columns(["sessionId", "userId"]).doUpdateSet({ lastSeenAt: sql`now()`, leftAt: null }))
      .execute();
  });
}

// ---------------------------------------------------------------------------------------------------
// Voting

/** Per dimension: a card, null to clear it, or absent to leave it; `split` on or off (null: off). */
export type CardInput = Partial<Record<DimensionId, string | null>> & { split?: boolean | null };

/**
 * Auto-reveal, under the session lock. The current story's open round reveals by itself once every
 * present voter has a complete vote and AUTO_REVEAL_GRACE_MS have passed since the last change:
 * - "vote": a vote changed; while everyone has voted, the grace period (re)starts now;
 * - "presence": someone came or went; the grace period starts if it is not running, stops if the
 *   round is no longer complete;
 * - "due": as "presence", and the round reveals if its grace period is over.
 */
async function settleAutoReveal(
  trx: Trx,
  session: LockedSession,
  mode: "vote" | "presence" | "due",
): Promise<{ changed: boolean; revealed: boolean }> {
  const none = { changed: false, revealed: false };
  if (!session.autoReveal || session.currentItemId === null) return none;
  const round = await trx
    .selectFrom("pokerRounds as r")
    .innerJoin("pokerItems as i", "i.id", "r.itemId")
    .select([
      "r.id",
      "i.status as itemStatus",
      sql<boolean>`r.auto_reveal_at is not null`.as("armed"),
      sql<boolean>`r.auto_reveal_at <= now()`.as("due"),
    ])
    .where("r.itemId", "=", session.currentItemId)
    .whereRef("r.number", "=", "i.roundNumber")
    .where("r.status", "=", "voting")
    .executeTakeFirst();
  if (!round || round.itemStatus === "finalized") return none;
  const voters = await trx
    .selectFrom("pokerParticipants")
    .select(["id", "lastSeenAt", "leftAt", sql<Date>`now()`.as("now")])
    .where("sessionId", "=", session.id)
    .where("role", "=", "voter")
    .execute();
  const present = voters.filter((v) =>
    isPresent({ lastSeenAt: new Date(v.lastSeenAt).getTime(), leftAt: v.leftAt ? 1 : null }, new Date(v.now).getTime()),
  );
  const votes = (await trx
    .selectFrom("pokerVotes")
    .select(["roundId", "participantId", "dimension", "value"])
    .where("roundId", "=", round.id)
    .execute()) as StateVote[];
  const cast = ballots(votes, round.id);
  const complete =
    present.length > 0 &&
    present.every((v) => {
      const c = cast.get(v.id);
      return !!c && isComplete(c);
    });
  const rounds = trx.updateTable("pokerRounds").where("id", "=", round.id);
  if (!complete) {
    if (!round.armed) return none;
    await rounds.set({ autoRevealAt: null }).execute();
    return { changed: true, revealed: false };
  }
  if (mode === "due" && round.armed && round.due) {
    await rounds.set({ status: "revealed", revealedAt: sql`now()`, autoRevealAt: null }).execute();
    return { changed: true, revealed: true };
  }
  if (mode !== "vote" && round.armed) return none;
  const grace = sql<Date>`now() + make_interval(secs => ${AUTO_REVEAL_GRACE_MS / 1000})`;
  await rounds.set({ autoRevealAt: grace }).execute();
  return { changed: true, revealed: false };
}

/**
 * Writes a voter's cards for one round, each dimension its own row (unique per round, voter and
 * dimension). A dimension left out stays as it is; null clears it. `clientTs` orders one voter's
 * rapid changes: a request that arrives late with an older stamp does not overwrite a newer card.
 */
export async function castVote(
  db: DB,
  input: {
    teamId: number;
    sessionId: number;
    participantId: number;
    roundId: number;
    cards: CardInput;
    clientTs?: number;
  },
) {
  const scheme = await schemeOfSession(db, input.teamId, input.sessionId);
  if (!scheme) throw new PokerError("This poker session does not exist.", 404);
  const rows: { dimension: PokerVoteDimension; value: string | null }[] = [];
  for (const d of CARD_DIMENSIONS) {
    const value = input.cards[d];
    if (value === undefined) continue;
    if (value !== null && !isValidCard(scheme, d, value))
      throw new PokerError(`"${value}" is not a card of this deck.`, 400);
    rows.push({ dimension: d, value });
  }
  if (input.cards.split !== undefined) rows.push({ dimension: "split", value: input.cards.split ? SPLIT : null });
  const clientTs = Math.max(0, Math.floor(input.clientTs ?? Date.now()));

  return mutate(db, input, async (trx, session) => {
    // The round, its story, and the voter's role in this session, in one look.
    const round = await trx
      .selectFrom("pokerRounds as r")
      .innerJoin("pokerItems as i", "i.id", "r.itemId")
      .select((eb) => [
        "r.id",
        "r.itemId",
        "r.number",
        "r.status",
        "i.status as itemStatus",
        "i.roundNumber",
        eb
          .selectFrom("pokerParticipants as p")
          .select("p.role")
          .where("p.id", "=", input.participantId)
          .where("p.sessionId", "=", session.id)
          .as("voterRole"),
      ])
      .where("r.id", "=", input.roundId)
      .where("r.sessionId", "=", session.id)
      .executeTakeFirst();
    if (round?.voterRole !== "voter") {
      const role = await trx
        .selectFrom("pokerParticipants")
        .select("role")
        .where("id", "=", input.participantId)
        .where("sessionId", "=", session.id)
        .executeTakeFirst();
      if (role?.role !== "voter") throw new PokerError("Join the session as a voter to vote.", 403);
    }
    const open =
      round &&
      votingOpen({
        sessionStatus: session.status,
        allowAhead: session.allowAhead,
        isCurrent: session.currentItemId === round.itemId,
        itemStatus: round.itemStatus,
        roundStatus: round.status,
        isLatestRound: round.number === round.roundNumber,
      });
    if (!round || !open) {
      throw new PokerError(
        "Voting on this story is closed (it was revealed or moved on). Your vote was not changed.",
        409,
      );
    }
    if (rows.length) {
      await trx
        .insertInto("pokerVotes")
        .values(
          rows.map((row) => ({
            roundId: round.id,
            participantId: input.participantId,
            sessionId: session.id,
            teamId: session.teamId,
            ...row,
            clientTs,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(["roundId", "participantId", "dimension"])
            .doUpdateSet({
              value: (eb) => eb.ref("excluded.value"),
              clientTs: (eb) => eb.ref("excluded.clientTs"),
              updatedAt: sql`now()`,
            })
            .where("pokerVotes.clientTs", "<=", clientTs),
        )
        .execute();
    }
    // Auto-reveal never fires on the vote itself: a grace period starts, and a change within it restarts it.
    if (session.currentItemId === round.itemId) await settleAutoReveal(trx, session, "vote");
    return { revealed: false };
  });
}

/** Shows every vote of the current story's open round. */
export function revealRound(db: DB, input: { teamId: number; sessionId: number; userId: number; roundId?: number }) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    if (session.currentItemId === null) throw new PokerError("There is no story under discussion.", 409);
    const round = await trx
      .selectFrom("pokerRounds as r")
      .innerJoin("pokerItems as i", "i.id", "r.itemId")
      .select(["r.id", "r.status"])
      .where("r.itemId", "=", session.currentItemId)
      .whereRef("r.number", "=", "i.roundNumber")
      .executeTakeFirstOrThrow();
    if (input.roundId !== undefined && input.roundId !== round.id)
      throw new PokerError("That round is over already.", 409);
    if (round.status === "revealed") return;
    await trx
      .updateTable("pokerRounds")
      .set({ status: "revealed", revealedAt: sql`now()`, autoRevealAt: null })
      .where("id", "=", round.id)
      .execute();
  });
}

/** Opens a new round on the current story; earlier rounds (and their votes) stay as history. */
export function revote(db: DB, input: { teamId: number; sessionId: number; userId: number; itemId: number }) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    const item = await trx
      .selectFrom("pokerItems")
      .select(["id", "roundNumber"])
      .where("id", "=", input.itemId)
      .where("sessionId", "=", session.id)
      .executeTakeFirst();
    if (!item) throw new PokerError("That story is no longer in the queue.", 404);
    const round = await trx
      .selectFrom("pokerRounds")
      .select("status")
      .where("itemId", "=", item.id)
      .where("number", "=", item.roundNumber)
      .executeTakeFirstOrThrow();
    if (round.status !== "revealed") throw new PokerError("Reveal this round before starting another.", 409);
    const number = item.roundNumber + 1;
    await trx
      .insertInto("pokerRounds")
      .values({
        itemId: item.id,
        sessionId: session.id,
        teamId: session.teamId,
        number,
        timerEndsAt: session.currentItemId === item.id ? timerEnd(session.timerSeconds) : null,
      })
      .execute();
    // A re-vote on a finalized story re-opens it; its earlier estimate stays on record until replaced.
    await trx
      .updateTable("pokerItems")
      .set({ roundNumber: number, status: "pending" })
      .where("id", "=", item.id)
      .execute();
    return { number };
  });
}

/**
 * Records the agreed levels on the story (recordEstimate, source "session", with the round
 * history) and marks the story finalized in the room. `levels: null` marks it `split` instead.
 */
export async function finalizeItem(
  db: DB,
  input: { teamId: number; sessionId: number; userId: number; itemId: number; levels: Levels | null },
) {
  const state = await loadRoomState(db, input);
  if (!state) throw new PokerError("This poker session does not exist.", 404);
  if (state.session.status !== "open") throw new PokerError("This session has ended.", 409);
  if (state.session.facilitatorId !== input.userId)
    throw new PokerError("Only the facilitator can do that. Take over as facilitator first.", 403);
  const item = state.items.find((i) => i.id === input.itemId);
  if (!item) throw new PokerError("That story is no longer in the queue.", 404);
  const round = state.rounds.find((r) => r.itemId === item.id && r.number === item.roundNumber);
  if (round?.status !== "revealed") throw new PokerError("Reveal the votes before finalizing.", 409);

  let estimateId: number | null = null;
  if (input.levels) {
    for (const d of CARD_DIMENSIONS) {
      const value = input.levels[d];
      if (value === UNSURE || !isValidCard(state.scheme, d, value))
        throw new PokerError(`Pick a level for every dimension.`, 400);
    }
    try {
      const estimate = await recordEstimate(db, {
        teamId: input.teamId,
        storyId: item.storyId,
        levels: input.levels,
        source: "session",
        sessionId: input.sessionId,
        rounds: roundHistory(state, item.id),
        createdBy: input.userId,
      });
      if (!estimate) throw new PokerError("That story no longer exists.", 404);
      estimateId = estimate.id;
    } catch (error) {
      if (error instanceof UnknownLevelError) {
        throw new PokerError(
          "The team's sizing scheme changed during this session and no longer has these levels.",
          409,
        );
      }
      throw error;
    }
  }
  return mutate(db, { ...input, facilitator: input.userId }, async (trx) => {
    await trx
      .updateTable("pokerItems")
      .set(input.levels ? { status: "finalized", split: false, estimateId } : { status: "finalized", split: true })
      .where("id", "=", item.id)
      .where("sessionId", "=", input.sessionId)
      .execute();
    return { estimateId };
  });
}

// ---------------------------------------------------------------------------------------------------
// The queue

async function queueOf(trx: Trx, sessionId: number) {
  return trx
    .selectFrom("pokerItems")
    .select(["id", "status", "rank"])
    .where("sessionId", "=", sessionId)
    .orderBy("rank")
    .execute();
}

async function itemIn(trx: Trx, sessionId: number, itemId: number) {
  const item = await trx
    .selectFrom("pokerItems")
    .select(["id", "status"])
    .where("id", "=", itemId)
    .where("sessionId", "=", sessionId)
    .executeTakeFirst();
  if (!item) throw new PokerError("That story is no longer in the queue.", 404);
  return item;
}

/** Moves on to the next pending story in queue order (null when none is left: the summary). */
export function nextStory(db: DB, input: { teamId: number; sessionId: number; userId: number }) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    const next = nextPendingItem(await queueOf(trx, session.id), session.currentItemId);
    await makeCurrent(trx, session, next);
    return { itemId: next };
  });
}

/** Brings any story up for discussion now (a skipped one comes back). */
export function setCurrentItem(db: DB, input: { teamId: number; sessionId: number; userId: number; itemId: number }) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    await itemIn(trx, session.id, input.itemId);
    await makeCurrent(trx, session, input.itemId);
  });
}

export function skipItem(db: DB, input: { teamId: number; sessionId: number; userId: number; itemId: number }) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    const item = await itemIn(trx, session.id, input.itemId);
    if (item.status === "pending")
      await trx.updateTable("pokerItems").set({ status: "skipped" }).where("id", "=", item.id).execute();
    if (session.currentItemId === item.id) {
      await makeCurrent(trx, session, nextPendingItem(await queueOf(trx, session.id), item.id));
    }
  });
}

export function unskipItem(db: DB, input: { teamId: number; sessionId: number; userId: number; itemId: number }) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    const item = await itemIn(trx, session.id, input.itemId);
    if (item.status === "skipped")
      await trx.updateTable("pokerItems").set({ status: "pending" }).where("id", "=", item.id).execute();
    if (session.currentItemId === null) await makeCurrent(trx, session, item.id);
  });
}

/** Takes a story out of the queue (its rounds and votes go with it; a recorded estimate stays on the story). */
export function removeItem(db: DB, input: { teamId: number; sessionId: number; userId: number; itemId: number }) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    const item = await itemIn(trx, session.id, input.itemId);
    if (session.currentItemId === item.id) {
      const queue = await queueOf(trx, session.id);
      await makeCurrent(trx, session, nextPendingItem(queue, item.id));
    }
    await trx.deleteFrom("pokerItems").where("id", "=", item.id).execute();
  });
}

/**
 * Moves a story between two neighbours (ids as the facilitator saw them; null = the end): right
 * after `beforeId`, or right before `afterId` when it moved to the top. The session lock serialises
 * moves, so two facilitators can never pick the same rank.
 */
export function moveItem(
  db: DB,
  input: {
    teamId: number;
    sessionId: number;
    userId: number;
    itemId: number;
    beforeId: number | null;
    afterId: number | null;
  },
) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    await itemIn(trx, session.id, input.itemId);
    const others = (await queueOf(trx, session.id)).filter((i) => i.id !== input.itemId);
    const before = others.findIndex((i) => i.id === input.beforeId);
    const after = others.findIndex((i) => i.id === input.afterId);
    let index: number; // insert position among the others
    if (before >= 0) index = before + 1;
    else if (after >= 0) index = after;
    else if (input.beforeId === null && input.afterId === null) return;
    else return; // both neighbours vanished meanwhile: leave it where it is
    const rank = rankBetween(others[index - 1]?.rank ?? null, others[index]?.rank ?? null);
    await trx.updateTable("pokerItems").set({ rank }).where("id", "=", input.itemId).execute();
  });
}

/** Appends stories to the queue (ones already in it are left where they are). */
export function addStories(db: DB, input: { teamId: number; sessionId: number; userId: number; storyIds: number[] }) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    const queue = await queueOf(trx, session.id);
    const present = new Set(
      (await trx.selectFrom("pokerItems").select("storyId").where("sessionId", "=", session.id).execute()).map(
        (r) => r.storyId,
      ),
    );
    const storyIds = (await storiesOfTeam(trx, session.teamId, input.storyIds)).filter((id) => !present.has(id));
    let last = queue[queue.length - 1]?.rank ?? null;
    const ranks = storyIds.map(() => (last = rankBetween(last, null)));
    const ids = await insertItems(trx, session, storyIds, ranks);
    if (session.currentItemId === null && ids[0] !== undefined) await makeCurrent(trx, session, ids[0]);
    return { added: ids.length };
  });
}

export function updateSessionOptions(
  db: DB,
  input: {
    teamId: number;
    sessionId: number;
    userId: number;
    autoReveal: boolean;
    timerSeconds: number | null;
    allowAhead: boolean;
    name: string;
  },
) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    await trx
      .updateTable("pokerSessions")
      .set({
        autoReveal: input.autoReveal,
        timerSeconds: input.timerSeconds,
        allowAhead: input.allowAhead,
        name: input.name,
      })
      .where("id", "=", session.id)
      .execute();
    if (input.timerSeconds !== session.timerSeconds && session.currentItemId !== null) {
      await makeCurrent(trx, { ...session, timerSeconds: input.timerSeconds }, session.currentItemId);
    }
  });
}

/** Turns the guests' share link on (a new one) or off (guests already in keep voting). */
export function setGuestLink(db: DB, input: { teamId: number; sessionId: number; userId: number; enabled: boolean }) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    const guestKey = input.enabled ? (session.guestKey ?? newToken(18)) : null;
    await trx.updateTable("pokerSessions").set({ guestKey }).where("id", "=", session.id).execute();
  });
}

/** Ends the session: the room becomes its summary and guest access stops. */
export function endSession(db: DB, input: { teamId: number; sessionId: number; userId: number }) {
  return mutate(db, { ...input, facilitator: input.userId }, async (trx, session) => {
    await trx
      .updateTable("pokerSessions")
      .set({ status: "ended", endedAt: sql`now()` })
      .where("id", "=", session.id)
      .execute();
  });
}
