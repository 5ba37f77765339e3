import { expect, it } from "vitest";
import { billingMonthOf, previousMonth } from "~/domain/organisation/billing-month";
import { getReconciliation } from "~/models/organisation-spend.server";
import { settleSpendChecks } from "~/models/spend.server";
import { addMember, createTeam } from "~/models/team.server";
import { createUser } from "~/models/user.server";
import { seedBacklog } from "../../scripts/seed/backlog";
import { DEMO_MEMBERS, type DemoContext } from "../../scripts/seed/demo";
import { DEMO_ORG, seedOrganisation } from "../../scripts/seed/organisation";
import { seedSpend } from "../../scripts/seed/spend";
import { seedSprints } from "../../scripts/seed/sprints";
import { describeDb } from "../helpers/db";

// The demo organisation's Bill page must mean something on first start: its own Copilot report,
// imported through the page's importer, with rows placed on teams, rows waiting (a person in two
// teams, a person in none) and rows without a user — this month (the page's default) and last.
describeDb("demo organisation bill", (t) => {
  it("seeds Acme's report with placed, not placed and organisation-level rows, without double counting the demo team", async () => {
    const members: DemoContext["members"] = [];
    for (const m of DEMO_MEMBERS) {
      const user = await createUser(t.db, { email: m.email, name: m.name, password: "long password 1" });
      members.push({ id: user.id, email: m.email, name: m.name, role: m.role });
    }
    const team = await createTeam(t.db, { name: "Demo Payments Team", slug: "demo", ownerId: members[0]!.id });
    for (const m of members.slice(1)) await addMember(t.db, { teamId: team.id, userId: m.id, role: m.role });
    const ctx: DemoContext = { db: t.db, teamId: team.id, members };
    await seedBacklog(ctx);
    await seedSprints(ctx);
    await seedSpend(ctx);
    await settleSpendChecks();
    const demoEntries = async () =>
      Number(
        (
          await t.db
            .selectFrom("spendEntries")
            .select((eb) => eb.fn.countAll().as("n"))
            .where("teamId", "=", team.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await demoEntries();

    await seedOrganisation(ctx);
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

    // The demo team's Copilot rows are the ones it imported itself: its spend does not grow.
    expect(await demoEntries()).toBe(before);
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
    await seedOrganisation(ctx);
    expect(await t.db.selectFrom("organisationSpendImports").select("id").execute()).toEqual(imports);
  });
});
