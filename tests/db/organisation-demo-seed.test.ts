import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { billingMonthOf, previousMonth } from "~/domain/organisation/billing-month";
import { getReconciliation } from "~/models/organisation-spend.server";
import { settleSpendChecks } from "~/models/spend.server";
import type { Services } from "~/utils/database-and-secrets.server";
import { readEnv } from "~/utils/env.server";
import { ensureDemo } from "../../scripts/seed/demo";
import { DEMO_ORG } from "../../scripts/seed/organisation";
import { describeDb } from "../helpers/db";

// The demo organisation's Bill page must mean something on first start: its own Copilot report,
// imported through the page's importer, with rows placed on teams, rows waiting (a person in two
// teams, a person in none) and rows without a user — this month (the page's default) and last.
describeDb("demo organisation bill", (t) => {
  it("seeds Acme's report with placed, not placed and organisation-level rows, without double counting the demo team", async () => {
    // Through the demo's own entry, as `npm start` runs it: the steps must hand the spend step's
    // Copilot report on to the organisation's.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-org-"));
    const services = { env: readEnv({ NODE_ENV: "test", PGLITE_DIR: path.join(dir, "pg") }), db: t.db } as Services;
    await ensureDemo(services);
    await settleSpendChecks();

    const org = await t.db
      .selectFrom("organisations")
      .select("id")
      .where("slug", "=", DEMO_ORG)
      .executeTakeFirstOrThrow();
    const month = billingMonthOf(new Date());
    for (const m of [month, previousMonth(month)]) {
      const rec = await getReconciliation(t.db, { organisationId: Number(org.id), month: m });
      expect(rec.placed.rows, m).toBeGreaterThan(0);
      expect(rec.unplaced.rows, m).toBeGreaterThan(0);
      expect(rec.organisationLevel.rows, m).toBeGreaterThan(0);
      expect(rec.bill).toBeCloseTo(rec.placed.credits + rec.unplaced.credits + rec.organisationLevel.credits, 6);
      if (m === month) {
        // Both reasons for waiting are there today, whatever the day of the month.
        const ravi = rec.unmapped.find((u) => u.identity === "ravi-m");
        expect([...(ravi?.heldBy ?? [])].sort()).toEqual(["Mobile App Team", "Platform Team"]);
        expect(rec.unmapped.find((u) => u.identity === "jo-contractor")?.heldBy).toEqual([]);
      }
    }

    // The demo team's Copilot rows are in the bill, and they are the ones it imported itself (the
    // same dedupe keys): the team's spend holds each once.
    const demoCopilot = await t.db
      .selectFrom("spendEntries as e")
      .innerJoin("teams as t", "t.id", "e.teamId")
      .select("e.dedupeKey")
      .where("t.slug", "=", "demo")
      .where("e.source", "in", ["copilot-usage", "copilot-premium"])
      .where("e.externalUser", "in", ["dana-demo", "sam-okafor", "kim-laine"])
      .execute();
    const billed = await t.db
      .selectFrom("organisationSpendRows")
      .select(["dedupeKey", "placement"])
      .where("identity", "in", ["dana-demo", "sam-okafor", "kim-laine"])
      .execute();
    expect(billed.length).toBeGreaterThan(10);
    expect(billed.every((r) => r.placement === "placed")).toBe(true);
    expect(new Set(billed.map((r) => r.dedupeKey))).toEqual(new Set(demoCopilot.map((r) => r.dedupeKey)));
    expect(demoCopilot).toHaveLength(billed.length);

    // Platform's and Mobile's owners' rows land in those teams' spend, with no story attached.
    const landed = await t.db
      .selectFrom("spendEntries as e")
      .innerJoin("teams as t", "t.id", "e.teamId")
      .select(["t.slug", "e.externalUser", "e.storyKey"])
      .where("e.externalUser", "in", ["pia-platform", "mo-mobile", "ravi-m", "jo-contractor"])
      .execute();
    expect(new Set(landed.map((r) => `${r.slug}:${r.externalUser}`))).toEqual(
      new Set(["platform:pia-platform", "mobile:mo-mobile"]),
    );
    expect(landed.every((r) => r.storyKey === null)).toBe(true);

    // Running the demo again changes nothing.
    const imports = await t.db.selectFrom("organisationSpendImports").select("id").execute();
    const count = async () =>
      Number(
        (
          await t.db
            .selectFrom("spendEntries")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const entries = await count();
    await ensureDemo(services);
    expect(await t.db.selectFrom("organisationSpendImports").select("id").execute()).toEqual(imports);
    expect(await count()).toBe(entries);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
