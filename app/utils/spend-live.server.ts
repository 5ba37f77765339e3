// Live spend: when a team's spend changes (an import, an OpenTelemetry export, a budget extension),
// every open page of that team that shows spend — the dashboard, a sprint's burn-up, a story — hears
// about it over server-sent events and reloads its data (the page's loader decides what the viewer
// may see; the stream carries only "something changed"). Messages go through the pub/sub, so on
// PostgreSQL a page open on one instance hears spend that arrived at another.
import { registerStream } from "~/utils/stream-closers.server";
import { getPubSub } from "~/utils/pubsub.server";
import { hasSingleton } from "~/utils/singleton.server";

const CHANNEL = "spend";
const HEARTBEAT_MS = 15_000;
/** At most one "changed" per stream in this window: a burst of exports is one reload. */
const COALESCE_MS = 250;

/** Tells every instance's open pages that this team's spend changed (call after it committed). */
export function announceSpend(teamId: number): void {
  // Only in a running server: model tests and scripts have no pub/sub (and must not open one).
  if (!hasSingleton("services")) return;
  getPubSub()
    .then((pubsub) => pubsub.publish(CHANNEL, String(teamId)))
    .catch((error: Error) => console.error("[spend-live] publish failed:", error.message));
}

const encoder = new TextEncoder();

/** A text/event-stream that sends `event: spend` whenever the team's spend changes. */
export async function openSpendStream(request: Request, teamId: number): Promise<Response> {
  const pubsub = await getPubSub();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let pending: ReturnType<typeof setTimeout> | null = null;
  let seq = 0;
  const send = (chunk: string) => {
    if (closed) return;
    try {
      controller.enqueue(encoder.encode(chunk));
      if ((controller.desiredSize ?? 0) < -64) close();
    } catch {
      close();
    }
  };
  const changed = () => {
    if (pending || closed) return;
    pending = setTimeout(() => {
      pending = null;
      send(`id: ${++seq}\nevent: spend\ndata: {}\n\n`);
    }, COALESCE_MS);
  };
  const unsubscribe = pubsub.subscribe(CHANNEL, (message) => {
    if (Number(message) === teamId) changed();
  });
  // After an outage of the transport, messages may have been lost: tell the page to reload.
  const unresync = pubsub.onResync(changed);
  const heartbeat = setInterval(() => send(": heartbeat\n\n"), HEARTBEAT_MS);
  heartbeat.unref();
  let unregister = () => {};
  function close() {
    if (closed) return;
    closed = true;
    unsubscribe();
    unresync();
    unregister();
    clearInterval(heartbeat);
    if (pending) clearTimeout(pending);
    try {
      controller.close();
    } catch {
      // the client closed it
    }
  }
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel: close,
  });
  request.signal.addEventListener("abort", close, { once: true });
  unregister = registerStream(close);
  send("retry: 2000\n\n: connected\n\n");
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
