// Limits every input path shares (app/domain/form-fields.ts): amounts past a sane ceiling never
// reach a numeric column (so no sum on a page becomes Infinity), and spend identities can only be
// taken by a manager or by their own holder.
import { sql } from "kysely";
import { expect, it } from "vitest";
import { MAX_CREDITS } from "~/domain/form-fields";
import {
  addManualEntry,
  getSpendOverview,
  getUnattributedSummary,
  IdentityError,
  importSpendJson,
  listIdentities,
  ManualEntryError,
  mapIdentity,
  unmapIdentity,
} from "~/models/spend.server";
import { createSprint, getSprintDashboard } from "~/models/sprint.server";
import { createStory } from "~/models/story.server";
import { addMember } from "~/models/team.server";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

const today = new Date().toISOString().slice(0, 10);
const api = { fileName: "API", via: "api" as const };

describeDb("input limits", (t) => {
  async function teamWithSprint() {
    const { team, owner } = await makeTeam(t.db);
    const story = await createStory(t.db, { teamId: team.id, title: "Big", key: "BIG-1" } as never);
    await createSprint(t.db, {
      teamId: team.id,
      createdBy: owner.id,
      name: "Now",
      goal: "",
      start: today,
      end: today,
      capacityKind: "credits",
      capacityCredits: 1000,
      poolPlan: null,
      poolSeats: null,
      poolPerSeat: null,
      reservePercent: 0,
      commitBasis: "expected",
      exhaustionPolicy: "warn",
    });
    return { team, owner, story: story as unknown as { id: number } };
  }

  it("refuses API entries past the credit ceiling, and the pages' sums stay finite", async () => {
    const { team } = await teamWithSprint();
    const huge = [1, 2].map((n) => ({
      id: `huge-${n}`,
      occurred_at: `${today}T10:00:00Z`,
      credits: 1.7e308,
      story: "BIG-1",
    }));
    const refused = await importSpendJson(t.db, huge, { teamId: team.id, ...api });
    expect(refused.status).toBe("rejected");
    expect(refused.errors[0]?.reason).toMatch(/at most 1,000,000,000 credits/i);
    // Just under the ceiling per entry is fine; a sum of many still fits a double easily.
    const ok = await importSpendJson(
      t.db,
      [1, 2].map((n) => ({ id: `max-${n}`, occurred_at: `${today}T10:00:00Z`, credits: MAX_CREDITS, story: "BIG-1" })),
      { teamId: team.id, ...api },
    );
    expect(ok.status).toBe("imported");
    const dashboard = await getSprintDashboard(t.db, { teamId: team.id, timeZone: "UTC" });
    expect(dashboard.current?.spent).toBe(2 * MAX_CREDITS);
    expect(Number.isFinite((await getSpendOverview(t.db, team.id)).credits)).toBe(true);
    expect(Number.isFinite((await getUnattributedSummary(t.db, team.id)).credits)).toBe(true);
  });

  it("refuses an import whose total would pass the per-import ceiling", async () => {
    const { team } = await makeTeam(t.db);
    const many = Array.from({ length: 1001 }, (_, n) => ({
      id: `m-${n}`,
      occurred_at: `${today}T10:00:00Z`,
      credits: MAX_CREDITS,
    }));
    const result = await importSpendJson(t.db, many, { teamId: team.id, ...api });
    expect(result.status).toBe("rejected");
    expect(result.errors.map((e) => e.reason).join()).toMatch(/import's total/);
  });

  it("keeps a NUL byte out of spend text, and a year 9999 out of spend days", async () => {
    const { team } = await makeTeam(t.db);
    const bad = await importSpendJson(
      t.db,
      [{ id: "nul", occurred_at: `${today}T10:00:00Z`, credits: 1, user: "a\u0000b" }],
      { teamId: team.id, ...api },
    );
    expect(bad.status).toBe("rejected");
    const far = await importSpendJson(t.db, [{ id: "far", occurred_at: "9999-12-31", credits: 1 }], {
      teamId: team.id,
      ...api,
    });
    expect(far.status).toBe("rejected");
  });

  it("stores no amount past the ceiling by any path: the columns refuse it, manual entries too", async () => {
    const { team, owner, story } = await teamWithSprint();
    // A credit worth almost nothing would turn $10M typed on a story into 1e16 credits.
    await t.db.updateTable("teams").set({ creditValueUsd: 1e-9 }).where("id", "=", team.id).execute();
    await expect(
      addManualEntry(t.db, { teamId: team.id, storyId: story.id, userId: owner.id, day: today, costUsd: 1e7 }),
    ).rejects.toThrow(ManualEntryError);
    await addManualEntry(t.db, { teamId: team.id, storyId: story.id, userId: owner.id, day: today, credits: 1 });
    for (const value of ["1.7e308", "'Infinity'", "'NaN'"]) {
      await expect(
        sql`update spend_entries set credits = ${sql.raw(value)}::numeric where team_id = ${team.id}`.execute(t.db),
      ).rejects.toThrow(/limit/);
    }
    expect((await getSprintDashboard(t.db, { teamId: team.id, timeZone: "UTC" })).current?.spent).toBe(1);
  });

  it("lets a member map only their own, unclaimed identities; a manager maps anyone's", async () => {
    const { team, owner } = await makeTeam(t.db);
    const dana = await makeUser(t.db, "Dana");
    const eli = await makeUser(t.db, "Eli");
    await addMember(t.db, { teamId: team.id, userId: dana.id, role: "member" } as never);
    await addMember(t.db, { teamId: team.id, userId: eli.id, role: "member" } as never);
    const asDana = { userId: dana.id, canManageOthers: false };
    // The manager maps Eli's tool name to Eli.
    await mapIdentity(t.db, {
      teamId: team.id,
      identity: "eli-k",
      userId: eli.id,
      createdBy: owner.id,
      actor: { userId: owner.id, canManageOthers: true },
    });
    // Dana may not take it, nor map anything to Eli, nor unmap Eli's.
    await expect(
      mapIdentity(t.db, { teamId: team.id, identity: "eli-k", userId: dana.id, createdBy: dana.id, actor: asDana }),
    ).rejects.toThrow(IdentityError);
    await expect(
      mapIdentity(t.db, { teamId: team.id, identity: "new-one", userId: eli.id, createdBy: dana.id, actor: asDana }),
    ).rejects.toThrow(IdentityError);
    await expect(unmapIdentity(t.db, { teamId: team.id, identity: "eli-k", actor: asDana })).rejects.toThrow(
      IdentityError,
    );
    // Her own, unclaimed identity she maps (and may map again, and unmap).
    await mapIdentity(t.db, {
      teamId: team.id,
      identity: "dana-k",
      userId: dana.id,
      createdBy: dana.id,
      actor: asDana,
    });
    await mapIdentity(t.db, {
      teamId: team.id,
      identity: "dana-k",
      userId: dana.id,
      createdBy: dana.id,
      actor: asDana,
    });
    const mapped = (await listIdentities(t.db, team.id)).mapped.map((m) => [m.identity, m.userId]);
    expect(mapped).toEqual(
      expect.arrayContaining([
        ["eli-k", eli.id],
        ["dana-k", dana.id],
      ]),
    );
    await unmapIdentity(t.db, { teamId: team.id, identity: "dana-k", actor: asDana });
    // The manager may move an identity from one member to another.
    await mapIdentity(t.db, {
      teamId: team.id,
      identity: "eli-k",
      userId: dana.id,
      createdBy: owner.id,
      actor: { userId: owner.id, canManageOthers: true },
    });
    expect((await listIdentities(t.db, team.id)).mapped.find((m) => m.identity === "eli-k")?.userId).toBe(dana.id);
  });
});
