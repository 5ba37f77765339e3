// The room's live stream (server-sent events): a full snapshot of what this viewer may see on
// connect and after every change, a heartbeat every 15 s. See app/server/poker-live.server.ts.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseSessionId, requirePokerAccess } from "~/server/poker-access.server";
import { openRoomStream } from "~/server/poker-live.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const sessionId = parseSessionId(params.id);
  const { team, viewer } = await requirePokerAccess(request, params.team, sessionId, "observer");
  // The socket's close, not request.signal: the latter can be lost to a garbage collection.
  return openRoomStream(context.connectionClosed ?? request.signal, { teamId: team.id, sessionId, viewer });
}
