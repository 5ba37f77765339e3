import { sql, type Kysely } from "kysely";

// "My spend" reads the entries whose tool user name maps to the signed-in person
// (lower(btrim(external_user)) in their identities). Without an index on that expression every
// view read all of the team's entries (issue 15: 264 ms at 500,000 entries); with it, only the
// person's own. The expression must stay the one the queries use (app/models/retro.server.ts,
// app/models/spend.server.ts): tests/db/spend-identity-index.test.ts holds that it is used.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index spend_entries_team_identity_idx on spend_entries (team_id, lower(btrim(external_user)))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index spend_entries_team_identity_idx`.execute(db);
}
