import fs from "node:fs";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, inject } from "vitest";
import { migrateToLatest, openDatabase, type DB, type DatabaseKind, type OpenedDatabase } from "~/utils/db.server";

export interface TestDatabase {
  kind: DatabaseKind;
  /** Valid inside tests and hooks (set in beforeAll). */
  db: DB;
  opened: OpenedDatabase;
}

const databaseUrl = process.env.DATABASE_URL || undefined;

/**
 * Declares the suite once per engine: an in-memory PGlite cloned from the migrated template, and,
 * when DATABASE_URL is set, a PostgreSQL schema of this file's own (reported as skipped otherwise).
 */
export function describeDb(name: string, body: (t: TestDatabase) => void): void {
  describe(`${name} [pglite]`, () => {
    const t = {} as TestDatabase;
    t.kind = "pglite";
    beforeAll(async () => {
      const tar = fs.readFileSync(inject("pgliteTemplate"));
      t.opened = await openDatabase({ pgliteDir: null, loadDataDir: new Blob([tar]) });
      t.db = t.opened.db;
    });
    afterAll(async () => t.opened?.close());
    body(t);
  });

  describe.skipIf(!databaseUrl)(`${name} [postgres]`, () => {
    const t = {} as TestDatabase;
    t.kind = "postgres";
    const schema = `test_${randomBytes(6).toString("hex")}`;
    beforeAll(async () => {
      await withAdminClient((c) => c.query(`create schema ${schema}`));
      t.opened = await openDatabase({ databaseUrl, searchPath: schema, poolSize: 4 });
      t.db = t.opened.db;
      await migrateToLatest(t.db);
    });
    afterAll(async () => {
      await t.opened?.close();
      await withAdminClient((c) => c.query(`drop schema if exists ${schema} cascade`));
    });
    body(t);
  });
}

async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
