// The process's one database (opened, locked, migrated) and the secrets it keeps beside it; every route,
// script and the server entry reach them through getServices() / getDb().
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { dataDir, readEnv, type Env } from "~/utils/env.server";
import { migrateToLatest, openDatabase, type DB, type OpenedDatabase } from "~/utils/db.server";
import { forgetSingleton, singleton } from "~/utils/singleton.server";

export interface Services {
  env: Env;
  db: DB;
  database: OpenedDatabase;
  sessionSecret: string;
}

/**
 * Opens the database (taking the embedded folder's lock), migrates it and settles the session
 * secret. The server entry calls this first; routes reach the same instance through getServices().
 */
export async function openServices(env: Env = readEnv()): Promise<Services> {
  const database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    pgliteDir: env.PGLITE_DIR,
    poolSize: env.DB_POOL_SIZE,
  });
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return { env, db: database.db, database, sessionSecret: env.SESSION_SECRET ?? embeddedSessionSecret(env) };
}

export function getServices(): Promise<Services> {
  return singleton("services", () => openServices());
}

export async function getDb(): Promise<DB> {
  return (await getServices()).db;
}

export async function closeServices(): Promise<void> {
  const store = globalThis as unknown as { __tokenPoker?: Record<string, unknown> };
  const pending = store.__tokenPoker?.services as Promise<Services> | undefined;
  if (!pending) return;
  forgetSingleton("services");
  await (await pending).database.close();
}

/** Reads (or, the first time, writes) a file in the data folder: the embedded mode's own secrets. */
export function dataFileValue(env: Env, name: string, create: () => string): string {
  const file = path.join(dataDir(env), name);
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const value = create();
    fs.writeFileSync(file, value + "\n", { mode: 0o600 });
    return value;
  }
}

// Without DATABASE_URL there is one instance, so a random secret kept beside the database serves:
// sessions survive restarts and no one has to invent a secret to try the app.
function embeddedSessionSecret(env: Env): string {
  return dataFileValue(env, "session-secret", () => randomBytes(32).toString("base64url"));
}
