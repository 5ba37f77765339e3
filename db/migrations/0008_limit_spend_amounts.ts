import { sql, type Kysely } from "kysely";

// Ceilings on stored spend amounts (app/domain/form-fields.ts: 1e9 credits or USD per entry, 1e12
// per import). Before them two API entries of 1.7e308 credits made every sum Infinity and the
// dashboard and sprint pages answered 500 until the import was undone. Entries already past a
// ceiling become unpriced (their tokens are kept, so a rate card can price them again); an
// import's stored total is recomputed from what it kept. The CHECKs also refuse NaN and Infinity,
// so no later code path can store them.
const ENTRY_MAX = "1e9";
const IMPORT_MAX = "1e12";
const within = (column: string, max: string) => sql.raw(`${column} is null or ${column} between -${max} and ${max}`);
const outside = (column: string, max: string) =>
  sql.raw(`${column} is not null and not (${column} between -${max} and ${max})`);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update spend_entries
    set credits = null, cost_usd = null, pool_credits = null, paid_credits = null, priced_by = null, model_id = null
    where ${outside("credits", ENTRY_MAX)} or ${outside("cost_usd", ENTRY_MAX)}
       or ${outside("pool_credits", ENTRY_MAX)} or ${outside("paid_credits", ENTRY_MAX)}`.execute(db);
  for (const column of ["credits", "cost_usd", "pool_credits", "paid_credits"]) {
    await sql`alter table spend_entries add constraint ${sql.raw(`spend_entries_${column}_limit`)} check (${within(column, ENTRY_MAX)})`.execute(
      db,
    );
  }
  await sql`
    update spend_imports i
    set credits = coalesce((select sum(e.credits) from spend_entries e where e.import_id = i.id), 0)
    where ${outside("i.credits", IMPORT_MAX)}`.execute(db);
  await sql`update spend_imports set credits = 0 where ${outside("credits", IMPORT_MAX)}`.execute(db);
  await sql`alter table spend_imports add constraint spend_imports_credits_limit check (${within("credits", IMPORT_MAX)})`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table spend_imports drop constraint spend_imports_credits_limit`.execute(db);
  for (const column of ["credits", "cost_usd", "pool_credits", "paid_credits"]) {
    await sql`alter table spend_entries drop constraint ${sql.raw(`spend_entries_${column}_limit`)}`.execute(db);
  }
}
