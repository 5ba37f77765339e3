import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import { namingStatements } from "~/utils/pg-statements.server";
import { statementCache, type StatementCache } from "~/utils/pglite-statements.server";
import pg from "pg";
import { migrations } from "../../db/migrations/index";
import type { Database } from "../../db/schema";
import { lockFolder } from "~/utils/pglite-lock.server";
import { singleton } from "~/utils/singleton.server";
import { noteQueryError, noteQuerySuccess } from "~/utils/db-health.server";

export type DB = Kysely<Database>;
export type DatabaseKind = "postgres" | "pglite";

// Both drivers must hand the app the same JavaScript types: counts and credits as numbers (int8 and
// numeric arrive as strings by default), calendar dates as 'YYYY-MM-DD' strings (pg would make a
// Date at local midnight, which shifts across time zones). Timestamps stay Date on both.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const parsers: Record<number, (value: string) => unknown> = {
  [INT8]: (v) => Number(v),
  [NUMERIC]: (v) => Number(v),
  [DATE]: (v) => v,
};

export interface OpenedDatabase {
  db: DB;
  kind: DatabaseKind;
  /** Present for the embedded database: the raw PGlite instance (dumps, LISTEN). */
  pglite?: PGlite;
  /** Present for the embedded database: what runs every statement Kysely sends to it. */
  statements?: StatementCache;
  /** Present for PostgreSQL: the pool (LISTEN needs a dedicated client). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string;
  /** Folder for the embedded database; null opens an in-memory one. */
  pgliteDir?: string | null;
  /** Start the in-memory database from a dump (tests clone a migrated template this way). */
  loadDataDir?: Blob;
  /** PostgreSQL schema to work in (tests give each file its own). */
  searchPath?: string;
  poolSize?: number;
}

export class DamagedDataFolderError extends Error {
  constructor(folder: string, cause: unknown) {
    super(
      `The embedded database in ${folder} could not be opened (${cause instanceof Error ? cause.message : String(cause)}). ` +
        `The folder may be damaged. Nothing was changed: restore it with 'npm run db:restore', ` +
        `or move it away to start with an empty database.`,
      { cause },
    );
    this.name = "DamagedDataFolderError";
  }
}

// How to open a session of one's own on each PostgreSQL database opened here (see withOwnSession).
// A singleton: the server entry opens the database, and the built app (its own copy of this
// module) is what asks.
const ownSessions = singleton("ownDatabaseSessions", () => new WeakMap<Kysely<Database>, () => Kysely<Database>>());
const embedded = singleton("embeddedDatabases", () => new WeakSet<Kysely<Database>>());

/**
 * Whether `db` is the embedded database, whose statements run on this process's own thread: long
 * tasks there go in smaller statements with the event loop let through between them.
 */
export function isEmbedded(db: DB): boolean {
  return embedded.has(db);
}

/**
 * Runs `fn` on a database session of its own, for state that must last exactly as long as a task
 * and die with the process — a session-level advisory lock. On PostgreSQL that is a connection
 * outside the pool (holding a pooled one for the length of an upload would starve the pages); on
 * the embedded database, the one session there is.
 */
export async function withOwnSession<T>(db: DB, fn: (session: DB) => Promise<T>): Promise<T> {
  if (embedded.has(db)) return fn(db);
  const open = ownSessions.get(db);
  if (!open) return db.connection().execute(fn);
  const own = open();
  try {
    return await own.connection().execute(fn);
  } finally {
    await own.destroy();
  }
}

export async function openDatabase(options: OpenOptions): Promise<OpenedDatabase> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPglite(options);
}

function openPostgres(connectionString: string, options: OpenOptions): OpenedDatabase {
  const poolOf = (max: number) => {
    const pool = new pg.Pool({
      connectionString,
      max,
      // Fail fast when the server is unreachable: a page should say so, not hang.
      connectionTimeoutMillis: 3000,
      // JIT compilation costs ~0.5 s on aggregation queries that run in milliseconds from indexes.
      options: ["-c jit=off", options.searchPath ? `-c search_path=${options.searchPath}` : ""].join(" ").trim(),
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          parsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // A client losing its server (restart, network cut, pg_terminate_backend) emits 'error', and
    // an 'error' nobody listens to ends the process. The pool listens only while a client is idle
    // (that is the pool's 'error' event); a checked-out one (a query, a transaction, the import's
    // own session) needs its own listener for its whole life. Its query fails with a clear error,
    // and the pool drops the broken client when it comes back (it is no longer queryable).
    // Each lost connection is logged once, by the client's own listener.
    pool.on("error", () => {});
    pool.on("connect", (client) => {
      client.on("error", (error) => console.error("[db] PostgreSQL connection lost:", error.message));
    });
    return pool;
  };
  const kysely = (pool: pg.Pool) =>
    new Kysely<Database>({
      dialect: new PostgresDialect({ pool: namingStatements(pool) as unknown as pg.Pool }),
      plugins: [new CamelCasePlugin()],
      log: (event) => (event.level === "error" ? noteQueryError(event.error) : noteQuerySuccess()),
    });
  const pool = poolOf(options.poolSize ?? 10);
  const db = kysely(pool);
  ownSessions.set(db, () => kysely(poolOf(1)));
  return { db, kind: "postgres", pool, close: () => db.destroy() };
}

/** See openPglite. */
const PGLITE_SHARED_BUFFERS = "32MB";

async function openPglite(options: OpenOptions): Promise<OpenedDatabase> {
  const folder = options.pgliteDir ?? null;
  const unlock = folder ? lockFolder(folder) : () => {};
  let pglite: PGlite;
  try {
    // PGlite runs initdb on a folder without PG_VERSION: over a damaged folder that would be a
    // silent reset, so a non-empty folder must already look like a database.
    if (folder && !looksLikeDatabaseFolder(folder)) throw new Error("PG_VERSION is missing");
    const pgliteOptions = {
      parsers,
      loadDataDir: options.loadDataDir,
      // PostgreSQL's default 128 MB of shared buffers lives in PGlite's WebAssembly memory, which
      // grows to hold them (128 → 188 MB) and never shrinks; the pages are also in the OS's file
      // cache, so a smaller pool costs a copy, not a disk read (issue 15: the idle server's RSS).
      startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    };
    // PGlite reads `new PGlite(undefined, options)` as "no options": pass them alone for in-memory.
    pglite = folder ? new PGlite(folder, pgliteOptions) : new PGlite(pgliteOptions);
    await pglite.waitReady;
    await pglite.query("select 1");
  } catch (error) {
    unlock();
    throw folder ? new DamagedDataFolderError(folder, error) : error;
  }
  // The dialect needs only these two of PGlite's methods; statements go through the cache.
  const statements = statementCache(pglite);
  const client = {
    query: (text: string, params: unknown[]) => statements.query(text, params),
    close: () => pglite.close(),
  } as unknown as PGlite;
  const db = new Kysely<Database>({
    // PGlite is one connection: this dialect hands it to one caller at a time, so a query from one
    // request never runs inside another request's open transaction (tests/db/driver-parity.test.ts).
    dialect: new PGliteDialect(client),
    plugins: [new CamelCasePlugin()],
  });
  embedded.add(db);
  return {
    db,
    kind: "pglite",
    pglite,
    statements,
    close: async () => {
      await db.destroy();
      unlock();
    },
  };
}

function looksLikeDatabaseFolder(folder: string): boolean {
  if (!fs.existsSync(folder) || fs.readdirSync(folder).length === 0) return true;
  return fs.existsSync(path.join(folder, "PG_VERSION"));
}

// Migrations take Kysely<any> by Kysely's own advice (they must not depend on today's schema types).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === "Error") console.error(`[db] migration ${r.migrationName} failed`);
  }
  if (error) throw error;
}
