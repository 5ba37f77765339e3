import { sql, type Kysely } from "kysely";

// The recalibration suggestion, fitted once when a sprint closes (and after a scheme version is
// applied or rolled back) and read by the insights page: the suggested scheme, its evidence and
// its backtest, as one frozen JSON document, with the scheme version it was fitted against.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("calibration_suggestions")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("scheme_id", "bigint", (c) => c.notNull().references("sizing_schemes.id").onDelete("cascade"))
    // The sprint whose close triggered the fit; null when a scheme change did.
    .addColumn("sprint_id", "bigint", (c) => c.references("sprints.id").onDelete("set null"))
    .addColumn("token", "text", (c) => c.notNull().check(sql`length(token) between 1 and 100`))
    .addColumn("suggestion", "jsonb", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("calibration_suggestions_team_idx")
    .on("calibration_suggestions")
    .columns(["team_id", "id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("calibration_suggestions").execute();
}
