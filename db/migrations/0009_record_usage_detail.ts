import { sql, type Kysely } from "kysely";

// What the spend importers need to agree with the tools' own totals (issue 14):
// - rate cards get a 1-hour cache-write price; existing teams get the new published figures and the
//   older Claude models real transcripts still name, while any rate a team edited is left alone;
// - entries record 1-hour cache writes, fast mode, and how complete a streamed line was (so the most
//   complete copy of a Claude Code call wins, and a grown transcript updates its entries);
// - the values an import replaced are kept, so undoing that import puts them back;
// - Copilot rows that share day, user, model and SKU within one report all count (occurrence keys),
//   and rows of other products (Spark) are tagged with it.

/** The seeded prices before this migration (USD / MTok): a row still equal to them was never edited. */
const UNEDITED: Record<string, { input: number; read: number; write: number; output: number; write1h: number }> = {
  "claude-haiku-4-5": { input: 1, read: 0.1, write: 1.25, output: 5, write1h: 2 },
  "claude-sonnet-4-6": { input: 3, read: 0.3, write: 3.75, output: 15, write1h: 6 },
  "claude-sonnet-5": { input: 2, read: 0.2, write: 2.5, output: 10, write1h: 4 },
  "claude-opus-4-7": { input: 5, read: 0.5, write: 6.25, output: 25, write1h: 10 },
  "claude-opus-5": { input: 5, read: 0.5, write: 6.25, output: 25, write1h: 10 },
};

/** Models added to the published card: given to every team that has no rate for them yet. */
const ADDED = [
  {
    id: "claude-opus-4-1",
    tier: "frontier",
    aliases: [
      "claude-opus-4-1-20250805",
      "claude-opus-4",
      "claude-opus-4-20250514",
      "Claude Opus 4.1",
      "Claude Opus 4",
    ],
    input: 15,
    read: 1.5,
    write: 18.75,
    write1h: 30,
    output: 75,
  },
  {
    id: "claude-sonnet-4",
    tier: "standard",
    aliases: [
      "claude-sonnet-4-20250514",
      "claude-3-7-sonnet-20250219",
      "claude-3-7-sonnet-latest",
      "Claude Sonnet 4",
      "Claude Sonnet 3.7",
    ],
    input: 3,
    read: 0.3,
    write: 3.75,
    write1h: 6,
    output: 15,
  },
  {
    id: "claude-3-5-haiku",
    tier: "light",
    aliases: ["claude-3-5-haiku-20241022", "claude-3-5-haiku-latest", "Claude Haiku 3.5"],
    input: 0.8,
    read: 0.08,
    write: 1,
    write1h: 1.6,
    output: 4,
  },
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("model_rates").addColumn("cache_write1h_usd_per_mtok", "numeric").execute();
  await sql`alter table model_rates add constraint model_rates_cache_write1h_check
    check (cache_write1h_usd_per_mtok is null or cache_write1h_usd_per_mtok >= 0)`.execute(db);

  for (const [modelId, p] of Object.entries(UNEDITED)) {
    await sql`update model_rates set cache_write1h_usd_per_mtok = ${p.write1h}
      where model_id = ${modelId} and effective_from is null
        and input_usd_per_mtok = ${p.input} and cache_read_usd_per_mtok = ${p.read}
        and cache_write_usd_per_mtok = ${p.write} and output_usd_per_mtok = ${p.output}`.execute(db);
  }
  for (const m of ADDED) {
    await sql`insert into model_rates (team_id, model_id, provider, tier, aliases, input_usd_per_mtok,
        cache_read_usd_per_mtok, cache_write_usd_per_mtok, cache_write1h_usd_per_mtok, output_usd_per_mtok)
      select t.id, ${m.id}, 'anthropic', ${m.tier}, ${m.aliases}::text[], ${m.input}, ${m.read}, ${m.write},
             ${m.write1h}, ${m.output}
      from teams t
      where not exists (select 1 from model_rates r where r.team_id = t.id and r.model_id = ${m.id})`.execute(db);
  }

  for (const table of ["spend_entries", "spend_staging"]) {
    await db.schema
      .alterTable(table)
      .addColumn("cache_write1h_tokens", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("fast", "boolean", (c) => c.notNull().defaultTo(false))
      .addColumn("usage_rank", "numeric")
      // The billing product when it is not the source's own (Copilot reports' spark rows).
      .addColumn("product", "text")
      .execute();
  }
  // Copilot rows are keyed by their values plus their occurrence among identical rows of a report.
  await sql`update spend_entries set dedupe_key = dedupe_key || '#1'
    where source in ('copilot-usage', 'copilot-premium') and dedupe_key !~ '#[0-9]+$'`.execute(db);
  // Entries imported before: a main-chain line, ranked by its token total (see `claudeUsageRank`).
  await sql`update spend_entries
    set usage_rank = 18446744073709551616::numeric + 2 * (input_tokens + cache_read_tokens + cache_write_tokens + output_tokens)
    where source = 'claude-jsonl'`.execute(db);

  // The values an import replaced: put back when that import is undone.
  await db.schema
    .createTable("spend_entry_versions")
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("entry_id", "bigint", (c) => c.notNull())
    // The import whose values replaced these.
    .addColumn("import_id", "bigint", (c) => c.notNull())
    // The entry's row as it was (to_jsonb of spend_entries).
    .addColumn("previous", "jsonb", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("spend_entry_versions_pkey", ["entry_id", "import_id"])
    .execute();
  await sql`create index spend_entry_versions_import_idx on spend_entry_versions (team_id, import_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("spend_entry_versions").execute();
  for (const table of ["spend_entries", "spend_staging"]) {
    await db.schema
      .alterTable(table)
      .dropColumn("cache_write1h_tokens")
      .dropColumn("fast")
      .dropColumn("usage_rank")
      .dropColumn("product")
      .execute();
  }
  await db.schema.alterTable("model_rates").dropColumn("cache_write1h_usd_per_mtok").execute();
}
