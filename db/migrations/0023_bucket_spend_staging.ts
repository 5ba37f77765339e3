import { sql, type Kysely } from "kysely";

// A large import is merged a few thousand staged rows at a time, so that the embedded database
// (one connection, on the server's own thread) lets the server answer between the statements
// (issue 15, decision 0023). Each staged row gets a bucket from its dedupe key without the
// occurrence suffix: rows that could be duplicates of each other, or that Copilot numbering ranks
// among each other, share a bucket, so each chunk (a range of buckets) can be merged on its own.
// The index finds a chunk's rows without reading the rest of the import.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table spend_staging add column merge_bucket smallint not null default 0`.execute(db);
  await sql`create index spend_staging_bucket_idx on spend_staging (import_id, merge_bucket)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index spend_staging_bucket_idx`.execute(db);
  await sql`alter table spend_staging drop column merge_bucket`.execute(db);
}
