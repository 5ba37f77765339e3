import { sql, type Kysely } from "kysely";

// Agents in the loop (issue 18): spend that arrives over OpenTelemetry (a source and an import
// channel of its own), which signal each agent session used (per-call events or metrics, never
// both), ingest tokens that are scoped and may belong to one person, a team's choice of failing
// closed in the budget guard, and the budget extensions a manager grants a stopped story.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table spend_entries drop constraint spend_entries_source_check`.execute(db);
  await sql`alter table spend_entries add constraint spend_entries_source_check check (source in
    ('copilot-usage', 'copilot-premium', 'claude-jsonl', 'ccusage', 'litellm', 'generic-csv', 'api', 'manual', 'otlp'))`.execute(
    db,
  );
  await sql`alter table spend_imports drop constraint spend_imports_via_check`.execute(db);
  await sql`alter table spend_imports add constraint spend_imports_via_check
    check (via in ('upload', 'cli', 'api', 'seed', 'otlp'))`.execute(db);

  // 'team': pushes spend and reads the budget guard; 'ingest': pushes only (OTLP, the spend API, the
  // hook's decision), never reads a figure back. A person's ingest token names them (user_id).
  await db.schema
    .alterTable("team_api_tokens")
    .addColumn("scope", "text", (c) =>
      c
        .notNull()
        .defaultTo("team")
        .check(sql`scope in ('team', 'ingest')`),
    )
    .execute();
  await db.schema
    .alterTable("team_api_tokens")
    .addColumn("user_id", "bigint", (c) => c.references("users.id").onDelete("cascade"))
    .execute();

  // What the guard answers when it cannot decide (unknown story, an error): continue (default) or stop.
  await db.schema
    .alterTable("teams")
    .addColumn("guard_fail_closed", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();

  // The signal an OpenTelemetry session's spend came from. Per-call events win: once a session sends
  // them, its metric-derived entries are removed and its later metrics are ignored.
  await db.schema
    .createTable("otlp_sessions")
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("session_id", "text", (c) => c.notNull())
    .addColumn("signal", "text", (c) => c.notNull().check(sql`signal in ('events', 'metrics')`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("otlp_sessions_pkey", ["team_id", "session_id"])
    .execute();

  // Credits a manager added to a story's budget (over its p80), with the reason the retro shows.
  await db.schema
    .createTable("budget_extensions")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("story_id", "bigint", (c) => c.notNull().references("stories.id").onDelete("cascade"))
    .addColumn("sprint_id", "bigint", (c) => c.references("sprints.id").onDelete("set null"))
    .addColumn("credits", "numeric", (c) => c.notNull().check(sql`credits > 0 and credits <= 1000000000`))
    .addColumn("reason", "text", (c) => c.notNull().check(sql`length(reason) between 1 and 500`))
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("budget_extensions_story_idx")
    .on("budget_extensions")
    .columns(["team_id", "story_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("budget_extensions").execute();
  await db.schema.dropTable("otlp_sessions").execute();
  await db.schema.alterTable("teams").dropColumn("guard_fail_closed").execute();
  await db.schema.alterTable("team_api_tokens").dropColumn("user_id").execute();
  await db.schema.alterTable("team_api_tokens").dropColumn("scope").execute();
  await sql`delete from spend_entries where source = 'otlp'`.execute(db);
  await sql`update spend_imports set via = 'api' where via = 'otlp'`.execute(db);
  await sql`alter table spend_imports drop constraint spend_imports_via_check`.execute(db);
  await sql`alter table spend_imports add constraint spend_imports_via_check
    check (via in ('upload', 'cli', 'api', 'seed'))`.execute(db);
  await sql`alter table spend_entries drop constraint spend_entries_source_check`.execute(db);
  await sql`alter table spend_entries add constraint spend_entries_source_check check (source in
    ('copilot-usage', 'copilot-premium', 'claude-jsonl', 'ccusage', 'litellm', 'generic-csv', 'api', 'manual'))`.execute(
    db,
  );
}
