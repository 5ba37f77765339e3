import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statementCache, type StatementCache } from "~/utils/pglite-statements.server";

// The embedded database's statements are prepared once and then only bound and run
// (app/utils/pglite-statements.server.ts). What a caller gets must be what PGlite's own `query`
// gives, error for error, whatever happened to the tables or the transaction since.

describe("PGlite statements, prepared once", () => {
  let pglite: PGlite;
  let statements: StatementCache;
  const prepared = async () =>
    (await pglite.query<{ n: number }>("select count(*)::int as n from pg_prepared_statements")).rows[0]!.n;

  beforeAll(async () => {
    pglite = new PGlite();
    await pglite.exec(`
      create table things (id bigint primary key, name text not null unique, amount numeric,
        day date, at timestamptz, tags text[], doc jsonb);`);
    statements = statementCache(pglite);
  });
  afterAll(() => pglite.close());

  it("gives the rows, types and counts PGlite's own query gives, and prepares each text once", async () => {
    const insert = "insert into things (id, name, amount, day, at, tags, doc) values ($1, $2, $3, $4, $5, $6, $7)";
    const values = [
      [1, "one", "12.345", "2026-12-01", new Date("2026-12-01T10:00:00Z"), ["a", "b"], { x: 1 }],
      [2, "two", null, null, null, [], null],
      [3n, "it's \u00e9", "1e-9", "2026-02-28", new Date(0), ["c"], [1, "two"]],
    ];
    for (const row of values) expect((await statements.query(insert, row)).affectedRows).toBe(1);
    const select = "select * from things where id >= $1 order by id";
    const ours = await statements.query(select, [1]);
    const theirs = await pglite.query(select, [1]);
    expect(ours.rows).toEqual(theirs.rows);
    expect(ours.fields).toEqual(theirs.fields);
    for (let i = 0; i < 10; i++) await statements.query(select, [2]);
    expect(await prepared()).toBe(2);
  });

  it("reports a failing statement's error as PGlite does, and the statement stays usable", async () => {
    const insert = "insert into things (id, name) values ($1, $2)";
    const error = await statements.query(insert, [10, "one"]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "23505", query: insert });
    expect((await statements.query(insert, [11, "eleven"])).affectedRows).toBe(1);
    await expect(statements.query("select nope from things", [])).rejects.toMatchObject({ code: "42703" });
  });

  it("keeps statements prepared in a transaction that was rolled back, and fails inside an aborted one", async () => {
    const select = "select name from things where id = $1";
    await statements.query("begin", []);
    expect((await statements.query(select, [11])).rows).toEqual([{ name: "eleven" }]);
    await expect(statements.query("select 1 / 0", [])).rejects.toMatchObject({ code: "22012" });
    await expect(statements.query(select, [11])).rejects.toMatchObject({ code: "25P02" });
    await statements.query("rollback", []);
    expect((await statements.query(select, [11])).rows).toEqual([{ name: "eleven" }]);
  });

  it("follows a table that changed under a statement", async () => {
    const select = "select * from things where id = $1";
    expect(Object.keys((await statements.query(select, [1])).rows[0]!)).not.toContain("note");
    await pglite.exec("alter table things add column note text default 'n'");
    // PostgreSQL refuses to change a prepared statement's columns (as it would for any driver that
    // prepares); the statement is dropped, and the next run prepares it anew.
    const first = await statements.query(select, [1]).then(
      (r) => r.rows[0],
      (e: { code: string }) => e.code,
    );
    expect(first).toBe("0A000");
    expect((await statements.query(select, [1])).rows[0]).toMatchObject({ id: 1, note: "n" });
    const renamed = "select name from things where id = $1";
    await pglite.exec("alter table things rename column name to title");
    await expect(statements.query(renamed, [1])).rejects.toMatchObject({ code: "42703" });
  });

  it("closes the least recently used statement beyond its bound", async () => {
    for (let i = 0; i < 320; i++) await statements.query(`select ${i}::int as n where $1::int = 1`, [1]);
    expect(await prepared()).toBe(300);
    // Still answers for the ones it closed.
    expect((await statements.query("select 0::int as n where $1::int = 1", [1])).rows).toEqual([{ n: 0 }]);
  });

  it("leaves what has no plan to keep, long parameter lists and very long texts to PGlite's own query", async () => {
    const before = await prepared();
    const ids = Array.from({ length: 20 }, (_, i) => i);
    const list = `select count(*)::int as n from things where id in (${ids.map((i) => `$${i + 1}`).join(", ")})`;
    expect((await statements.query(list, ids)).rows).toEqual([{ n: 4 }]); // ids 1, 2, 3 and 11
    await statements.query("set application_name = 'statements test'", []);
    await statements.query(`select 1 as n ${"-- padding\n".repeat(900)}`, []);
    expect(await prepared()).toBe(before);
  });
});
