// The room's live connection: an EventSource on the room's stream, a full snapshot on every
// (re)connect, and our own reconnect with backoff where the browser gives up (an HTTP error, a
// restarting server) or a connection silently died (a laptop that slept: no heartbeat for 20 s).
import { useEffect, useState } from "react";
import type { RoomView } from "~/domain/poker";

export type LiveStatus = "connecting" | "live" | "reconnecting" | "ended";

/** Heartbeats arrive every 5 s; this much silence means the connection is gone. */
const SILENCE_MS = 20_000;
const MAX_BACKOFF_MS = 15_000;

/** Views are ordered by the session's change counter, then by the server time they were built. */
export function isNewer(a: RoomView, b: RoomView): boolean {
  return a.seq > b.seq || (a.seq === b.seq && a.at >= b.at);
}

export function useRoomLive(streamUrl: string, loaderView: RoomView) {
  // offset: server clock minus this browser's clock, for timers and "away for 2 minutes".
  const [state, setState] = useState({ view: loaderView, offset: 0 });
  const [status, setStatus] = useState<LiveStatus>("connecting");

  // Loader data (after an action, a navigation) replaces the view only when it is newer.
  useEffect(() => {
    setState((s) => (isNewer(loaderView, s.view) ? { view: loaderView, offset: loaderView.at - Date.now() } : s));
  }, [loaderView]);

  const ended = state.view.room.session.status === "ended";
  useEffect(() => {
    if (ended) {
      setStatus("ended");
      return;
    }
    let source: EventSource | null = null;
    let retryTimer: number | undefined;
    let attempt = 0;
    let lastHeard = Date.now();
    let disposed = false;

    const onSnapshot = (event: MessageEvent<string>) => {
      lastHeard = Date.now();
      attempt = 0;
      setStatus("live");
      const view = JSON.parse(event.data) as RoomView;
      setState((s) => (isNewer(view, s.view) ? { view, offset: view.at - Date.now() } : s));
    };
    const onPing = () => {
      lastHeard = Date.now();
    };
    const connect = () => {
      if (disposed) return;
      window.clearTimeout(retryTimer);
      source?.close();
      lastHeard = Date.now();
      const es = new EventSource(streamUrl);
      source = es;
      es.addEventListener("snapshot", onSnapshot as EventListener);
      es.addEventListener("ping", onPing);
      es.onerror = () => {
        if (source !== es) return;
        setStatus("reconnecting");
        // CONNECTING: the browser retries by itself. CLOSED (an HTTP error): it never will.
        if (es.readyState === EventSource.CLOSED) scheduleReconnect();
      };
    };
    const scheduleReconnect = () => {
      window.clearTimeout(retryTimer);
      source?.close();
      source = null;
      const delay = Math.min(500 * 2 ** attempt, MAX_BACKOFF_MS) * (0.75 + Math.random() * 0.5);
      attempt++;
      retryTimer = window.setTimeout(connect, delay);
    };
    const watchdog = window.setInterval(() => {
      if (source && Date.now() - lastHeard > SILENCE_MS) {
        setStatus("reconnecting");
        scheduleReconnect();
      }
    }, 5_000);
    // Back from sleep, from offline, or to a tab the browser had frozen: reconnect now.
    const wake = () => {
      if (document.visibilityState !== "visible") return;
      if (!source || source.readyState === EventSource.CLOSED || Date.now() - lastHeard > SILENCE_MS) {
        attempt = 0;
        connect();
      }
    };
    window.addEventListener("online", wake);
    window.addEventListener("pageshow", wake);
    document.addEventListener("visibilitychange", wake);
    connect();
    return () => {
      disposed = true;
      source?.close();
      window.clearTimeout(retryTimer);
      window.clearInterval(watchdog);
      window.removeEventListener("online", wake);
      window.removeEventListener("pageshow", wake);
      document.removeEventListener("visibilitychange", wake);
    };
  }, [streamUrl, ended]);

  return { view: state.view, offset: state.offset, status };
}

/** The server's clock, ticking: `at` of the view until hydrated (identical on server and client). */
export function useServerNow(view: RoomView, offset: number, everyMs = 1_000): number {
  const [now, setNow] = useState(view.at);
  useEffect(() => {
    setNow(Date.now() + offset);
    const timer = window.setInterval(() => setNow(Date.now() + offset), everyMs);
    return () => window.clearInterval(timer);
  }, [offset, everyMs]);
  return now;
}
