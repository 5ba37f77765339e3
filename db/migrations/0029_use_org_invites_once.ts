import type { Kysely } from "kysely";

// An organisation invite link lets one person join (issue 17): an org role holds a month's pool, so a
// link forwarded on (or left in a chat) must not seat whoever finds it next. Accepting records who used
// it and when, in the same transaction as the membership; a used link answers "already used". Links
// made before stay open until their first use, like a new one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("organisation_invites")
    .addColumn("used_at", "timestamptz")
    .addColumn("used_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("organisation_invites").dropColumn("used_by").dropColumn("used_at").execute();
}
