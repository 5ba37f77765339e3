import { sql, type Kysely } from "kysely";

// Stories (ordered by text ranks under COLLATE "C", never floats), the team's versioned sizing
// scheme (an estimate freezes the version it used), estimates, and the team's rate card.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("teams")
    .addColumn("credit_value_usd", "numeric", (c) =>
      c
        .notNull()
        .defaultTo(0.01)
        .check(sql`credit_value_usd > 0`),
    )
    .execute();

  await db.schema
    .createTable("sizing_schemes")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("scheme", "jsonb", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("note", "text")
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("sizing_schemes_team_version_key", ["team_id", "version"])
    .execute();

  await db.schema
    .createTable("stories")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("key", "text")
    .addColumn("title", "text", (c) => c.notNull().check(sql`length(title) between 1 and 300`))
    .addColumn("link", "text")
    .addColumn("labels", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("backlog")
        .check(sql`status in ('backlog', 'estimated', 'committed', 'done')`),
    )
    .addColumn("rank", sql`text collate "C"`, (c) => c.notNull())
    .addColumn("estimate_id", "bigint")
    .addColumn("archived_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index stories_team_key_idx on stories (team_id, key) where key is not null`.execute(db);
  // Two people dropping into the same gap compute the same rank: the second insert fails and retries.
  await sql`create unique index stories_team_rank_idx on stories (team_id, rank)`.execute(db);

  await db.schema
    .createTable("estimates")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("story_id", "bigint", (c) => c.notNull().references("stories.id").onDelete("cascade"))
    .addColumn("scheme_id", "bigint", (c) => c.notNull().references("sizing_schemes.id"))
    .addColumn("intensity", "text", (c) => c.notNull())
    .addColumn("autonomy", "text", (c) => c.notNull())
    .addColumn("risk", "text", (c) => c.notNull())
    .addColumn("size", "text", (c) => c.notNull())
    .addColumn("expected_credits", "numeric", (c) => c.notNull())
    .addColumn("p80_credits", "numeric", (c) => c.notNull())
    .addColumn("band_low", "numeric", (c) => c.notNull())
    .addColumn("band_high", "numeric")
    .addColumn("source", "text", (c) => c.notNull().check(sql`source in ('solo', 'session')`))
    .addColumn("session_id", "bigint")
    .addColumn("rounds", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("estimates_story_idx").on("estimates").column("story_id").execute();
  await sql`alter table stories add constraint stories_estimate_fk foreign key (estimate_id) references estimates(id) on delete set null`.execute(
    db,
  );

  await db.schema
    .createTable("model_rates")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("model_id", "text", (c) => c.notNull())
    .addColumn("provider", "text")
    .addColumn("tier", "text")
    .addColumn("aliases", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("input_usd_per_mtok", "numeric", (c) => c.notNull().check(sql`input_usd_per_mtok >= 0`))
    .addColumn("cache_read_usd_per_mtok", "numeric")
    .addColumn("cache_write_usd_per_mtok", "numeric")
    .addColumn("output_usd_per_mtok", "numeric", (c) => c.notNull().check(sql`output_usd_per_mtok >= 0`))
    // null: in force from the beginning (the seeded list prices).
    .addColumn("effective_from", "date")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index model_rates_team_model_from_idx on model_rates (team_id, model_id, coalesce(effective_from, '-infinity'::date))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("model_rates").execute();
  await sql`alter table stories drop constraint stories_estimate_fk`.execute(db);
  await db.schema.dropTable("estimates").execute();
  await db.schema.dropTable("stories").execute();
  await db.schema.dropTable("sizing_schemes").execute();
  await db.schema.alterTable("teams").dropColumn("credit_value_usd").execute();
}
