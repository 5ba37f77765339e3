import fs from "node:fs";
import { expect, it } from "vitest";
import {
  getReconciliation,
  importOrganisationReport,
  placeIdentity,
  PlacementError,
  placementOf,
} from "~/models/organisation-spend.server";
import { settleSpendChecks } from "~/models/spend.server";
import { teamMonthSpend } from "~/models/credit-exception.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";
import { makeOrganisation } from "../helpers/org-fixture";

const report = fs.readFileSync("tests/fixtures/samples/copilot-ai-usage.csv", "utf8");

it("places by the admin's choice first, else by the one team holding the identity", () => {
  const held = new Map([
    ["dana-k", [1]],
    ["ravi-m", [1, 2]],
  ]);
  expect(placementOf("dana-k", held, new Map())).toEqual({ placement: "placed", teamId: 1 });
  expect(placementOf("ravi-m", held, new Map())).toEqual({ placement: "unplaced" });
  expect(placementOf("nobody", held, new Map())).toEqual({ placement: "unplaced" });
  expect(placementOf("ravi-m", held, new Map([["ravi-m", 2]]))).toEqual({ placement: "placed", teamId: 2 });
  expect(placementOf(null, held, new Map())).toEqual({ placement: "organisation" });
});

describeDb("the organisation's own report", (t) => {
  it("places rows on the team holding the user, keeps ambiguous and user-less rows apart, and reconciles", async () => {
    const made = await makeOrganisation(t.db, { teams: 2 });
    const [a, b] = made.teams;
    const identity = (teamId: number, name: string, userId: number) =>
      t.db.insertInto("spendIdentities").values({ teamId, identity: name, userId, createdBy: null }).execute();
    await identity(a!.team.id, "dana-k", a!.owner.id);
    await identity(a!.team.id, "ravi-m", a!.owner.id);
    await identity(b!.team.id, "ravi-m", b!.owner.id);
    // A team outside the organisation holding a name changes nothing.
    const stranger = await makeTeam(t.db, "Stranger");
    await identity(stranger.team.id, "dana-k", stranger.owner.id);

    const result = await importOrganisationReport(t.db, report, {
      organisationId: made.org.id,
      fileName: "copilot.csv",
      via: "upload",
      userId: made.admin.id,
    });
    await settleSpendChecks();
    expect(result).toMatchObject({ status: "imported", rows: 4, placed: 2, unplaced: 1, orgLevel: 1, duplicates: 0 });

    let rec = await getReconciliation(t.db, { organisationId: made.org.id, month: "2026-11" });
    expect(rec.bill).toBeCloseTo(378.159 + 446.05 + 57.7 + 12.5, 6);
    expect(rec.placed.credits).toBeCloseTo(378.159 + 446.05, 6);
    expect(rec.unplaced).toMatchObject({ rows: 1 });
    expect(rec.organisationLevel).toMatchObject({ rows: 1 });
    expect(rec.unmapped).toEqual([{ identity: "ravi-m", rows: 1, heldBy: [a!.team.name, b!.team.name].sort() }]);
    expect(rec.teamAttributed).toBeCloseTo(rec.placed.credits, 6);
    const spendA = await teamMonthSpend(t.db, { teamIds: [a!.team.id, stranger.team.id], month: "2026-11" });
    expect(spendA.get(a!.team.id)).toBeCloseTo(824.209, 6);
    expect(spendA.get(stranger.team.id) ?? 0).toBe(0);

    // The admin places ravi-m on B: the waiting row moves into B's spend.
    expect(
      await placeIdentity(t.db, {
        organisationId: made.org.id,
        identity: " Ravi-M ",
        teamId: b!.team.id,
        userId: made.admin.id,
      }),
    ).toEqual({
      identity: "ravi-m",
      moved: 1,
    });
    await settleSpendChecks();
    rec = await getReconciliation(t.db, { organisationId: made.org.id, month: "2026-11" });
    expect(rec.unplaced.rows).toBe(0);
    expect(rec.teams.find((x) => x.teamId === b!.team.id)!.credits).toBeCloseTo(57.7, 6);

    // Importing the same report again adds nothing.
    const again = await importOrganisationReport(t.db, report, {
      organisationId: made.org.id,
      fileName: "copilot.csv",
      via: "cli",
      userId: null,
    });
    expect(again).toMatchObject({ status: "imported", rows: 0, duplicates: 4 });

    // Only the organisation's teams can receive a placement.
    await expect(
      placeIdentity(t.db, {
        organisationId: made.org.id,
        identity: "x",
        teamId: stranger.team.id,
        userId: made.admin.id,
      }),
    ).rejects.toBeInstanceOf(PlacementError);
  });

  it("rejects a file with a bad row whole", async () => {
    const made = await makeOrganisation(t.db, { teams: 1 });
    const bad = report.replace("378.159,ai-credits", "lots,ai-credits");
    const result = await importOrganisationReport(t.db, bad, {
      organisationId: made.org.id,
      fileName: "bad.csv",
      via: "upload",
      userId: made.admin.id,
    });
    expect(result.status).toBe("rejected");
    expect(result.errors.length).toBeGreaterThan(0);
    expect((await getReconciliation(t.db, { organisationId: made.org.id, month: "2026-11" })).bill).toBe(0);
  });
});
