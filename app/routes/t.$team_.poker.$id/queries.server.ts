// Model reads the room's action composes; no SQL here (it lives in app/models).
import type { Viewer } from "~/domain/poker";
import { getParticipantId, PokerError } from "~/models/poker.server";
import type { DB } from "~/utils/db.server";

export async function participantIdOf(db: DB, teamId: number, sessionId: number, viewer: Viewer) {
  if (viewer.kind === "guest") return viewer.participantId;
  const id = await getParticipantId(db, { teamId, sessionId, userId: viewer.userId });
  if (id === null) throw new PokerError("Join the session as a voter to vote.", 403);
  return id;
}
