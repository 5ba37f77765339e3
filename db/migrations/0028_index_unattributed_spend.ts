import { sql, type Kysely } from "kysely";

// The spend inbox lists, counts and offers filter values for the entries no story claims (no key,
// no assignment, no mapped session). Without an index each view read every entry of the team
// (issue 15: 6.5 s at 500,000 entries, mostly a nested loop the planner chose on a misestimate).
// This partial index holds only the entries with no key and no assignment, in the inbox's default
// order (newest first), and carries the columns the totals and the filter lists read, so those are
// index-only scans; the session mapping is an anti-join through its primary key
// (`unattributedEntries` in app/models/attributed-spend.server.ts). tests/db/spend-inbox-index.test.ts
// holds that the page's statements can use it on both engines.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index spend_entries_unattributed_idx on spend_entries (team_id, occurred_at desc nulls last, id desc)
    include (session_id, day, credits, model, repository, external_user)
    where story_key is null and story_id is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index spend_entries_unattributed_idx`.execute(db);
}
