// Autovacuum for the embedded database. PostgreSQL's autovacuum vacuums and analyzes tables as
// they change; PGlite runs PostgreSQL as one process without background workers, so no table was
// ever analyzed, and no dead row (an updated entry, a refreshed rollup) ever reclaimed (issue 15).
// Without statistics every plan is made from row estimates of one: the sprint page's "stories not
// in an open sprint" ran as a nested loop that scanned every open sprint row once per story (9 ms
// for 31 stories on the demo, 0.3 ms with statistics), and such plans grow with the square of the
// history. On PostgreSQL this does nothing: autovacuum does it there.
import { sql } from "kysely";
import { breathe } from "~/utils/breathe.server";
import { isEmbedded, type DB } from "~/utils/db.server";

/** How often a long-running embedded server vacuums and analyzes its tables again. */
export const REVACUUM_EVERY_MS = 6 * 60 * 60 * 1000;

/**
 * Vacuums and analyzes every table of the embedded database, one at a time with a turn of the
 * event loop in between, so a request waits for one table at most. Vacuum visits only the pages
 * changed since the last one (the visibility map), and analyze samples at most 30,000 rows.
 */
export async function vacuumEmbedded(db: DB): Promise<void> {
  if (!isEmbedded(db)) return;
  const { rows } = await sql<{ name: string }>`
    select tablename as name from pg_tables where schemaname = current_schema() order by tablename`.execute(db);
  for (const { name } of rows) {
    await sql`vacuum (analyze) ${sql.table(name)}`.execute(db);
    await breathe();
  }
}
