import type { Kysely } from "kysely";

// Stories that come from a tracker (Jira, Linear, GitHub, Azure Boards) remember whether the tracker
// has closed them: closed items are marked, never deleted, so their estimates and spend stay.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("stories")
    .addColumn("tracker_closed", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.createIndex("stories_team_link_idx").on("stories").columns(["team_id", "link"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("stories_team_link_idx").execute();
  await db.schema.alterTable("stories").dropColumn("tracker_closed").execute();
}
