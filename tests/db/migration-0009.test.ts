import { randomBytes } from "node:crypto";
import { Migrator, sql, type Kysely } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type OpenedDatabase } from "~/utils/db.server";
import { migrations } from "../../db/migrations";

// Migration 0009 gives existing teams the 1-hour cache-write price only where their Anthropic rates
// still equal the prices the app seeded before it; a rate the team edited is left alone. Each
// engine: a fresh database migrated to 0008, two teams seeded with the old rate card, one rate of
// one team edited, then the rest of the migrations.

const databaseUrl = process.env.DATABASE_URL || undefined;

/** The card as teams were seeded before 0009 (USD / MTok): input, cache read, cache write, output. */
const OLD_CARD: [string, number, number, number, number][] = [
  ["claude-haiku-4-5", 1, 0.1, 1.25, 5],
  ["claude-sonnet-4-6", 3, 0.3, 3.75, 15],
  ["claude-opus-4-7", 5, 0.5, 6.25, 25],
];

async function exercise(db: Kysely<any>) {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const before = await migrator.migrateTo("0008_limit_spend_amounts");
  if (before.error) throw before.error;
  expect(before.results?.at(-1)?.migrationName).toBe("0008_limit_spend_amounts");

  const teamIds: number[] = [];
  for (const slug of ["kept-rates", "edited-rates"]) {
    const team = await sql<{
      id: number;
    }>`insert into teams (slug, name) values (${slug}, ${slug}) returning id`.execute(db);
    const teamId = Number(team.rows[0]!.id);
    teamIds.push(teamId);
    for (const [modelId, input, read, write, output] of OLD_CARD) {
      await sql`insert into model_rates (team_id, model_id, provider, tier, input_usd_per_mtok, cache_read_usd_per_mtok,
          cache_write_usd_per_mtok, output_usd_per_mtok)
        values (${teamId}, ${modelId}, 'anthropic', 'standard', ${input}, ${read}, ${write}, ${output})`.execute(db);
    }
  }
  const [kept, edited] = teamIds as [number, number];
  await sql`update model_rates set output_usd_per_mtok = 14 where team_id = ${edited} and model_id = 'claude-sonnet-4-6'`.execute(
    db,
  );

  const after = await migrator.migrateToLatest();
  if (after.error) throw after.error;

  const rates = async (teamId: number) => {
    const rows = await sql<{ m: string; w: string | number | null; out: string | number }>`
      select model_id as m, cache_write1h_usd_per_mtok as w, output_usd_per_mtok as out from model_rates
      where team_id = ${teamId} and model_id in ('claude-haiku-4-5', 'claude-sonnet-4-6', 'claude-opus-4-7')
      order by model_id`.execute(db);
    return rows.rows.map((r) => [r.m, r.w === null ? null : Number(r.w), Number(r.out)]);
  };
  // Unedited rates get the published 1-hour price (twice the input price).
  expect(await rates(kept)).toEqual([
    ["claude-haiku-4-5", 2, 5],
    ["claude-opus-4-7", 10, 25],
    ["claude-sonnet-4-6", 6, 15],
  ]);
  // The edited rate keeps its edit and gets no price the team did not choose; the others are updated.
  expect(await rates(edited)).toEqual([
    ["claude-haiku-4-5", 2, 5],
    ["claude-opus-4-7", 10, 25],
    ["claude-sonnet-4-6", null, 14],
  ]);
  // Both teams get the models added to the card.
  const added = await sql<{ n: string | number }>`select count(*) as n from model_rates
    where team_id = ${edited} and model_id in ('claude-opus-4-1', 'claude-sonnet-4', 'claude-3-5-haiku')`.execute(db);
  expect(Number(added.rows[0]!.n)).toBe(3);
}

describe("migration 0009's rate update [pglite]", () => {
  let opened: OpenedDatabase | undefined;
  afterAll(async () => opened?.close());
  it("prices 1-hour cache writes on unedited rates and leaves edited ones alone", async () => {
    opened = await openDatabase({ pgliteDir: null });
    await exercise(opened.db as Kysely<any>);
  }, 120_000);
});

describe.skipIf(!databaseUrl)("migration 0009's rate update [postgres]", () => {
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
  it("prices 1-hour cache writes on unedited rates and leaves edited ones alone", async () => {
    await admin(`create schema ${schema}`);
    opened = await openDatabase({ databaseUrl, searchPath: schema, poolSize: 2 });
    await exercise(opened.db as Kysely<any>);
  }, 120_000);
});
