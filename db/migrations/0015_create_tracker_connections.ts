import { sql, type Kysely } from "kysely";

// A team's connections to its trackers (GitHub Issues, Jira Cloud): where, which project, the API
// token sealed with the session secret (never shown again), and whether estimates go back. Each
// attempt to write an estimate back is kept per story, so a failure shows there with a retry.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("tracker_connections")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('github', 'jira')`))
    .addColumn("base_url", "text", (c) => c.notNull().check(sql`length(base_url) between 8 and 200`))
    .addColumn("project", "text", (c) => c.notNull().check(sql`length(project) between 1 and 200`))
    .addColumn("account", "text")
    .addColumn("token_sealed", "text", (c) => c.notNull())
    .addColumn("push_mode", "text", (c) =>
      c
        .notNull()
        .defaultTo("off")
        .check(sql`push_mode in ('off', 'ask', 'always')`),
    )
    .addColumn("members_can_pull", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("tracker_connections_team_idx").on("tracker_connections").column("team_id").execute();

  await db.schema
    .createTable("tracker_pushes")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("story_id", "bigint", (c) => c.notNull().references("stories.id").onDelete("cascade"))
    .addColumn("connection_id", "bigint", (c) => c.notNull().references("tracker_connections.id").onDelete("cascade"))
    .addColumn("estimate_id", "bigint", (c) => c.references("estimates.id").onDelete("set null"))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending', 'done', 'failed')`))
    .addColumn("message", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("attempted_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index tracker_pushes_story_connection_idx on tracker_pushes (story_id, connection_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("tracker_pushes").execute();
  await db.schema.dropTable("tracker_connections").execute();
}
