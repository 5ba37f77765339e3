import { randomBytes } from "node:crypto";
import { Migrator, sql, type Kysely } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { getImportResults } from "~/models/spend.server";
import { openDatabase, type DB, type OpenedDatabase } from "~/utils/db.server";
import { migrations } from "../../db/migrations";

// Migration 0026 adds `spend_imports.details`. An import logged before it kept every sentence in
// `warnings`: after the migration it reads back with nothing listed as skipped or priced, its
// sentences still shown (as notes and in `warnings`), not doubled.
async function exercise(opened: OpenedDatabase) {
  const db = opened.db as Kysely<any>;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const before = await migrator.migrateTo("0015_create_tracker_connections");
  if (before.error) throw before.error;
  const team = await sql<{
    id: number;
  }>`insert into teams (slug, name) values ('old-log', 'Old log') returning id`.execute(db);
  const teamId = Number(team.rows[0]!.id);
  const sentences = ["1 unreadable line was skipped (line 7: not a JSON object).", "Priced from the rate card: gpt-5."];
  const logged = await sql<{ id: number }>`
      insert into spend_imports (team_id, via, file_name, format, status, rows, imported, rejected, warnings)
      values (${teamId}, 'cli', 'old.jsonl', 'claude-jsonl', 'imported', 8, 7, 1, ${JSON.stringify(sentences)}::jsonb)
      returning id`.execute(db);

  const after = await migrator.migrateToLatest();
  if (after.error) throw after.error;
  const [read] = await getImportResults(opened.db as DB, { teamId, importIds: [Number(logged.rows[0]!.id)] });
  expect(read).toMatchObject({
    file: "old.jsonl",
    rejected: 1,
    skipped: { count: 0, lines: [] },
    pricedFromFile: [],
    pricedFromRateCard: [],
    notes: sentences,
    warnings: sentences,
  });
}

const databaseUrl = process.env.DATABASE_URL || undefined;

describe("migration 0026's import details [pglite]", () => {
  let opened: OpenedDatabase | undefined;
  afterAll(async () => opened?.close());
  it("reads an import logged before it as it was, with empty details", async () => {
    opened = await openDatabase({ pgliteDir: null });
    await exercise(opened);
  }, 120_000);
});

describe.skipIf(!databaseUrl)("migration 0026's import details [postgres]", () => {
  const schema = `test_${randomBytes(6).toString("hex")}`;
  let opened: OpenedDatabase | undefined;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  afterAll(async () => {
    await opened?.close();
    await admin(`drop schema if exists ${schema} cascade`);
  });
  it("reads an import logged before it as it was, with empty details", async () => {
    await admin(`create schema ${schema}`);
    opened = await openDatabase({ databaseUrl, searchPath: schema, poolSize: 2 });
    await exercise(opened);
  }, 120_000);
});
