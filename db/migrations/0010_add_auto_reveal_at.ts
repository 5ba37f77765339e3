import type { Kysely } from "kysely";

// Auto-reveal waits a grace period after the last vote (see docs/decisions/0020-presence.md): the
// moment the round will reveal by itself, while every present voter has voted; null otherwise.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("poker_rounds").addColumn("auto_reveal_at", "timestamptz").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("poker_rounds").dropColumn("auto_reveal_at").execute();
}
