import { sql, type Kysely } from "kysely";

// Sprints with a capacity in AI credits (a number, or seats × plan prorated to the sprint), the
// stories committed to them, per-member allocations, over-capacity approval requests, an audit trail
// of what happened to the sprint, the burn alerts already raised (each threshold alerts once), and
// the team's webhook for those alerts. Text + CHECK instead of enum types; credits are numeric.
export async function up(db: Kysely<any>): Promise<void> {
  // Slack-compatible incoming webhook for burn alerts; null = no webhook.
  await db.schema.alterTable("teams").addColumn("webhook_url", "text").execute();

  await db.schema
    .createTable("sprints")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    .addColumn("goal", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("start_date", "date", (c) => c.notNull())
    .addColumn("end_date", "date", (c) => c.notNull())
    // How capacity is set: a plain number of credits, or the pool calculator's inputs (the credits
    // are recomputed from seats, plan and dates so editing the dates re-prorates the pool).
    .addColumn("capacity_kind", "text", (c) =>
      c
        .notNull()
        .defaultTo("credits")
        .check(sql`capacity_kind in ('credits', 'pool')`),
    )
    .addColumn("capacity_credits", "numeric", (c) => c.check(sql`capacity_credits >= 0`))
    .addColumn("pool_plan", "text", (c) =>
      c.check(sql`pool_plan in ('copilot-business', 'copilot-enterprise', 'custom')`),
    )
    .addColumn("pool_seats", "integer", (c) => c.check(sql`pool_seats >= 0`))
    .addColumn("pool_per_seat", "numeric", (c) => c.check(sql`pool_per_seat >= 0`))
    .addColumn("reserve_percent", "numeric", (c) =>
      c
        .notNull()
        .defaultTo(10)
        .check(sql`reserve_percent between 0 and 100`),
    )
    .addColumn("commit_basis", "text", (c) =>
      c
        .notNull()
        .defaultTo("expected")
        .check(sql`commit_basis in ('expected', 'p80')`),
    )
    .addColumn("exhaustion_policy", "text", (c) =>
      c
        .notNull()
        .defaultTo("warn")
        .check(sql`exhaustion_policy in ('warn', 'approval', 'hard-stop')`),
    )
    .addColumn("closed_at", "timestamptz")
    .addColumn("closed_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    // Frozen at close for the retrospective: capacity and every commitment with its estimate.
    .addColumn("snapshot", "jsonb")
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("sprints_dates_check", sql`end_date >= start_date`)
    .addCheckConstraint(
      "sprints_capacity_check",
      sql`(capacity_kind = 'credits' and capacity_credits is not null)
          or (capacity_kind = 'pool' and pool_plan is not null and pool_seats is not null
              and (pool_plan <> 'custom' or pool_per_seat is not null))`,
    )
    .execute();
  await db.schema.createIndex("sprints_team_dates_idx").on("sprints").columns(["team_id", "start_date"]).execute();

  // One row per story per sprint it was committed to. `outcome` is null while the sprint is open
  // and set when it closes ('done', 'carried' to the next sprint, 'returned' to the backlog), so
  // history survives carry-over. A story is open in at most one sprint at a time.
  await db.schema
    .createTable("sprint_stories")
    .addColumn("sprint_id", "bigint", (c) => c.notNull().references("sprints.id").onDelete("cascade"))
    .addColumn("story_id", "bigint", (c) => c.notNull().references("stories.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("committed_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("committed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("outcome", "text", (c) => c.check(sql`outcome in ('done', 'carried', 'returned')`))
    .addPrimaryKeyConstraint("sprint_stories_pkey", ["sprint_id", "story_id"])
    .execute();
  await sql`create unique index sprint_stories_open_story_idx on sprint_stories (story_id) where outcome is null`.execute(
    db,
  );
  await db.schema.createIndex("sprint_stories_team_idx").on("sprint_stories").column("team_id").execute();

  await db.schema
    .createTable("sprint_allocations")
    .addColumn("sprint_id", "bigint", (c) => c.notNull().references("sprints.id").onDelete("cascade"))
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("credits", "numeric", (c) => c.notNull().check(sql`credits >= 0`))
    .addPrimaryKeyConstraint("sprint_allocations_pkey", ["sprint_id", "user_id"])
    .execute();

  // An over-capacity commit under the 'approval' policy: who asked, why, by how much, and the
  // manager's decision. Rows are never deleted: they are the approval audit trail.
  await db.schema
    .createTable("commit_requests")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("sprint_id", "bigint", (c) => c.notNull().references("sprints.id").onDelete("cascade"))
    .addColumn("story_id", "bigint", (c) => c.notNull().references("stories.id").onDelete("cascade"))
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("pending")
        .check(sql`status in ('pending', 'approved', 'declined')`),
    )
    .addColumn("reason", "text", (c) => c.notNull().check(sql`length(reason) between 1 and 1000`))
    // The situation when it was asked: load of the story, committed before, available, over by
    // (null load/over = the story had no estimate, so its load was unknown).
    .addColumn("load_credits", "numeric")
    .addColumn("committed_before", "numeric", (c) => c.notNull())
    .addColumn("available_credits", "numeric", (c) => c.notNull())
    .addColumn("over_by", "numeric")
    .addColumn("requested_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("requested_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("decided_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("decided_at", "timestamptz")
    .addColumn("decision_note", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  // At most one open request per story and sprint: asking twice is answered with the open one.
  await sql`create unique index commit_requests_pending_idx on commit_requests (sprint_id, story_id) where status = 'pending'`.execute(
    db,
  );

  // What happened to a sprint, in order: created, edited, committed, removed, approval requested /
  // approved / declined, refused, closed, alerts. Append-only.
  await db.schema
    .createTable("sprint_events")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("sprint_id", "bigint", (c) => c.notNull().references("sprints.id").onDelete("cascade"))
    .addColumn("story_id", "bigint", (c) => c.references("stories.id").onDelete("set null"))
    .addColumn("actor_id", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("sprint_events_sprint_idx").on("sprint_events").columns(["sprint_id", "id"]).execute();

  // Thresholds (75/90/100 % of available) a sprint's actual spend has crossed. The row is claimed
  // by whoever inserts it first, so a threshold alerts once even when two checks race; webhook
  // delivery is recorded separately so a failed POST can be retried a few times.
  await db.schema
    .createTable("sprint_alerts")
    .addColumn("sprint_id", "bigint", (c) => c.notNull().references("sprints.id").onDelete("cascade"))
    .addColumn("threshold", "integer", (c) => c.notNull().check(sql`threshold in (75, 90, 100)`))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("spent_credits", "numeric", (c) => c.notNull())
    .addColumn("available_credits", "numeric", (c) => c.notNull())
    .addColumn("crossed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("webhook_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("webhook_sent_at", "timestamptz")
    .addColumn("webhook_error", "text")
    .addPrimaryKeyConstraint("sprint_alerts_pkey", ["sprint_id", "threshold"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "sprint_alerts",
    "sprint_events",
    "commit_requests",
    "sprint_allocations",
    "sprint_stories",
    "sprints",
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable("teams").dropColumn("webhook_url").execute();
}
