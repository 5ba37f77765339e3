// Every core (issue 15 item 9, decision 0023). With DATABASE_URL, `npm start` runs one worker per
// core (WEB_CONCURRENCY=N to choose) behind node:cluster on one port: sessions are rows in
// PostgreSQL signed with the shared SESSION_SECRET, and live poker rooms fan out through
// LISTEN/NOTIFY, so any worker can answer any request. The primary migrates, seeds the demo and
// sizes the pools once, before the workers start: workers × (pool + their own sessions) stays
// under the server's max_connections. The embedded database is one session in one process (the
// folder lock sees to that): it stays one process, and says so.
import { spawn } from "node:child_process";
import cluster, { type Worker } from "node:cluster";
import os from "node:os";
import { sql } from "kysely";
import { ensureDemo } from "./seed/demo";
import { hasAnyUser } from "~/models/user.server";
import { closeServices, getServices } from "~/utils/database-and-secrets.server";
import { readEnv } from "~/utils/env.server";

/** Connections a worker opens besides its pool: the LISTEN client, and a session per running import. */
const OWN_CONNECTIONS_PER_WORKER = 2;
/** The most a worker's pool needs (a page runs a handful of reads side by side). */
const MAX_POOL = 10;

export interface PoolPlan {
  workers: number;
  poolSize: number;
  maxConnections: number;
  available: number;
}

/**
 * How many workers and connections per worker fit: of `max_connections`, what the superuser
 * reserve and the connections already open elsewhere leave, with a fifth kept free for others
 * (migrations, psql, backups).
 */
export function planPools(input: {
  wanted: number;
  maxConnections: number;
  reserved: number;
  inUse: number;
}): PoolPlan {
  const available = Math.max(0, input.maxConnections - input.reserved - input.inUse);
  const budget = Math.floor(available * 0.8);
  let workers = Math.max(1, input.wanted);
  // At least two pooled connections per worker, or fewer workers.
  while (workers > 1 && Math.floor(budget / workers) - OWN_CONNECTIONS_PER_WORKER < 2) workers--;
  const poolSize = Math.max(1, Math.min(MAX_POOL, Math.floor(budget / workers) - OWN_CONNECTIONS_PER_WORKER));
  return { workers, poolSize, maxConnections: input.maxConnections, available };
}

/**
 * Seeds the demo into an empty embedded database from a short-lived process of its own. Seeding
 * (a few thousand spend entries through the import path) leaves ~80 MB of freed memory that the
 * C allocator keeps for the life of the process; a server that seeded itself idles at ~350 MB,
 * one that did not at ~270 MB (scripts/bench/memory.ts). A database with users is left alone.
 */
async function seedDemoApart(): Promise<void> {
  const services = await getServices();
  const empty = !(await hasAnyUser(services.db));
  await closeServices();
  if (!empty) return;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...process.env, TOKEN_POKER_SEED_ONLY: "1" },
    stdio: "inherit",
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`Seeding the demo failed (exit ${code}).`);
}

/** Starts the server: one process on the embedded database, a cluster of workers on PostgreSQL. */
export async function runServer(): Promise<void> {
  if (cluster.isWorker) {
    const { startServer } = await import("./server");
    await startServer();
    return;
  }
  const env = readEnv();
  const wanted = env.WEB_CONCURRENCY ?? os.availableParallelism();
  if (process.env.TOKEN_POKER_SEED_ONLY === "1") {
    // The child of seedDemoApart: seed, close the database (its folder lock), exit.
    await ensureDemo(await getServices(), { onlyIfEmpty: true });
    await closeServices();
    process.exit(0);
  }
  if (!env.DATABASE_URL) {
    console.log(
      "Embedded database: serving from one process (PGlite is one session in one process); " +
        "set DATABASE_URL to a PostgreSQL database to serve from every core.",
    );
    if (env.SEED_DEMO === "1") await seedDemoApart();
    const { startServer } = await import("./server");
    await startServer();
    return;
  }
  if (wanted === 1) {
    const { startServer } = await import("./server");
    await startServer();
    return;
  }
  // The primary: migrate (opening the services does), seed once, size the pools, then fork.
  const services = await getServices();
  if (env.SEED_DEMO === "1") await ensureDemo(services, { onlyIfEmpty: true });
  const { rows } = await sql<{ max: number; reserved: number; inUse: number }>`
    select current_setting('max_connections')::int as max,
           current_setting('superuser_reserved_connections')::int as reserved,
           (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as "inUse"`.execute(
    services.db,
  );
  await closeServices();
  const found = rows[0]!;
  const maxConnections = Number(process.env.DB_MAX_CONNECTIONS) || Number(found.max);
  const plan = planPools({
    wanted,
    maxConnections,
    reserved: Number(found.reserved),
    inUse: Math.max(0, Number(found.inUse) - 1),
  });
  console.log(
    `PostgreSQL: ${plan.workers} workers × ${plan.poolSize} pooled connections (+${OWN_CONNECTIONS_PER_WORKER} own each), ` +
      `max_connections ${plan.maxConnections}, ${plan.available} free at start`,
  );

  let stopping = false;
  const workerEnv = (n: number) => ({
    TOKEN_POKER_WORKER: String(n),
    TOKEN_POKER_WORKERS: String(plan.workers),
    DB_POOL_SIZE: String(plan.poolSize),
    // The demo is seeded (above); the first worker prints its login.
    SEED_DEMO: n === 1 ? env.SEED_DEMO : "0",
  });
  const numbers = new Map<Worker, number>();
  const fork = (n: number) => numbers.set(cluster.fork(workerEnv(n)), n);
  for (let n = 1; n <= plan.workers; n++) fork(n);
  cluster.on("exit", (worker, code, signal) => {
    const n = numbers.get(worker) ?? 0;
    numbers.delete(worker);
    if (stopping) {
      if (numbers.size === 0) process.exit(0);
      return;
    }
    console.error(`Worker ${n} stopped (${signal ?? code}); starting it again.`);
    setTimeout(() => fork(n), 500).unref();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping ${numbers.size} workers`);
    for (const worker of numbers.keys()) worker.process.kill("SIGTERM");
    // Each worker closes its streams and database within 5 s (scripts/server.ts).
    setTimeout(() => process.exit(1), 6000).unref();
    if (numbers.size === 0) process.exit(0);
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
