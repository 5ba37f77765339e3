import { randomBytes } from "node:crypto";
import { Migrator, sql, type Kysely } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { acceptOrgInvite } from "~/models/organisation.server";
import { hashToken } from "~/utils/crypto.server";
import { openDatabase, type DB, type OpenedDatabase } from "~/utils/db.server";
import { migrations } from "../../db/migrations";

// Migration 0029 makes organisation invite links single-use. A link made before it is still open
// afterwards, and seats exactly one person like a new one.
async function exercise(opened: OpenedDatabase) {
  const db = opened.db as Kysely<any>;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const before = await migrator.migrateTo("0026_record_import_details");
  if (before.error) throw before.error;
  const user = async (name: string) =>
    Number(
      (
        await sql<{ id: number }>`insert into users (email, name, password_hash)
          values (${`${name}@example.com`}, ${name}, 'x') returning id`.execute(db)
      ).rows[0]!.id,
    );
  const [first, second] = [await user("first"), await user("second")];
  const org = await sql<{
    id: number;
  }>`insert into organisations (slug, name) values ('old-org', 'Old org') returning id`.execute(db);
  const token = "made-before-0029";
  const hash = hashToken(token);
  await sql`insert into organisation_invites (organisation_id, token_hash, role, expires_at)
    values (${org.rows[0]!.id}, ${hash}, 'viewer', now() + interval '7 days')`.execute(db);

  const after = await migrator.migrateToLatest();
  if (after.error) throw after.error;
  expect(await acceptOrgInvite(opened.db as DB, { token, userId: first })).toEqual({
    status: "joined",
    slug: "old-org",
  });
  expect(await acceptOrgInvite(opened.db as DB, { token, userId: second })).toEqual({ status: "used" });
}

const databaseUrl = process.env.DATABASE_URL || undefined;

describe("migration 0029's single-use org invites [pglite]", () => {
  let opened: OpenedDatabase | undefined;
  afterAll(async () => opened?.close());
  it("keeps a link made before it open for one person", async () => {
    opened = await openDatabase({ pgliteDir: null });
    await exercise(opened);
  }, 120_000);
});

describe.skipIf(!databaseUrl)("migration 0029's single-use org invites [postgres]", () => {
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
  it("keeps a link made before it open for one person", async () => {
    await admin(`create schema ${schema}`);
    opened = await openDatabase({ databaseUrl, searchPath: schema, poolSize: 2 });
    await exercise(opened);
  }, 120_000);
});
