import { singleton } from "~/utils/singleton.server";

// Live streams (server-sent events) register a closer here so shutdown can end them promptly:
// an open stream would otherwise keep the HTTP server from closing.
const closers = () => singleton("stream-closers", () => new Set<() => void>());

export function registerStream(close: () => void): () => void {
  closers().add(close);
  return () => closers().delete(close);
}

export function closeAllStreams(): void {
  for (const close of [...closers()]) close();
  closers().clear();
}
