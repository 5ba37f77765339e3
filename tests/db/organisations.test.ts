import { expect, it } from "vitest";
import { getTeamMonthAllocation, listMonthAllocations, saveAllocations } from "~/models/allocation.server";
import { monthDailySpendByTeam, monthPlansByTeam } from "~/models/organisation-burn.server";
import {
  getOrOpenMonth,
  PoolTooSmallError,
  saveMonthPool,
  type MonthPoolInput,
} from "~/models/organisation-month.server";
import {
  acceptOrgInvite,
  acceptTeamRequest,
  changeOrgMemberRole,
  createOrganisation,
  createOrgInvite,
  findOrgInvite,
  getTeamOrganisation,
  LastAdminError,
  leaveOrDeclineOrganisation,
  listOpenOrgInvites,
  listOrgTeams,
  OrganisationError,
  removeOrgMember,
  requestTeamAttachment,
  saveCostCenter,
  listCostCenters,
  setTeamCostCenter,
} from "~/models/organisation.server";
import { createSprint } from "~/models/sprint.server";
import { exportTeam } from "~/models/team-export.server";
import { createTeamReset, ResetNotAllowedError, teamMayReset } from "~/models/password-reset.server";
import { addMember } from "~/models/team.server";
import { orgRoleOf } from "../helpers/memberships";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";
import { refreshRollups } from "~/models/attributed-spend.server";

let seq = 0;
const slug = (base: string) => `${base}-${seq++}-${Date.now().toString(36)}`;

const SEATS: MonthPoolInput = {
  poolSource: "seats",
  plan: "copilot-business",
  seats: 10,
  includedPerSeat: 1900,
  fixedCredits: null,
  overageBudgetCredits: 1000,
  exhaustionPolicy: "metered",
  allocationPolicy: "warn",
};

describeDb("organisations", (t) => {
  async function orgWithAdmin() {
    const admin = await makeUser(t.db, "Admin");
    const org = await createOrganisation(t.db, { name: "Acme", slug: slug("acme"), creatorId: admin.id });
    return { admin, org };
  }

  async function attached(orgId: number, adminId: number) {
    const { team, owner } = await makeTeam(t.db);
    await requestTeamAttachment(t.db, { organisationId: orgId, teamSlug: team.slug, requestedBy: adminId });
    await acceptTeamRequest(t.db, { teamId: team.id, organisationId: orgId, userId: owner.id });
    return { team, owner };
  }

  it("makes the creator admin, invites viewers, and never leaves the organisation without an admin", async () => {
    const { admin, org } = await orgWithAdmin();
    expect(await orgRoleOf(t.db, admin.id, org.slug)).toBe("admin");
    const viewer = await makeUser(t.db, "Finance");
    const { token } = await createOrgInvite(t.db, { organisationId: org.id, role: "viewer", createdBy: admin.id });
    expect(await acceptOrgInvite(t.db, { token: "wrong", userId: viewer.id })).toBeNull();
    expect(await acceptOrgInvite(t.db, { token, userId: viewer.id })).toMatchObject({ slug: org.slug });
    expect(await orgRoleOf(t.db, viewer.id, org.slug)).toBe("viewer");
    await expect(
      changeOrgMemberRole(t.db, { organisationId: org.id, userId: admin.id, role: "viewer" }),
    ).rejects.toThrow(LastAdminError);
    await expect(removeOrgMember(t.db, { organisationId: org.id, userId: admin.id })).rejects.toThrow(LastAdminError);
    // Another organisation's id does not reach this membership.
    const other = await orgWithAdmin();
    expect(await removeOrgMember(t.db, { organisationId: other.org.id, userId: viewer.id })).toBe(false);
  });

  it("lets one person join with an invite link, in the same transaction, and tells the next one it was used", async () => {
    const { admin, org } = await orgWithAdmin();
    const { token } = await createOrgInvite(t.db, { organisationId: org.id, role: "admin", createdBy: admin.id });
    // The admin opening their own link leaves it for the person it was meant for.
    expect(await acceptOrgInvite(t.db, { token, userId: admin.id })).toEqual({ status: "joined", slug: org.slug });
    expect((await findOrgInvite(t.db, token))?.state).toBe("open");

    const first = await makeUser(t.db, "First");
    const second = await makeUser(t.db, "Second");
    expect(await acceptOrgInvite(t.db, { token, userId: first.id })).toEqual({ status: "joined", slug: org.slug });
    expect(await acceptOrgInvite(t.db, { token, userId: second.id })).toEqual({ status: "used" });
    expect(await orgRoleOf(t.db, second.id, org.slug)).toBeUndefined();
    // The one who used it is told so (and posting again changes nothing); a used link is no longer open.
    expect(await findOrgInvite(t.db, token, first.id)).toMatchObject({ state: "used", usedByYou: true });
    expect(await findOrgInvite(t.db, token, second.id)).toMatchObject({ state: "used", usedByYou: false });
    expect(await acceptOrgInvite(t.db, { token, userId: first.id })).toEqual({ status: "joined", slug: org.slug });
    expect(await listOpenOrgInvites(t.db, org.id)).toEqual([]);

    // Two people accepting one link at once: one joins, the other is told it was used.
    const raced = await createOrgInvite(t.db, { organisationId: org.id, role: "viewer", createdBy: admin.id });
    const racers = await Promise.all([makeUser(t.db, "Racer"), makeUser(t.db, "Racer"), makeUser(t.db, "Racer")]);
    const results = await Promise.all(racers.map((r) => acceptOrgInvite(t.db, { token: raced.token, userId: r.id })));
    expect(results.filter((r) => r?.status === "joined")).toHaveLength(1);
    expect(results.filter((r) => r?.status === "used")).toHaveLength(2);
    const seated = await Promise.all(racers.map((r) => orgRoleOf(t.db, r.id, org.slug)));
    expect(seated.filter(Boolean)).toHaveLength(1);
  });

  it("answers a request for a missing team like one for a real team, and holds a team in one organisation", async () => {
    const a = await orgWithAdmin();
    const b = await orgWithAdmin();
    expect(
      await requestTeamAttachment(t.db, {
        organisationId: a.org.id,
        teamSlug: "no-such-team-x",
        requestedBy: a.admin.id,
      }),
    ).toBe("requested");
    expect(await listOrgTeams(t.db, a.org.id)).toEqual([]);

    const { team, owner } = await makeTeam(t.db);
    for (const o of [a, b])
      await requestTeamAttachment(t.db, { organisationId: o.org.id, teamSlug: team.slug, requestedBy: o.admin.id });
    // While only asked, the organisation sees the address it typed, not the team's name.
    expect((await listOrgTeams(t.db, a.org.id))[0]).toMatchObject({ status: "requested", name: team.slug });
    await acceptTeamRequest(t.db, { teamId: team.id, organisationId: a.org.id, userId: owner.id });
    await expect(
      acceptTeamRequest(t.db, { teamId: team.id, organisationId: b.org.id, userId: owner.id }),
    ).rejects.toThrow(OrganisationError);
    expect(await getTeamOrganisation(t.db, team.id)).toMatchObject({ organisationId: a.org.id });
    expect(
      await leaveOrDeclineOrganisation(t.db, { teamId: team.id, organisationId: a.org.id, userId: owner.id }),
    ).toBe("accepted");
    expect(await getTeamOrganisation(t.db, team.id)).toBeUndefined();
    // The other request still waits and can now be accepted.
    await acceptTeamRequest(t.db, { teamId: team.id, organisationId: b.org.id, userId: owner.id });
    expect(await getTeamOrganisation(t.db, team.id)).toMatchObject({ organisationId: b.org.id });
  });

  it("puts a team only in its own organisation's cost centers", async () => {
    const a = await orgWithAdmin();
    const b = await orgWithAdmin();
    const { team } = await attached(a.org.id, a.admin.id);
    await saveCostCenter(t.db, { organisationId: b.org.id, costCenterId: null, name: "Payments", capCredits: null });
    const [foreign] = await listCostCenters(t.db, b.org.id);
    await expect(
      setTeamCostCenter(t.db, { organisationId: a.org.id, teamId: team.id, costCenterId: foreign!.id }),
    ).rejects.toThrow(OrganisationError);
    await saveCostCenter(t.db, { organisationId: a.org.id, costCenterId: null, name: "Payments", capCredits: 5000 });
    const [mine] = await listCostCenters(t.db, a.org.id);
    await setTeamCostCenter(t.db, { organisationId: a.org.id, teamId: team.id, costCenterId: mine!.id });
    expect((await listOrgTeams(t.db, a.org.id))[0]).toMatchObject({ costCenterName: "Payments" });
  });

  it("opens a new month from the previous one, allocations included, and leaves history alone", async () => {
    const { admin, org } = await orgWithAdmin();
    expect(await getOrOpenMonth(t.db, { organisationId: org.id, month: "2026-03" })).toBeUndefined();
    const { team } = await attached(org.id, admin.id);
    await saveMonthPool(t.db, { organisationId: org.id, month: "2026-03", userId: admin.id, settings: SEATS });
    const saved = await saveAllocations(t.db, {
      organisationId: org.id,
      month: "2026-03",
      userId: admin.id,
      allocations: [{ teamId: team.id, kind: "percent", percent: 25 }],
    });
    expect(saved).toEqual({ ok: true, allocated: 4750, reserve: 19000 - 4750 + 1000 });

    const may = await getOrOpenMonth(t.db, { organisationId: org.id, month: "2026-05" });
    expect(may).toMatchObject({ openedFrom: "2026-03", seats: 10, includedPerSeat: 1900, overageBudgetCredits: 1000 });
    expect(await listMonthAllocations(t.db, { organisationId: org.id, month: "2026-05" })).toEqual([
      { teamId: team.id, credits: 4750, percent: 25 },
    ]);
    // Changing May's pool moves May's share-based allocation, not March's.
    await saveMonthPool(t.db, {
      organisationId: org.id,
      month: "2026-05",
      userId: admin.id,
      settings: { ...SEATS, seats: 20 },
    });
    expect((await listMonthAllocations(t.db, { organisationId: org.id, month: "2026-05" }))[0]!.credits).toBe(9500);
    expect((await listMonthAllocations(t.db, { organisationId: org.id, month: "2026-03" }))[0]!.credits).toBe(4750);
    // Reading the month twice does not open it twice.
    expect(await getOrOpenMonth(t.db, { organisationId: org.id, month: "2026-05" })).toMatchObject({ seats: 20 });
  });

  it("refuses allocations over the pool plus overage, and a pool below its allocations, keeping what was there", async () => {
    const { admin, org } = await orgWithAdmin();
    const one = await attached(org.id, admin.id);
    const two = await attached(org.id, admin.id);
    const month = "2026-04";
    await saveMonthPool(t.db, { organisationId: org.id, month, userId: admin.id, settings: SEATS });
    await saveAllocations(t.db, {
      organisationId: org.id,
      month,
      userId: admin.id,
      allocations: [{ teamId: one.team.id, kind: "credits", credits: 15000 }],
    });
    const refused = await saveAllocations(t.db, {
      organisationId: org.id,
      month,
      userId: admin.id,
      allocations: [
        { teamId: one.team.id, kind: "credits", credits: 15000 },
        { teamId: two.team.id, kind: "credits", credits: 5001 },
      ],
    });
    expect(refused.ok).toBe(false);
    expect(await listMonthAllocations(t.db, { organisationId: org.id, month })).toEqual([
      { teamId: one.team.id, credits: 15000, percent: null },
    ]);
    // A team of another organisation cannot be allocated.
    const { team: foreign } = await makeTeam(t.db);
    const notOurs = await saveAllocations(t.db, {
      organisationId: org.id,
      month,
      userId: admin.id,
      allocations: [{ teamId: foreign.id, kind: "credits", credits: 1 }],
    });
    expect(notOurs.ok).toBe(false);
    await expect(
      saveMonthPool(t.db, { organisationId: org.id, month, userId: admin.id, settings: { ...SEATS, seats: 5 } }),
    ).rejects.toThrow(PoolTooSmallError);
    expect(await getOrOpenMonth(t.db, { organisationId: org.id, month })).toMatchObject({ seats: 10 });
  });

  it("refuses allocations over a cost center's cap", async () => {
    const { admin, org } = await orgWithAdmin();
    const { team } = await attached(org.id, admin.id);
    await saveCostCenter(t.db, { organisationId: org.id, costCenterId: null, name: "Platform", capCredits: 1000 });
    const [center] = await listCostCenters(t.db, org.id);
    await setTeamCostCenter(t.db, { organisationId: org.id, teamId: team.id, costCenterId: center!.id });
    await saveMonthPool(t.db, { organisationId: org.id, month: "2026-06", userId: admin.id, settings: SEATS });
    const result = await saveAllocations(t.db, {
      organisationId: org.id,
      month: "2026-06",
      userId: admin.id,
      allocations: [{ teamId: team.id, kind: "credits", credits: 1001 }],
    });
    expect(result).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining("cap of 1000") }] });
  });

  it("buckets spend by UTC billing day and splits sprints across months by working days", async () => {
    const { admin, org } = await orgWithAdmin();
    const { team, owner } = await attached(org.id, admin.id);
    // 23:30 on 31 March in UTC is 1 April in Berlin: it belongs to March's bill.
    for (const [at, day, credits] of [
      ["2026-03-31T23:30:00Z", "2026-04-01", 40],
      ["2026-04-01T08:00:00Z", "2026-04-01", 2],
    ] as const) {
      await t.db
        .insertInto("spendEntries")
        .values({
          teamId: team.id,
          occurredAt: at,
          day,
          source: "manual",
          credits,
          inputTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          outputTokens: 0,
          aggregated: false,
          dedupeKey: `${at}-${credits}`,
        })
        .execute();
      await refreshRollups(t.db, team.id, [day]); // as the app does with every write
    }
    const march = await monthDailySpendByTeam(t.db, { teamIds: [team.id], month: "2026-03" });
    expect(march.get(team.id)).toEqual({ "2026-03-31": 40 });
    const april = await monthDailySpendByTeam(t.db, { teamIds: [team.id], month: "2026-04" });
    expect(april.get(team.id)).toEqual({ "2026-04-01": 2 });

    // Mon 30 March – Fri 10 April: 2 of 10 working days in March.
    await createSprint(t.db, {
      teamId: team.id,
      createdBy: owner.id,
      name: "Straddle",
      goal: "",
      start: "2026-03-30",
      end: "2026-04-10",
      capacityKind: "credits",
      capacityCredits: 1000,
      poolPlan: null,
      poolSeats: null,
      poolPerSeat: null,
      reservePercent: 0,
      commitBasis: "expected",
      exhaustionPolicy: "warn",
    });
    const plans = await monthPlansByTeam(t.db, { teamIds: [team.id], month: "2026-03" });
    expect(plans.get(team.id)).toEqual({ capacity: 200, expected: 0, p80: 0 });
    expect((await monthPlansByTeam(t.db, { teamIds: [team.id], month: "2026-04" })).get(team.id)!.capacity).toBe(800);

    await saveMonthPool(t.db, {
      organisationId: org.id,
      month: "2026-03",
      userId: admin.id,
      settings: { ...SEATS, allocationPolicy: "refuse" },
    });
    expect(await getTeamMonthAllocation(t.db, { teamId: team.id, month: "2026-03" })).toMatchObject({
      policy: "refuse",
      allocation: 0,
    });
  });

  it("exports a team without anything of its organisation", async () => {
    const { admin, org } = await orgWithAdmin();
    const { team } = await attached(org.id, admin.id);
    await saveMonthPool(t.db, { organisationId: org.id, month: "2026-07", userId: admin.id, settings: SEATS });
    await saveAllocations(t.db, {
      organisationId: org.id,
      month: "2026-07",
      userId: admin.id,
      allocations: [{ teamId: team.id, kind: "credits", credits: 1234.5 }],
    });
    const file = JSON.stringify(await exportTeam(t.db, team.id));
    expect(file).not.toContain(org.slug);
    expect(file).not.toContain("1234.5");
    expect(file).not.toMatch(/organisation|allocationPolicy|costCenter/i);
  });

  it("lets no team make a reset link for an organisation member, even one it outranks everywhere", async () => {
    const { team, owner } = await makeTeam(t.db);
    const member = await makeUser(t.db, "Member");
    await addMember(t.db, { teamId: team.id, userId: member.id, role: "member" });
    expect(await teamMayReset(t.db, { teamId: team.id, makerId: owner.id, userId: member.id })).toBe(true);
    // The member becomes an org admin elsewhere: the team's owner no longer controls all they reach.
    await createOrganisation(t.db, { name: "Elsewhere", slug: slug("elsewhere"), creatorId: member.id });
    expect(await teamMayReset(t.db, { teamId: team.id, makerId: owner.id, userId: member.id })).toBe(false);
    await expect(createTeamReset(t.db, { teamId: team.id, makerId: owner.id, userId: member.id })).rejects.toThrow(
      ResetNotAllowedError,
    );
  });
});
