import { sql, type Kysely } from "kysely";

// Organisations above teams (issue 17): members (admin / viewer) and their invite links, the teams
// attached (the team's owner accepts; a team is in at most one organisation), cost centers, the
// month's shared pool and its split across teams, the exceptions a team asks for, the burn alerts an
// organisation has raised, and the organisation's own spend report (rows placed on teams through the
// teams' identities, or placed by hand). Text + CHECK instead of enum types; credits are numeric,
// bounded so a typed 1e308 is refused by the database too.
//
// Months are the vendor's billing months ('YYYY-MM', calendar months in UTC for Copilot). A month's
// row holds its own copy of the pool settings, so editing this month never rewrites history.
//
// Nothing here points from a team's own tables to an organisation: a team's data stays the team's,
// and leaving an organisation deletes only the link (see docs/decisions/0024-organisations.md).
const SLUG = sql`slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'`;
const MONTH = (column: string) => sql`${sql.ref(column)} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`;
const CREDITS_LIMIT = 1_000_000_000_000;
const credits = (column: string, min: ">= 0" | "> 0" = ">= 0") =>
  sql`${sql.ref(column)} ${sql.raw(min)} and ${sql.ref(column)} <= ${sql.lit(CREDITS_LIMIT)}`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("organisations")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("slug", "text", (c) => c.notNull().unique().check(SLUG))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    // Slack-compatible incoming webhook for pool and allocation alerts; null = none.
    .addColumn("webhook_url", "text")
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // admin: sets pools and allocations, attaches teams, decides exceptions, places identities.
  // viewer: finance, reads the organisation's pages and reports, changes nothing.
  await db.schema
    .createTable("organisation_members")
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('admin', 'viewer')`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("organisation_members_pkey", ["organisation_id", "user_id"])
    .execute();
  await db.schema.createIndex("organisation_members_user_idx").on("organisation_members").column("user_id").execute();

  // Like team invites: only the hash of the link's token is kept.
  await db.schema
    .createTable("organisation_invites")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('admin', 'viewer')`))
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("revoked_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("organisation_invites_org_idx")
    .on("organisation_invites")
    .column("organisation_id")
    .execute();

  // Groups of teams with an optional cap on what the group may draw from a month's pool.
  await db.schema
    .createTable("cost_centers")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) between 1 and 80`))
    .addColumn("cap_credits", "numeric", (c) => c.check(credits("cap_credits")))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("cost_centers_org_name_key", ["organisation_id", "name"])
    // The target of the composite keys below: a team's cost center is one of its organisation's.
    .addUniqueConstraint("cost_centers_org_id_key", ["organisation_id", "id"])
    .execute();

  // A team attached to an organisation. An organisation admin asks ('requested'); the team's owner
  // accepts on the team's settings page ('accepted'). Requests from several organisations may wait
  // at once (so no organisation can block another by asking first), but only one can be accepted.
  // Leaving, declining or withdrawing deletes the row.
  await db.schema
    .createTable("organisation_teams")
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('requested', 'accepted')`))
    .addColumn("cost_center_id", "bigint")
    .addColumn("requested_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("requested_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("accepted_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("accepted_at", "timestamptz")
    .addPrimaryKeyConstraint("organisation_teams_pkey", ["organisation_id", "team_id"])
    .addCheckConstraint("organisation_teams_accepted_check", sql`(status = 'accepted') = (accepted_at is not null)`)
    .execute();
  // Deleting a cost center leaves its teams without one (only that column is cleared).
  await sql`alter table organisation_teams add constraint organisation_teams_cost_center_fkey
    foreign key (organisation_id, cost_center_id) references cost_centers (organisation_id, id)
    on delete set null (cost_center_id)`.execute(db);
  await sql`create unique index organisation_teams_one_org_idx on organisation_teams (team_id)
    where status = 'accepted'`.execute(db);
  await db.schema.createIndex("organisation_teams_team_idx").on("organisation_teams").column("team_id").execute();

  // The month's pool: from seats (plan × seats × included credits per seat, the per-seat figure kept
  // here because vendors change it) or a fixed number; the paid overage budget and what happens when
  // the pool is empty (the vendor's 'block', or 'metered' overage up to the budget); and whether a
  // sprint committing more than its team's allocation is warned or refused. A month opens from the
  // previous month's row the first time it is read.
  await db.schema
    .createTable("organisation_months")
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("month", "text", (c) => c.notNull().check(MONTH("month")))
    .addColumn("pool_source", "text", (c) => c.notNull().check(sql`pool_source in ('seats', 'fixed')`))
    .addColumn("plan", "text", (c) => c.check(sql`plan in ('copilot-business', 'copilot-enterprise', 'custom')`))
    .addColumn("seats", "integer", (c) => c.check(sql`seats between 0 and 1000000`))
    .addColumn("included_per_seat", "numeric", (c) => c.check(credits("included_per_seat")))
    .addColumn("fixed_credits", "numeric", (c) => c.check(credits("fixed_credits")))
    .addColumn("overage_budget_credits", "numeric", (c) =>
      c.notNull().defaultTo(0).check(credits("overage_budget_credits")),
    )
    .addColumn("exhaustion_policy", "text", (c) =>
      c
        .notNull()
        .defaultTo("block")
        .check(sql`exhaustion_policy in ('block', 'metered')`),
    )
    .addColumn("allocation_policy", "text", (c) =>
      c
        .notNull()
        .defaultTo("warn")
        .check(sql`allocation_policy in ('warn', 'refuse')`),
    )
    // The month this one was opened from (null: set up by hand).
    .addColumn("opened_from", "text", (c) => c.check(MONTH("opened_from")))
    .addColumn("updated_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("organisation_months_pkey", ["organisation_id", "month"])
    .addCheckConstraint(
      "organisation_months_pool_check",
      sql`(pool_source = 'seats' and plan is not null and seats is not null and included_per_seat is not null)
          or (pool_source = 'fixed' and fixed_credits is not null)`,
    )
    .execute();

  // A team's share of a month's pool. Stored in credits; `percent` remembers an allocation given as
  // a share of the pool, so the form shows it the way it was typed. The reserve is the pool minus
  // the sum of a month's allocations (never stored). Rows of past months stay when a team leaves.
  await db.schema
    .createTable("team_allocations")
    .addColumn("organisation_id", "bigint", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("credits", "numeric", (c) => c.notNull().check(credits("credits")))
    .addColumn("percent", "numeric", (c) => c.check(sql`percent >= 0 and percent <= 100`))
    .addColumn("updated_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("team_allocations_pkey", ["organisation_id", "month", "team_id"])
    .addForeignKeyConstraint(
      "team_allocations_month_fkey",
      ["organisation_id", "month"],
      "organisation_months",
      ["organisation_id", "month"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
  await db.schema
    .createIndex("team_allocations_team_idx")
    .on("team_allocations")
    .columns(["team_id", "month"])
    .execute();

  // A team asks for more credits in a month, with a reason and the stories that need them; an
  // organisation admin grants (from the reserve, or from another team's unused allocation) or
  // declines with a reason. Rows are never deleted with a decision: they are the history the team's
  // retrospective shows.
  await db.schema
    .createTable("credit_exceptions")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("month", "text", (c) => c.notNull().check(MONTH("month")))
    .addColumn("sprint_id", "bigint", (c) => c.references("sprints.id").onDelete("set null"))
    .addColumn("requested_credits", "numeric", (c) => c.notNull().check(credits("requested_credits", "> 0")))
    .addColumn("reason", "text", (c) => c.notNull().check(sql`length(reason) between 1 and 1000`))
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("requested")
        .check(sql`status in ('requested', 'granted', 'declined')`),
    )
    .addColumn("source", "text", (c) => c.check(sql`source in ('reserve', 'team')`))
    // With source 'team': whose unused allocation the grant came from.
    .addColumn("source_team_id", "bigint", (c) => c.references("teams.id").onDelete("set null"))
    .addColumn("granted_credits", "numeric", (c) => c.check(credits("granted_credits", "> 0")))
    .addColumn("requested_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("requested_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("decided_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("decided_at", "timestamptz")
    .addColumn("decline_reason", "text", (c) => c.check(sql`length(decline_reason) between 1 and 1000`))
    .addCheckConstraint(
      "credit_exceptions_decision_check",
      sql`(status = 'requested' and decided_at is null and source is null and granted_credits is null
             and decline_reason is null)
          or (status = 'granted' and decided_at is not null and source is not null and granted_credits is not null)
          or (status = 'declined' and decided_at is not null and decline_reason is not null)`,
    )
    .execute();
  await db.schema
    .createIndex("credit_exceptions_org_month_idx")
    .on("credit_exceptions")
    .columns(["organisation_id", "month"])
    .execute();
  await db.schema
    .createIndex("credit_exceptions_team_month_idx")
    .on("credit_exceptions")
    .columns(["team_id", "month"])
    .execute();

  // The stories an exception names, with their estimates as they were when it was asked.
  await db.schema
    .createTable("credit_exception_stories")
    .addColumn("exception_id", "bigint", (c) => c.notNull().references("credit_exceptions.id").onDelete("cascade"))
    .addColumn("story_id", "bigint", (c) => c.notNull().references("stories.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("expected_credits", "numeric")
    .addColumn("p80_credits", "numeric")
    .addPrimaryKeyConstraint("credit_exception_stories_pkey", ["exception_id", "story_id"])
    .execute();

  // 75/90/100 % of the month's pool (team_id null) or of one team's allocation, crossed once each;
  // like sprint_alerts the row is claimed by whoever inserts it first, webhook delivery kept apart.
  await db.schema
    .createTable("organisation_alerts")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("month", "text", (c) => c.notNull().check(MONTH("month")))
    .addColumn("team_id", "bigint", (c) => c.references("teams.id").onDelete("cascade"))
    .addColumn("threshold", "integer", (c) => c.notNull().check(sql`threshold in (75, 90, 100)`))
    .addColumn("spent_credits", "numeric", (c) => c.notNull())
    .addColumn("available_credits", "numeric", (c) => c.notNull())
    .addColumn("crossed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("webhook_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("webhook_sent_at", "timestamptz")
    .addColumn("webhook_error", "text")
    .execute();
  await sql`create unique index organisation_alerts_once_idx
    on organisation_alerts (organisation_id, month, coalesce(team_id, 0), threshold)`.execute(db);

  // An identity (a tool's user name or e-mail, as in spend_identities) an organisation admin placed
  // on one of the organisation's teams: the organisation's report sends that identity's rows there
  // when the teams' own identities do not decide (the user is in several teams, or in none).
  await db.schema
    .createTable("organisation_identity_placements")
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("identity", "text", (c) => c.notNull().check(sql`identity = lower(btrim(identity)) and identity <> ''`))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("placed_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("placed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("organisation_identity_placements_pkey", ["organisation_id", "identity"])
    .execute();

  // The organisation's own report (the bill): each import, and each row of it. A row placed on a team
  // also becomes one of that team's spend entries (team_id and dedupe_key name it); an unplaced row
  // waits here for a placement; a row without a user stays at organisation level. Reconciliation
  // compares these rows with the team-attributed spend.
  await db.schema
    .createTable("organisation_spend_imports")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("user_id", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("via", "text", (c) => c.notNull().check(sql`via in ('upload', 'cli', 'api', 'seed')`))
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("format", "text")
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("running")
        .check(sql`status in ('running', 'imported', 'rejected', 'failed')`),
    )
    .addColumn("rows", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("placed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("unplaced", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("org_level", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("rejected", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("credits", "numeric", (c) => c.notNull().defaultTo(0))
    .addColumn("errors", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("started_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("finished_at", "timestamptz")
    .execute();
  await sql`create index organisation_spend_imports_org_idx on organisation_spend_imports (organisation_id, started_at desc)`.execute(
    db,
  );

  await db.schema
    .createTable("organisation_spend_rows")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("import_id", "bigint", (c) => c.references("organisation_spend_imports.id").onDelete("cascade"))
    .addColumn("occurred_at", "timestamptz", (c) => c.notNull())
    .addColumn("day", "date", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull().check(MONTH("month")))
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("model", "text")
    // Lower-cased and trimmed like spend_identities.identity; null = an organisation-level row.
    .addColumn("identity", "text", (c) => c.check(sql`identity = lower(btrim(identity)) and identity <> ''`))
    .addColumn("credits", "numeric")
    .addColumn("pool_credits", "numeric")
    .addColumn("paid_credits", "numeric")
    .addColumn("cost_usd", "numeric")
    .addColumn("dedupe_key", "text", (c) => c.notNull())
    .addColumn("placement", "text", (c) =>
      c
        .notNull()
        .defaultTo("unplaced")
        .check(sql`placement in ('placed', 'unplaced', 'organisation')`),
    )
    .addColumn("team_id", "bigint", (c) => c.references("teams.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("organisation_spend_rows_dedupe_key", ["organisation_id", "dedupe_key"])
    // A team only on placed rows (a placed row whose team was deleted since keeps 'placed', team null:
    // the bill still has it); an organisation-level row has no user.
    .addCheckConstraint(
      "organisation_spend_rows_placed_team_check",
      sql`(team_id is null or placement = 'placed') and (placement <> 'organisation' or identity is null)`,
    )
    .execute();
  await sql`create index organisation_spend_rows_org_month_idx on organisation_spend_rows (organisation_id, month)`.execute(
    db,
  );
  await sql`create index organisation_spend_rows_identity_idx on organisation_spend_rows (organisation_id, identity)
    where placement = 'unplaced'`.execute(db);

  // What happened in an organisation, in order (pools set, allocations changed, teams attached or
  // gone, exceptions decided). Append-only; shown to its admins.
  await db.schema
    .createTable("organisation_events")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("organisation_id", "bigint", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.references("teams.id").onDelete("set null"))
    .addColumn("actor_id", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("organisation_events_org_idx")
    .on("organisation_events")
    .columns(["organisation_id", "id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "organisation_events",
    "organisation_spend_rows",
    "organisation_spend_imports",
    "organisation_identity_placements",
    "organisation_alerts",
    "credit_exception_stories",
    "credit_exceptions",
    "team_allocations",
    "organisation_months",
    "organisation_teams",
    "cost_centers",
    "organisation_invites",
    "organisation_members",
    "organisations",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
