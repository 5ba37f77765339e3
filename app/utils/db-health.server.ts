import { singleton } from "~/utils/singleton.server";

// Whether the database was last seen unreachable. Set from the driver's error log, cleared by the
// next query that succeeds; while set, the server answers 503 with a clear page instead of
// rendering pages that would fail halfway.
const state = () => singleton("db-health", () => ({ down: false, since: 0, lastSuccessAt: 0 }));

/**
 * pg-pool's error for a request that waited its whole connectionTimeoutMillis for one of the
 * pool's connections: every connection was busy. A connection that could not be opened fails
 * differently ("Connection terminated due to connection timeout", ECONNREFUSED, …).
 */
const POOL_WAIT_TIMEOUT = /timeout exceeded when trying to connect/i;
/** A pool wait that times out while queries kept succeeding this recently is load, not an outage. */
const BUSY_WINDOW_MS = 3000;

const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "08000",
  "08003",
  "08006",
  "08001",
  "08004",
]);

export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && CONNECTION_ERROR_CODES.has(e.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    e.message ?? "",
  );
}

export function noteQueryError(error: unknown): void {
  if (!isConnectionError(error)) return;
  const s = state();
  // Under a crowd (the mixed workload on a cluster) requests can wait out the pool's timeout while
  // the database answers every query it gets: calling that an outage turned every page into the
  // 503 "can't reach its database" page until the next query succeeded.
  if (POOL_WAIT_TIMEOUT.test((error as Error).message ?? "") && Date.now() - s.lastSuccessAt < BUSY_WINDOW_MS) return;
  if (!s.down) {
    s.down = true;
    s.since = Date.now();
    console.error(`[db] database unreachable: ${(error as Error).message}`);
  }
}

export function noteQuerySuccess(): void {
  const s = state();
  s.lastSuccessAt = Date.now();
  if (s.down) {
    s.down = false;
    console.log(`[db] database reachable again after ${((Date.now() - s.since) / 1000).toFixed(1)} s`);
  }
}

export function isDatabaseDown(): boolean {
  return state().down;
}
