// The query planner's statistics for the embedded database. PostgreSQL's autovacuum analyzes
// tables as they change; PGlite runs PostgreSQL as one process without background workers, so no
// table is ever analyzed and every plan is made from row estimates of 1 (issue 15): the sprint
// page's "stories not in an open sprint" ran as a nested loop that scanned every open sprint row
// once per story (9 ms for 31 stories on the demo, 0.3 ms with statistics), and such plans grow
// with the square of the history. On PostgreSQL these functions do nothing: autovacuum does it.
import { sql } from "kysely";
import { breathe } from "~/utils/breathe.server";
import { isEmbedded, type DB } from "~/utils/db.server";

/** How often a long-running embedded server analyzes its tables again. */
export const REANALYZE_EVERY_MS = 6 * 60 * 60 * 1000;

/**
 * Analyzes every table of the embedded database, one at a time with a turn of the event loop in
 * between (each samples at most 30,000 rows, so no request waits for more than one table).
 */
export async function refreshPlannerStatistics(db: DB): Promise<void> {
  if (!isEmbedded(db)) return;
  const { rows } = await sql<{ name: string }>`
    select tablename as name from pg_tables where schemaname = current_schema() order by tablename`.execute(db);
  for (const { name } of rows) {
    await sql`analyze ${sql.table(name)}`.execute(db);
    await breathe();
  }
}
