import { sql, type Kysely } from "kysely";

// Spend per team × day × story × how it got there, and per team × day (issue 15, decision 0023): the dashboard's
// "needs a story" card, the sprints list and the burn-up charts read these rows instead of every
// entry of the team's history. A row is derived data: app/models/attributed-spend.server.ts
// (`refreshRollups`) rewrites a team-day's rows from the entries, in the same transaction as every
// change that moves spend between stories, and tests/db/spend-rollups.test.ts compares them with a
// from-scratch aggregation after each kind of change.
//
// - story_id: the story the entries count for (null: none). No foreign key: a rollup follows its
//   entries, which the refresh rewrites; a cascade here would drop spend instead of unattributing it.
// - source: 'key' | 'session' | 'manual' (null: no story).
// - waiting_key: the entries carry this key and no story of the team has it (yet) — whatever else
//   attributes them; the dashboard counts distinct waiting keys. Null otherwise.
// - credits: sum of priced credits (null: every entry of the row is unpriced).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("spend_rollups")
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("day", "date", (c) => c.notNull())
    .addColumn("story_id", "bigint")
    .addColumn("source", "text", (c) => c.check(sql`source in ('key', 'session', 'manual')`))
    .addColumn("waiting_key", "text")
    .addColumn("credits", "numeric")
    .addColumn("entries", "integer", (c) => c.notNull().check(sql`entries > 0`))
    .addColumn("unpriced", "integer", (c) => c.notNull().check(sql`unpriced between 0 and entries`))
    .addCheckConstraint("spend_rollups_story_source", sql`(story_id is null) = (source is null)`)
    .addCheckConstraint("spend_rollups_key_not_waiting", sql`source is distinct from 'key' or waiting_key is null`)
    .execute();
  // One row per key (nulls folded so they compare equal); it also serves every read, which is by
  // team and a range of days.
  await sql`create unique index spend_rollups_key_idx
    on spend_rollups (team_id, day, coalesce(story_id, 0), coalesce(source, ''), coalesce(waiting_key, ''))`.execute(
    db,
  );

  // What reads the rollups without going through every story's rows: the dashboard's "needs a
  // story" (rows without a story, and rows with a waiting key), and a story's days (burn-ups).
  await sql`create index spend_rollups_unattributed_idx on spend_rollups (team_id)
    where source is null or waiting_key is not null`.execute(db);
  await sql`create index spend_rollups_story_idx on spend_rollups (team_id, story_id, day) where story_id is not null`.execute(
    db,
  );
  // The team's spend per day, whatever its story: sprint totals, team burn, "any spend yet?".
  // Rewritten with the rollups of the same days, from them.
  await db.schema
    .createTable("spend_day_totals")
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("day", "date", (c) => c.notNull())
    .addColumn("credits", "numeric")
    .addColumn("entries", "integer", (c) => c.notNull().check(sql`entries > 0`))
    .addColumn("unpriced", "integer", (c) => c.notNull().check(sql`unpriced between 0 and entries`))
    .addPrimaryKeyConstraint("spend_day_totals_pkey", ["team_id", "day"])
    .execute();

  // The backfill: the rule of attributed-spend.server.ts as it is today (key → session → assignment).
  await sql`
    insert into spend_rollups (team_id, day, story_id, source, waiting_key, credits, entries, unpriced)
    select e.team_id, e.day,
           coalesce(ks.id, ss.story_id, e.story_id),
           case when ks.id is not null then 'key' when ss.story_id is not null then 'session'
                when e.story_id is not null then 'manual' end,
           case when e.story_key is not null and ks.id is null then e.story_key end,
           sum(e.credits), count(*), count(*) filter (where e.credits is null)
    from spend_entries e
    left join stories ks on ks.team_id = e.team_id and ks.key = e.story_key
    left join spend_session_stories ss on ss.team_id = e.team_id and ss.session_id = e.session_id
    group by 1, 2, 3, 4, 5`.execute(db);
  await sql`
    insert into spend_day_totals (team_id, day, credits, entries, unpriced)
    select team_id, day, sum(credits), sum(entries), sum(unpriced) from spend_rollups group by 1, 2`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("spend_day_totals").execute();
  await db.schema.dropTable("spend_rollups").execute();
}
