// Attacks on the organisation models (issue 17) that need two requests at once or a crafted input
// below the routes: each test failed before its fix.
import { expect, it } from "vitest";
import { listMonthAllocations, saveAllocations } from "~/models/allocation.server";
import { poolOf, saveMonthPool, type MonthPoolInput } from "~/models/organisation-month.server";
import { acceptTeamRequest, createOrganisation, requestTeamAttachment } from "~/models/organisation.server";
import { getOrOpenMonth } from "~/models/organisation-month.server";
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
    return { admin, org, team };
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
});
