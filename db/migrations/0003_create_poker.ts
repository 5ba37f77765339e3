import { sql, type Kysely } from "kysely";

// Token-poker sessions: a room per team with an ordered queue of stories (text ranks under
// COLLATE "C"), rounds per story (history kept), participants (members and session-scoped guests)
// and one row per vote per round, voter and dimension. `seq` on the session counts changes: live
// events carry it so clients know whether they are up to date.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("poker_sessions")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("open")
        .check(sql`status in ('open', 'ended')`),
    )
    .addColumn("auto_reveal", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("timer_seconds", "integer", (c) => c.check(sql`timer_seconds between 10 and 3600`))
    .addColumn("allow_ahead", "boolean", (c) => c.notNull().defaultTo(false))
    // The guests' share link (null: no guests). Kept readable so the room can show it again; it
    // admits a display name to this one session and stops working when the session ends.
    .addColumn("guest_key", "text", (c) => c.unique())
    // Votes are checked against, and summarised with, the scheme version the session started with.
    .addColumn("scheme_id", "bigint", (c) => c.notNull().references("sizing_schemes.id"))
    .addColumn("facilitator_id", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("current_item_id", "bigint")
    .addColumn("seq", "bigint", (c) => c.notNull().defaultTo(1))
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("ended_at", "timestamptz")
    .execute();
  await db.schema.createIndex("poker_sessions_team_idx").on("poker_sessions").columns(["team_id", "status"]).execute();

  await db.schema
    .createTable("poker_items")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("session_id", "bigint", (c) => c.notNull().references("poker_sessions.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("story_id", "bigint", (c) => c.notNull().references("stories.id").onDelete("cascade"))
    .addColumn("rank", sql`text collate "C"`, (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("pending")
        .check(sql`status in ('pending', 'finalized', 'skipped')`),
    )
    .addColumn("round_number", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("split", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("estimate_id", "bigint", (c) => c.references("estimates.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("poker_items_session_story_key", ["session_id", "story_id"])
    .execute();
  // Two facilitators dropping into the same gap compute the same rank: the second write retries.
  await sql`create unique index poker_items_session_rank_idx on poker_items (session_id, rank)`.execute(db);
  await sql`alter table poker_sessions add constraint poker_sessions_current_item_fk foreign key (current_item_id) references poker_items(id) on delete set null`.execute(
    db,
  );

  await db.schema
    .createTable("poker_rounds")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("item_id", "bigint", (c) => c.notNull().references("poker_items.id").onDelete("cascade"))
    .addColumn("session_id", "bigint", (c) => c.notNull().references("poker_sessions.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("number", "integer", (c) => c.notNull().check(sql`number >= 1`))
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("voting")
        .check(sql`status in ('voting', 'revealed')`),
    )
    .addColumn("timer_ends_at", "timestamptz")
    .addColumn("started_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("revealed_at", "timestamptz")
    .addUniqueConstraint("poker_rounds_item_number_key", ["item_id", "number"])
    .execute();
  await db.schema.createIndex("poker_rounds_session_idx").on("poker_rounds").column("session_id").execute();

  await db.schema
    .createTable("poker_participants")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("session_id", "bigint", (c) => c.notNull().references("poker_sessions.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    // A member (user_id) or a guest (guest_token_hash); never both.
    .addColumn("user_id", "bigint", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("guest_token_hash", "text", (c) => c.unique())
    .addColumn("display_name", "text", (c) => c.notNull().check(sql`length(display_name) between 1 and 60`))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('voter', 'observer')`))
    // Presence: refreshed by the live stream's heartbeat; left_at is set when the last stream closes.
    .addColumn("last_seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("left_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("poker_participants_session_user_key", ["session_id", "user_id"])
    .addCheckConstraint("poker_participants_member_or_guest", sql`(user_id is null) <> (guest_token_hash is null)`)
    .execute();

  await db.schema
    .createTable("poker_votes")
    .addColumn("round_id", "bigint", (c) => c.notNull().references("poker_rounds.id").onDelete("cascade"))
    .addColumn("participant_id", "bigint", (c) => c.notNull().references("poker_participants.id").onDelete("cascade"))
    .addColumn("dimension", "text", (c) =>
      c.notNull().check(sql`dimension in ('intensity', 'autonomy', 'risk', 'split')`),
    )
    // A level id, '?', 'split' (dimension 'split'), or null: cleared. A cleared card stays as a row
    // so that a late, older request cannot bring it back (client_ts only moves forward).
    .addColumn("value", "text")
    .addColumn("client_ts", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("session_id", "bigint", (c) => c.notNull().references("poker_sessions.id").onDelete("cascade"))
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("poker_votes_pkey", ["round_id", "participant_id", "dimension"])
    .execute();
  await db.schema.createIndex("poker_votes_session_idx").on("poker_votes").column("session_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("poker_votes").execute();
  await db.schema.dropTable("poker_participants").execute();
  await db.schema.dropTable("poker_rounds").execute();
  await sql`alter table poker_sessions drop constraint poker_sessions_current_item_fk`.execute(db);
  await db.schema.dropTable("poker_items").execute();
  await db.schema.dropTable("poker_sessions").execute();
}
