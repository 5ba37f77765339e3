// Attacks on the organisation models (issue 17) that need two requests at once or a crafted input
// below the routes: each test failed before its fix.
import { expect, it } from "vitest";
import { listMonthAllocations, saveAllocations } from "~/models/allocation.server";
import { poolOf, saveMonthPool, type MonthPoolInput } from "~/models/organisation-month.server";
import { acceptTeamRequest, createOrganisation, requestTeamAttachment } from "~/models/organisation.server";
import { getOrOpenMonth } from "~/models/organisation-month.server";
import { importOrganisationReport } from "~/models/organisation-spend.server";
import { settleSpendChecks } from "~/models/spend.server";
import { createStories } from "~/models/story.server";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

let seq = 0;
const slug = (base: string) => `${base}-${seq++}-${Date.now().toString(36)}`;

const fixed = (credits: number): MonthPoolInput => ({
  poolSource: "fixed",
  plan: null,
  seats: null,
  includedPerSeat: null,
  fixedCredits: credits,
  overageBudgetCredits: 0,
  exhaustionPolicy: "block",
  allocationPolicy: "warn",
});

describeDb("organisation security", (t) => {
  async function orgWithTeam() {
    const admin = await makeUser(t.db, "Admin");
    const org = await createOrganisation(t.db, { name: "Acme", slug: slug("acme"), creatorId: admin.id });
    const { team, owner } = await makeTeam(t.db);
    await requestTeamAttachment(t.db, { organisationId: org.id, teamSlug: team.slug, requestedBy: admin.id });
    await acceptTeamRequest(t.db, { teamId: team.id, organisationId: org.id, userId: owner.id });
    return { admin, org, team, owner };
  }

  it("two admins at once — one lowering the pool, one allocating the old pool — never leave a month over-allocated", async () => {
    const { admin, org, team } = await orgWithTeam();
    for (let i = 1; i <= 8; i++) {
      const month = `2031-${String(i).padStart(2, "0")}`;
      await saveMonthPool(t.db, { organisationId: org.id, month, userId: admin.id, settings: fixed(10_000) });
      const outcomes = await Promise.allSettled([
        saveAllocations(t.db, {
          organisationId: org.id,
          month,
          userId: admin.id,
          allocations: [{ teamId: team.id, kind: "credits", credits: 9_000 }],
        }),
        saveMonthPool(t.db, { organisationId: org.id, month, userId: admin.id, settings: fixed(1_000) }),
      ]);
      // Either may win; neither may crash the other with a 500-shaped error beyond the pool refusal.
      for (const o of outcomes) if (o.status === "rejected") expect(o.reason.name).toBe("PoolTooSmallError");
      const settings = (await getOrOpenMonth(t.db, { organisationId: org.id, month }))!;
      const ceiling = poolOf(settings).ceiling;
      const allocated = (await listMonthAllocations(t.db, { organisationId: org.id, month })).reduce(
        (sum, a) => sum + Number(a.credits),
        0,
      );
      expect(allocated, `month ${month}`).toBeLessThanOrEqual(ceiling);
    }
  });

  it("an org admin's report lands on a team as the bill's spend, never on the team's stories or sessions", async () => {
    // The bill is the organisation's: its rows may count against a team's month, but an org admin
    // must not be able to pin spend on a story (its actuals feed the team's calibration and
    // retrospective) or a session by writing a story key into a file of their own making.
    const { admin, org, team, owner } = await orgWithTeam();
    await t.db
      .insertInto("spendIdentities")
      .values({ teamId: team.id, identity: "dana-k", userId: owner.id, createdBy: null })
      .execute();
    const [story] = await createStories(t.db, {
      teamId: team.id,
      stories: [{ key: "PAY-9", title: "Settlement retries", link: null, labels: [], description: "" }],
    });
    const forged = [
      "date,user,model,credits,story,session,repository",
      "2026-11-24T10:00:00Z,dana-k,gpt-5,5000,PAY-9,s-1,acme/payments",
    ].join("\n");
    const result = await importOrganisationReport(t.db, forged, {
      organisationId: org.id,
      fileName: "forged.csv",
      via: "upload",
      userId: admin.id,
      format: "generic-csv",
    });
    await settleSpendChecks();
    expect(result).toMatchObject({ status: "imported", placed: 1 });
    const entries = await t.db
      .selectFrom("spendEntries")
      .select(["credits", "storyId", "storyKey", "sessionId", "repository"])
      .where("teamId", "=", team.id)
      .execute();
    expect(entries.map((e) => ({ ...e, credits: Number(e.credits) }))).toEqual([
      { credits: 5000, storyId: null, storyKey: null, sessionId: null, repository: null },
    ]);
    expect(story).toBeTruthy();
  });
});
