import { sql } from "kysely";
import { expect, it } from "vitest";
import { importSpendFile, recoverInterruptedImports } from "~/models/spend.server";
import type { DB } from "~/utils/db.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";

// Imports cut off by a dead process (kill -9 mid-upload): they must not stay "running" for ever, nor
// keep staged rows, and a live import — here or in another instance — must never be taken for dead.
// The end-to-end kill -9 tests are in tests/system/crash-recovery.test.ts.

const HEADER =
  "date,username,product,sku,model,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,net_amount,total_monthly_quota,organization,repository,cost_center_name";
const usageRow = (i: number) =>
  `2026-11-01,dev-${i},copilot,copilot_ai_credit,GPT-5.4,1.000,ai-credits,0.01,0.01,0.01,0,1900,acme,acme/x,Eng`;
const report = (rows: number) => [HEADER, ...Array.from({ length: rows }, (_, i) => usageRow(i))].join("\n") + "\n";

/** A file that arrives in two halves: the second only when `release()` is called. */
function heldFile(rows: number) {
  const [first, second] = [report(rows).slice(0, 2000), report(rows).slice(2000)];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  async function* chunks() {
    yield first;
    await released;
    yield second;
  }
  return { input: chunks(), release };
}

async function importRow(db: DB, id: number) {
  return db.selectFrom("spendImports").select(["status", "errors"]).where("id", "=", id).executeTakeFirstOrThrow();
}

async function staged(db: DB, importId: number) {
  const row = await db
    .selectFrom("spendStaging")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("importId", "=", importId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function entries(db: DB, teamId: number) {
  const row = await db
    .selectFrom("spendEntries")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("teamId", "=", teamId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What a process killed mid-import leaves: a "running" row and some staged rows, and no one holding its lock. */
async function leftBehind(db: DB, teamId: number) {
  const { id } = await db
    .insertInto("spendImports")
    .values({ teamId, via: "upload", fileName: "cut-off.csv" })
    .returning("id")
    .executeTakeFirstOrThrow();
  await sql`insert into spend_staging (import_id, line, occurred_at, day, source, input_tokens, cache_read_tokens, cache_write_tokens,
              output_tokens, aggregated, dedupe_key)
            values (${id}, 2, now(), current_date, 'copilot-usage', 0, 0, 0, 0, true, 'k1'),
                   (${id}, 3, now(), current_date, 'copilot-usage', 0, 0, 0, 0, true, 'k2')`.execute(db);
  return Number(id);
}

/** Waits until the import has its row (it is then registered as running in this process). */
async function runningImportOf(db: DB, teamId: number) {
  for (let i = 0; i < 200; i++) {
    const row = await db
      .selectFrom("spendImports")
      .select("id")
      .where("teamId", "=", teamId)
      .where("status", "=", "running")
      .executeTakeFirst();
    if (row) return Number(row.id);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("the import did not start");
}

describeDb("interrupted spend imports", (t) => {
  it("marks an import whose process died failed, drops its staged rows, and a retry imports the whole file", async () => {
    const { team } = await makeTeam(t.db);
    const dead = await leftBehind(t.db, team.id);
    expect(await staged(t.db, dead)).toBe(2);

    expect(await recoverInterruptedImports(t.db)).toBe(1);
    const row = await importRow(t.db, dead);
    expect(row.status).toBe("failed");
    expect(JSON.stringify(row.errors)).toMatch(/interrupted/);
    expect(await staged(t.db, dead)).toBe(0);
    expect(await recoverInterruptedImports(t.db, { teamId: team.id })).toBe(0);

    const retry = await importSpendFile(t.db, report(50), { teamId: team.id, fileName: "cut-off.csv", via: "upload" });
    expect(retry).toMatchObject({ status: "imported", imported: 50, duplicates: 0 });
  });

  it("leaves an import that is still running alone, and the next import's check does too", async () => {
    const { team } = await makeTeam(t.db);
    const file = heldFile(300);
    const running = importSpendFile(t.db, file.input, { teamId: team.id, fileName: "slow.csv", via: "upload" });
    const id = await runningImportOf(t.db, team.id);

    expect(await recoverInterruptedImports(t.db, { teamId: team.id })).toBe(0);
    // Another import of the same team starts (and checks) while the first one waits for its file.
    const other = await importSpendFile(t.db, report(5).replace(/dev-/g, "other-"), {
      teamId: team.id,
      fileName: "quick.csv",
      via: "api",
    });
    expect(other).toMatchObject({ status: "imported", imported: 5 });
    expect((await importRow(t.db, id)).status).toBe("running");

    file.release();
    expect(await running).toMatchObject({ status: "imported", imported: 300 });
  });

  it("rolls an import back rather than keep part of a file once it was given up for dead", async () => {
    const { team } = await makeTeam(t.db);
    const file = heldFile(300);
    const running = importSpendFile(t.db, file.input, { teamId: team.id, fileName: "slow.csv", via: "upload" });
    const id = await runningImportOf(t.db, team.id);
    // As a wrong call would leave it: failed, with the rows staged so far gone.
    await t.db.updateTable("spendImports").set({ status: "failed" }).where("id", "=", id).execute();
    await t.db.deleteFrom("spendStaging").where("importId", "=", id).execute();

    file.release();
    await expect(running).rejects.toThrow(/given up for interrupted/);
    expect(await entries(t.db, team.id)).toBe(0);
    expect((await importRow(t.db, id)).status).toBe("failed");
  });

  it.runIf(t.kind === "postgres")(
    "on PostgreSQL, tells an import alive in another instance from a dead one by its lock",
    async () => {
      const { team } = await makeTeam(t.db);
      const id = await leftBehind(t.db, team.id);
      // Another instance's session, holding the import's lock as a running import does.
      const other = t.opened.pool!;
      const session = await other.connect();
      try {
        await session.query("select pg_advisory_lock(hashtext('spend_imports:' || current_schema()), $1::int)", [id]);
        expect(await recoverInterruptedImports(t.db, { teamId: team.id })).toBe(0);
        expect((await importRow(t.db, id)).status).toBe("running");
        // That instance dies: its session ends, and with it the lock.
      } finally {
        session.release(true);
      }
      await expect.poll(() => recoverInterruptedImports(t.db, { teamId: team.id })).toBe(1);
      expect((await importRow(t.db, id)).status).toBe("failed");
    },
  );
});
