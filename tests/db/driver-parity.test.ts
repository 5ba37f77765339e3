import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeDb } from "../helpers/db";

describeDb("driver parity", (t) => {
  it("returns int8 and numeric as numbers, date as YYYY-MM-DD, timestamptz as Date", async () => {
    const { rows } = await sql<{
      big: unknown;
      money: unknown;
      day: unknown;
      at: unknown;
      count: unknown;
    }>`select 9007199254740::int8 as big, 12.3456::numeric as money, date '2026-03-01' as day,
        timestamptz '2026-03-01T10:00:00Z' as at, (select count(*) from users) as count`.execute(t.db);
    expect(rows[0]).toEqual({
      big: 9007199254740,
      money: 12.3456,
      day: "2026-03-01",
      at: new Date("2026-03-01T10:00:00Z"),
      count: 0,
    });
  });

  it("returns generated ids as numbers through the camelCase plugin", async () => {
    const user = await t.db
      .insertInto("users")
      .values({ email: "p@example.com", name: "P", passwordHash: "x" })
      .returning(["id", "createdAt", "passwordHash"])
      .executeTakeFirstOrThrow();
    expect(typeof user.id).toBe("number");
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(user.passwordHash).toBe("x");
  });

  it("keeps concurrent queries out of another caller's transaction", async () => {
    let insideCommitted = false;
    const tx = t.db.transaction().execute(async (trx) => {
      await trx.insertInto("users").values({ email: "tx@example.com", name: "T", passwordHash: "x" }).execute();
      await new Promise((r) => setTimeout(r, 50));
      insideCommitted = true;
      throw new Error("roll back");
    });
    // Runs while the transaction is open: must not see (or join) its uncommitted row.
    const seen = await t.db.selectFrom("users").where("email", "=", "tx@example.com").selectAll().execute();
    await expect(tx).rejects.toThrow("roll back");
    expect(insideCommitted).toBe(true);
    expect(seen).toEqual([]);
    const after = await t.db.selectFrom("users").where("email", "=", "tx@example.com").selectAll().execute();
    expect(after).toEqual([]);
  });
});
