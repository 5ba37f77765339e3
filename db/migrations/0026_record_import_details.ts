import { sql, type Kysely } from "kysely";

// Each import keeps, as structured data, what its summary shows per file: the lines it left out
// (capped list + full count, with why) and which models were priced from the file's own cost or
// from the rate card. Until now these were only sentences in `warnings`. Imports from before keep
// an empty record; their warnings still say it in words.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("spend_imports")
    .addColumn("details", "jsonb", (c) =>
      c
        .notNull()
        .defaultTo(sql`'{"skipped":{"count":0,"lines":[]},"pricedFromFile":[],"pricedFromRateCard":[]}'::jsonb`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("spend_imports").dropColumn("details").execute();
}
