import { sql, type Kysely } from "kysely";

// Actual spend: entries imported from the tools teams use (or pushed through the API, or typed in
// by hand), the import log they came in with, a staging table that lets a large import stream in
// small batches, identity and session mappings for attribution, team API tokens, and the outcome
// note a story gets when it is done.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("team_api_tokens")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) between 1 and 100`))
    // Only the hash is kept: a database dump never holds a usable token.
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    // The first characters, so people can tell their tokens apart.
    .addColumn("token_prefix", "text", (c) => c.notNull())
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_used_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .addColumn("revoked_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .execute();
  await db.schema.createIndex("team_api_tokens_team_idx").on("team_api_tokens").column("team_id").execute();

  await db.schema
    .createTable("spend_imports")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("user_id", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("token_id", "bigint", (c) => c.references("team_api_tokens.id").onDelete("set null"))
    .addColumn("via", "text", (c) => c.notNull().check(sql`via in ('upload', 'cli', 'api', 'seed')`))
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("format", "text")
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("running")
        .check(sql`status in ('running', 'imported', 'rejected', 'failed')`),
    )
    .addColumn("skip_invalid", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("rows", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("imported", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("duplicates", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("overlapping", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("rejected", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("unattributed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("unpriced", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("credits", "numeric", (c) => c.notNull().defaultTo(0))
    .addColumn("by_story_key", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("unpriced_models", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("errors", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("warnings", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("started_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("finished_at", "timestamptz")
    .addColumn("undone_at", "timestamptz")
    .addColumn("undone_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .execute();
  await sql`create index spend_imports_team_started_idx on spend_imports (team_id, started_at desc)`.execute(db);

  const sources = sql`source in ('copilot-usage', 'copilot-premium', 'claude-jsonl', 'ccusage', 'litellm', 'generic-csv', 'api', 'manual')`;
  // No foreign keys on spend_entries: PostgreSQL checks a foreign key with a trigger per inserted
  // row (even for a null value), which doubled the time of a 200,000-row import. The same rules
  // hold through statement-level triggers on the referenced tables (below), which cost nothing
  // when entries are written.
  await db.schema
    .createTable("spend_entries")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull())
    .addColumn("occurred_at", "timestamptz", (c) => c.notNull())
    .addColumn("day", "date", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull().check(sources))
    .addColumn("model", "text")
    .addColumn("model_id", "text")
    .addColumn("input_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("cache_read_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("cache_write_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("output_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("cost_usd", "numeric")
    // null = unpriced: the model is not on the rate card yet; the tokens are kept for later.
    .addColumn("credits", "numeric")
    .addColumn("priced_by", "text", (c) => c.check(sql`priced_by in ('source', 'rate-card')`))
    .addColumn("pool_credits", "numeric")
    .addColumn("paid_credits", "numeric")
    .addColumn("external_user", "text")
    .addColumn("session_id", "text")
    .addColumn("repository", "text")
    // The story key found in the data (tag, branch, column). Resolved to a story when read, so a
    // row whose story does not exist yet attaches as soon as a story with that key appears.
    .addColumn("story_key", "text")
    // A person's assignment (inbox, by hand); a key in the data or a session mapping is stronger.
    .addColumn("story_id", "bigint")
    .addColumn("aggregated", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("dedupe_key", "text", (c) => c.notNull())
    // No foreign key: import rows are never deleted (only with their team, whose entries go too),
    // and a per-row key check would slow a 200,000-row import for nothing.
    .addColumn("import_id", "bigint")
    .addColumn("note", "text")
    .addColumn("created_by", "bigint")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("spend_entries_team_dedupe_key", ["team_id", "dedupe_key"])
    .execute();
  await sql`create index spend_entries_team_day_idx on spend_entries (team_id, day)`.execute(db);
  await sql`create index spend_entries_team_session_idx on spend_entries (team_id, session_id) where session_id is not null`.execute(
    db,
  );
  await sql`create index spend_entries_team_story_key_idx on spend_entries (team_id, story_key) where story_key is not null`.execute(
    db,
  );
  await sql`create index spend_entries_story_idx on spend_entries (story_id) where story_id is not null`.execute(db);
  await sql`create index spend_entries_import_idx on spend_entries (import_id) where import_id is not null`.execute(db);
  await sql`create index spend_entries_unpriced_idx on spend_entries (team_id) where credits is null`.execute(db);

  // The foreign keys' work, once per deleting statement: a team's entries go with it; a deleted
  // story or user leaves its entries unassigned.
  await sql`
    create function spend_entries_after_team_delete() returns trigger language plpgsql as $$
    begin
      delete from spend_entries e using gone g where e.team_id = g.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger spend_entries_team_delete after delete on teams referencing old table as gone
    for each statement execute function spend_entries_after_team_delete()`.execute(db);
  await sql`
    create function spend_entries_after_story_delete() returns trigger language plpgsql as $$
    begin
      update spend_entries e set story_id = null from gone g where e.story_id = g.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger spend_entries_story_delete after delete on stories referencing old table as gone
    for each statement execute function spend_entries_after_story_delete()`.execute(db);
  await sql`
    create function spend_entries_after_user_delete() returns trigger language plpgsql as $$
    begin
      update spend_entries e set created_by = null from gone g where e.created_by = g.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger spend_entries_user_delete after delete on users referencing old table as gone
    for each statement execute function spend_entries_after_user_delete()`.execute(db);

  // Rows of an import in progress. Parsing streams into here in small batches (each its own short
  // statement, so live poker rooms keep getting the embedded database's one connection); one short
  // transaction then moves them into spend_entries. Rows never outlive their import. No
  // constraints beyond the import id: checks happen on the way into spend_entries.
  // Unlogged: staged rows are scratch (a crash loses only imports that had not finished anyway), so
  // they skip the write-ahead log.
  await db.schema
    .createTable("spend_staging")
    .modifyFront(sql`unlogged`)
    .addColumn("import_id", "bigint", (c) => c.notNull())
    .addColumn("line", "integer", (c) => c.notNull())
    .addColumn("occurred_at", "timestamptz", (c) => c.notNull())
    .addColumn("day", "date", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("model", "text")
    .addColumn("model_id", "text")
    .addColumn("input_tokens", "bigint", (c) => c.notNull())
    .addColumn("cache_read_tokens", "bigint", (c) => c.notNull())
    .addColumn("cache_write_tokens", "bigint", (c) => c.notNull())
    .addColumn("output_tokens", "bigint", (c) => c.notNull())
    .addColumn("cost_usd", "numeric")
    .addColumn("credits", "numeric")
    .addColumn("priced_by", "text")
    .addColumn("pool_credits", "numeric")
    .addColumn("paid_credits", "numeric")
    .addColumn("external_user", "text")
    .addColumn("session_id", "text")
    .addColumn("repository", "text")
    .addColumn("story_key", "text")
    .addColumn("aggregated", "boolean", (c) => c.notNull())
    .addColumn("dedupe_key", "text", (c) => c.notNull())
    .addColumn("overlapping", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
  // No index: an import reads its own rows once, in one scan, and a unique key here cost more than
  // the whole merge. Repeated rows within a file are sorted out when they are merged.

  // A tool's user name or e-mail → a team member, once. Matched case-insensitively.
  await db.schema
    .createTable("spend_identities")
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("identity", "text", (c) => c.notNull().check(sql`identity = lower(btrim(identity)) and identity <> ''`))
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("spend_identities_pkey", ["team_id", "identity"])
    .execute();

  // A session assigned to a story: every entry of that session follows, including later ones.
  await db.schema
    .createTable("spend_session_stories")
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("session_id", "text", (c) => c.notNull())
    .addColumn("story_id", "bigint", (c) => c.notNull().references("stories.id").onDelete("cascade"))
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("spend_session_stories_pkey", ["team_id", "session_id"])
    .execute();

  // What a done story's spend bought: asked for when the story is marked done.
  await db.schema
    .createTable("story_outcomes")
    .addColumn("story_id", "bigint", (c) => c.primaryKey().references("stories.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("bought", "text", (c) => c.notNull().check(sql`length(bought) between 1 and 2000`))
    .addColumn("review_burden", "text", (c) =>
      c.notNull().check(sql`review_burden in ('none', 'light', 'moderate', 'heavy')`),
    )
    .addColumn("cause_tags", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("recorded_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("story_outcomes_team_idx").on("story_outcomes").column("team_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger spend_entries_team_delete on teams`.execute(db);
  await sql`drop trigger spend_entries_story_delete on stories`.execute(db);
  await sql`drop trigger spend_entries_user_delete on users`.execute(db);
  await sql`drop function spend_entries_after_team_delete(), spend_entries_after_story_delete(), spend_entries_after_user_delete()`.execute(
    db,
  );
  await db.schema.dropTable("story_outcomes").execute();
  await db.schema.dropTable("spend_session_stories").execute();
  await db.schema.dropTable("spend_identities").execute();
  await db.schema.dropTable("spend_staging").execute();
  await db.schema.dropTable("spend_entries").execute();
  await db.schema.dropTable("spend_imports").execute();
  await db.schema.dropTable("team_api_tokens").execute();
}
