import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeDb } from "../helpers/db";

// Both engines prepare the statements Kysely sends once per connection and then only bind and run
// them (app/utils/pg-statements.server.ts, app/utils/pglite-statements.server.ts).

describeDb("prepared statements", (t) => {
  /** How many of this connection's prepared statements have exactly this text. */
  const preparedAs = (text: string) =>
    sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement = ${text}`;

  it("prepares a repeated statement once on its connection, and answers it as before", async () => {
    await t.db.connection().execute(async (c) => {
      const query = sql<{ n: number }>`select ${1}::int + ${2}::int as n`;
      const text = query.compile(c).sql;
      for (let i = 0; i < 5; i++) expect((await query.execute(c)).rows).toEqual([{ n: 3 }]);
      expect((await preparedAs(text).execute(c)).rows[0]!.n).toBe(1);
    });
  });

  it("leaves long parameter lists and statements without a plan unprepared", async () => {
    await t.db.connection().execute(async (c) => {
      const ids = Array.from({ length: 40 }, (_, i) => i);
      const list = sql<{
        n: number;
      }>`select count(*)::int as n from generate_series(1, 50) g where g in (${sql.join(ids)})`;
      expect((await list.execute(c)).rows).toEqual([{ n: 39 }]);
      expect((await preparedAs(list.compile(c).sql).execute(c)).rows[0]!.n).toBe(0);
      await sql`set local statement_timeout = 0`.execute(c);
      expect((await preparedAs("set local statement_timeout = 0").execute(c)).rows[0]!.n).toBe(0);
    });
  });

  it("answers again after a table changed its columns under a prepared statement", async () => {
    await t.db.connection().execute(async (c) => {
      await sql`create table prepared_probe (id int primary key)`.execute(c);
      await sql`insert into prepared_probe values (1)`.execute(c);
      const all = sql<Record<string, unknown>>`select * from prepared_probe where id = ${1}`;
      expect((await all.execute(c)).rows).toEqual([{ id: 1 }]);
      await sql`alter table prepared_probe add column note text default 'n'`.execute(c);
      // PostgreSQL will not change a prepared statement's columns: that one run fails, as with
      // any driver that prepares, and the statement is given up.
      await expect(all.execute(c)).rejects.toMatchObject({ code: "0A000" });
      expect((await all.execute(c)).rows).toEqual([{ id: 1, note: "n" }]);
      await sql`drop table prepared_probe`.execute(c);
    });
  });
});
