import { expect, it } from "vitest";
import { reportCsv } from "~/domain/organisation/report";
import { getOrganisationReport } from "~/models/organisation-report.server";
import { saveStoryOutcome } from "~/models/story-outcome.server";
import { createStory, recordEstimate } from "~/models/story.server";
import { describeDb } from "../helpers/db";
import { addSpend, makeOrganisation, setMonthPool } from "../helpers/org-fixture";
import { refreshRollups } from "~/models/attributed-spend.server";

describeDb("organisation report", (t) => {
  it("sums the organisation's teams by team, month and shape, lists outliers with their outcome notes, and nothing of other organisations", async () => {
    const made = await makeOrganisation(t.db, { teams: 2 });
    const other = await makeOrganisation(t.db, { teams: 1 });
    const [a, b] = made.teams.map((x) => x.team);
    await setMonthPool(t.db, {
      organisationId: made.org.id,
      month: "2026-12",
      fixedCredits: 5_000,
      allocations: [[a!.id, 2_000]],
    });

    const story = await createStory(t.db, {
      teamId: a!.id,
      key: "PAY-7",
      title: "Ledger",
      link: null,
      labels: [],
      description: "",
    });
    await recordEstimate(t.db, {
      teamId: a!.id,
      storyId: story.id,
      levels: { intensity: "standard", autonomy: "pair", risk: "low" },
      source: "solo",
      createdBy: made.teams[0]!.owner.id,
    });
    await saveStoryOutcome(t.db, {
      teamId: a!.id,
      storyId: story.id,
      recordedBy: null,
      markDone: true,
      bought: "A ledger that reconciles",
      reviewBurden: "light",
      causeTags: [],
      note: "Worth the retries",
    });
    await addSpend(t.db, { teamId: a!.id, at: "2026-12-02T10:00:00Z", credits: 5_000, model: "gpt-5" });
    await t.db.updateTable("spendEntries").set({ storyId: story.id }).where("teamId", "=", a!.id).execute();
    await refreshRollups(t.db, a!.id, "all"); // as the app's assignment does
    await addSpend(t.db, { teamId: b!.id, at: "2026-12-03T10:00:00Z", credits: 250.25 });
    await addSpend(t.db, { teamId: b!.id, at: "2026-11-03T10:00:00Z", credits: 100 });
    await addSpend(t.db, { teamId: other.teams[0]!.team.id, at: "2026-12-03T10:00:00Z", credits: 99_999 });

    const report = await getOrganisationReport(t.db, { organisationId: made.org.id, month: "2026-12" });
    expect(report.teams.map((x) => [x.team, x.credits, x.allocation])).toEqual([
      [a!.name, 5_000, 2_000],
      [b!.name, 250.25, null],
    ]);
    expect(report.months.slice(0, 2)).toEqual([
      { month: "2026-12", credits: 5_250.25 },
      { month: "2026-11", credits: 100 },
    ]);
    expect(report.shapes.model.map((g) => [g.group, g.credits])).toEqual([
      ["gpt-5", 5_000],
      ["unknown", 250.25],
    ]);
    expect(report.shapes.size.reduce((s, g) => s + g.credits, 0)).toBeCloseTo(5_250.25, 6);
    expect(report.outliers).toHaveLength(1);
    expect(report.outliers[0]).toMatchObject({
      team: a!.name,
      story: "PAY-7 Ledger",
      actual: 5_000,
      bought: "A ledger that reconciles",
      note: "Worth the retries",
    });
    const csv = reportCsv(report);
    expect(csv).not.toContain("99999");
    expect(csv).toContain("A ledger that reconciles — Worth the retries");
  });

  it("counts each month by UTC instant, also for teams whose local day is another date at the month's edges", async () => {
    const made = await makeOrganisation(t.db, { teams: 2 });
    const [east, west] = made.teams.map((x) => x.team);
    const spend = [
      // A team at UTC+14: its Dec 1 begins at 10:00 UTC on Nov 30.
      { teamId: east!.id, at: "2026-11-30T12:00:00Z", day: "2026-12-01", credits: 1 }, // November
      { teamId: east!.id, at: "2026-12-15T12:00:00Z", day: "2026-12-16", credits: 2 }, // December
      { teamId: east!.id, at: "2026-07-31T23:00:00Z", day: "2026-08-01", credits: 4 }, // July
      { teamId: east!.id, at: "2026-06-30T20:00:00Z", day: "2026-07-01", credits: 8 }, // June: before the report's months
      // A team at UTC−11: its Nov 30 ends at 11:00 UTC on Dec 1.
      { teamId: west!.id, at: "2026-12-01T05:00:00Z", day: "2026-11-30", credits: 16 }, // December
      { teamId: west!.id, at: "2027-01-01T03:00:00Z", day: "2026-12-31", credits: 32 }, // January: after the report's month
      { teamId: west!.id, at: "2026-07-01T02:00:00Z", day: "2026-06-30", credits: 64 }, // July
      { teamId: west!.id, at: "2026-10-10T10:00:00Z", day: "2026-10-09", credits: 128 }, // October
    ];
    for (const entry of spend) await addSpend(t.db, entry);

    const report = await getOrganisationReport(t.db, { organisationId: made.org.id, month: "2026-12" });
    expect(report.months).toEqual([
      { month: "2026-12", credits: 2 + 16 },
      { month: "2026-11", credits: 1 },
      { month: "2026-10", credits: 128 },
      { month: "2026-09", credits: 0 },
      { month: "2026-08", credits: 0 },
      { month: "2026-07", credits: 4 + 64 },
    ]);
    expect(report.teams.map((x) => [x.team, x.credits])).toEqual([
      [east!.name, 2],
      [west!.name, 16],
    ]);
  });
});
