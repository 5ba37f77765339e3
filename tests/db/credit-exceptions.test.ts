import { expect, it } from "vitest";
import {
  declineException,
  ExceptionError,
  getExceptionMonth,
  grantException,
  listExceptions,
  requestException,
} from "~/models/credit-exception.server";
import { createStory, recordEstimate } from "~/models/story.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";
import { addSpend, makeOrganisation, setMonthPool } from "../helpers/org-fixture";

const MONTH = "2026-12";

describeDb("credit exceptions", (t) => {
  async function setup() {
    const made = await makeOrganisation(t.db, { teams: 3 });
    const [a, b, c] = made.teams.map((x) => x.team);
    await setMonthPool(t.db, {
      organisationId: made.org.id,
      month: MONTH,
      fixedCredits: 10_000,
      allocations: [
        [a!.id, 4_000],
        [b!.id, 3_000],
        [c!.id, 2_000],
      ],
    });
    return { ...made, a: a!, b: b!, c: c!, ownerA: made.teams[0]!.owner };
  }

  async function estimatedStory(teamId: number, ownerId: number) {
    const story = await createStory(t.db, {
      teamId,
      key: "PAY-1",
      title: "Retry",
      link: null,
      labels: [],
      description: "",
    });
    await recordEstimate(t.db, {
      teamId,
      storyId: story.id,
      levels: { intensity: "standard", autonomy: "pair", risk: "low" },
      source: "solo",
      createdBy: ownerId,
    });
    return story;
  }

  it("keeps the request with its stories' estimates, and grants from the reserve into the allocation", async () => {
    const s = await setup();
    const story = await estimatedStory(s.a.id, s.ownerA.id);
    const { id } = await requestException(t.db, {
      organisationId: s.org.id,
      teamId: s.a.id,
      month: MONTH,
      sprintId: null,
      credits: 600,
      reason: "Migration needs a second pass",
      storyIds: [story.id],
      userId: s.ownerA.id,
    });
    const [listed] = await listExceptions(t.db, { organisationId: s.org.id, month: MONTH });
    expect(listed).toMatchObject({ id, status: "requested", requestedCredits: 600, teamName: s.a.name });
    expect(listed!.stories).toHaveLength(1);
    expect(listed!.stories[0]!.title).toBe("PAY-1 Retry");
    expect(listed!.stories[0]!.expectedCredits).toBeGreaterThan(0);

    expect((await getExceptionMonth(t.db, { organisationId: s.org.id, month: MONTH })).reserve).toBe(1_000);
    await grantException(t.db, {
      organisationId: s.org.id,
      exceptionId: id,
      source: "reserve",
      sourceTeamId: null,
      credits: null,
      actorId: s.admin.id,
    });
    const after = await getExceptionMonth(t.db, { organisationId: s.org.id, month: MONTH });
    expect(after.reserve).toBe(400);
    expect(after.teams.find((x) => x.id === s.a.id)!.allocation).toBe(4_600);
    const [decided] = await listExceptions(t.db, { teamId: s.a.id });
    expect(decided).toMatchObject({
      status: "granted",
      source: "reserve",
      grantedCredits: 600,
      decidedByName: s.admin.name,
    });
  });

  it("grants from another team's unused allocation, but not more than it has unused", async () => {
    const s = await setup();
    await addSpend(t.db, { teamId: s.b.id, at: "2026-12-03T10:00:00Z", credits: 2_500 });
    // Spend of another month does not count against December.
    await addSpend(t.db, { teamId: s.b.id, at: "2026-11-30T23:59:59Z", credits: 400 });
    const ask = (credits: number) =>
      requestException(t.db, {
        organisationId: s.org.id,
        teamId: s.a.id,
        month: MONTH,
        sprintId: null,
        credits,
        reason: "More",
        storyIds: [],
        userId: s.ownerA.id,
      });
    const big = await ask(501);
    await expect(
      grantException(t.db, {
        organisationId: s.org.id,
        exceptionId: big.id,
        source: "team",
        sourceTeamId: s.b.id,
        credits: null,
        actorId: s.admin.id,
      }),
    ).rejects.toThrow(/has 500 credits unused/);
    const granted = await grantException(t.db, {
      organisationId: s.org.id,
      exceptionId: big.id,
      source: "team",
      sourceTeamId: s.b.id,
      credits: 500,
      actorId: s.admin.id,
    });
    expect(granted.credits).toBe(500);
    const month = await getExceptionMonth(t.db, { organisationId: s.org.id, month: MONTH });
    expect(month.teams.find((x) => x.id === s.a.id)!.allocation).toBe(4_500);
    expect(month.teams.find((x) => x.id === s.b.id)!.allocation).toBe(2_500);
    expect(month.reserve).toBe(1_000);
    // A team cannot give to itself.
    const self = await ask(10);
    await expect(
      grantException(t.db, {
        organisationId: s.org.id,
        exceptionId: self.id,
        source: "team",
        sourceTeamId: s.a.id,
        credits: null,
        actorId: s.admin.id,
      }),
    ).rejects.toBeInstanceOf(ExceptionError);
  });

  it("never lets a grant take the reserve below zero, even two at once", async () => {
    const s = await setup();
    const ask = () =>
      requestException(t.db, {
        organisationId: s.org.id,
        teamId: s.c.id,
        month: MONTH,
        sprintId: null,
        credits: 700,
        reason: "More",
        storyIds: [],
        userId: s.admin.id,
      });
    const [x, y] = [await ask(), await ask()];
    const results = await Promise.allSettled([
      grantException(t.db, {
        organisationId: s.org.id,
        exceptionId: x.id,
        source: "reserve",
        sourceTeamId: null,
        credits: null,
        actorId: s.admin.id,
      }),
      grantException(t.db, {
        organisationId: s.org.id,
        exceptionId: y.id,
        source: "reserve",
        sourceTeamId: null,
        credits: null,
        actorId: s.admin.id,
      }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await getExceptionMonth(t.db, { organisationId: s.org.id, month: MONTH })).reserve).toBe(300);
  });

  it("declines with a reason once, and keeps the history", async () => {
    const s = await setup();
    const { id } = await requestException(t.db, {
      organisationId: s.org.id,
      teamId: s.a.id,
      month: MONTH,
      sprintId: null,
      credits: 50,
      reason: "More",
      storyIds: [],
      userId: s.ownerA.id,
    });
    await declineException(t.db, {
      organisationId: s.org.id,
      exceptionId: id,
      reason: "Use the p50 path first",
      actorId: s.admin.id,
    });
    await expect(
      grantException(t.db, {
        organisationId: s.org.id,
        exceptionId: id,
        source: "reserve",
        sourceTeamId: null,
        credits: null,
        actorId: s.admin.id,
      }),
    ).rejects.toThrow(/already decided/);
    const [row] = await listExceptions(t.db, { teamId: s.a.id, month: MONTH });
    expect(row).toMatchObject({ status: "declined", declineReason: "Use the p50 path first" });
  });

  it("keeps every query inside its organisation and team", async () => {
    const s = await setup();
    const other = await makeOrganisation(t.db, { teams: 1 });
    const { team: stranger, owner } = await makeTeam(t.db, "Stranger");
    const foreignStory = await estimatedStory(stranger.id, owner.id);
    // A team outside the organisation cannot ask it; stories of another team cannot be named.
    await expect(
      requestException(t.db, {
        organisationId: s.org.id,
        teamId: stranger.id,
        month: MONTH,
        sprintId: null,
        credits: 5,
        reason: "x",
        storyIds: [],
        userId: owner.id,
      }),
    ).rejects.toThrow(/not in an organisation/);
    await expect(
      requestException(t.db, {
        organisationId: s.org.id,
        teamId: s.a.id,
        month: MONTH,
        sprintId: null,
        credits: 5,
        reason: "x",
        storyIds: [foreignStory.id],
        userId: s.ownerA.id,
      }),
    ).rejects.toThrow(/not this team's/);
    const { id } = await requestException(t.db, {
      organisationId: s.org.id,
      teamId: s.a.id,
      month: MONTH,
      sprintId: null,
      credits: 5,
      reason: "x",
      storyIds: [],
      userId: s.ownerA.id,
    });
    // Another organisation's admin cannot decide it, nor draw on a team outside its organisation.
    await expect(
      grantException(t.db, {
        organisationId: other.org.id,
        exceptionId: id,
        source: "reserve",
        sourceTeamId: null,
        credits: null,
        actorId: other.admin.id,
      }),
    ).rejects.toThrow(/not this organisation's/);
    await expect(
      grantException(t.db, {
        organisationId: s.org.id,
        exceptionId: id,
        source: "team",
        sourceTeamId: other.teams[0]!.team.id,
        credits: null,
        actorId: s.admin.id,
      }),
    ).rejects.toThrow(/another team of the organisation/);
    await expect(
      declineException(t.db, { organisationId: other.org.id, exceptionId: id, reason: "no", actorId: other.admin.id }),
    ).rejects.toThrow(/not this organisation's/);
    expect(await listExceptions(t.db, { organisationId: other.org.id })).toEqual([]);
  });
});
