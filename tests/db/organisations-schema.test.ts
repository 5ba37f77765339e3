import { Migrator, sql, type Kysely } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type OpenedDatabase } from "~/utils/db.server";
import { migrations } from "../../db/migrations";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

// The rules migration 0016 puts in the database itself, so that no code path (a route, a script, a
// race between two requests) can break them: a team is accepted by at most one organisation, a team's
// cost center belongs to the same organisation, a month is 'YYYY-MM', credits are bounded, an
// exception's decision is complete.

describeDb("organisation schema", (t) => {
  async function org(slug: string) {
    const row = await t.db
      .insertInto("organisations")
      .values({ slug, name: slug })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it("lets several organisations ask for a team but only one hold it", async () => {
    const { team } = await makeTeam(t.db);
    const [a, b] = [await org("schema-a"), await org("schema-b")];
    await t.db
      .insertInto("organisationTeams")
      .values([
        { organisationId: a, teamId: team.id, status: "requested" },
        { organisationId: b, teamId: team.id, status: "requested" },
      ])
      .execute();
    await t.db
      .updateTable("organisationTeams")
      .set({ status: "accepted", acceptedAt: new Date() })
      .where("organisationId", "=", a)
      .execute();
    await expect(
      t.db
        .updateTable("organisationTeams")
        .set({ status: "accepted", acceptedAt: new Date() })
        .where("organisationId", "=", b)
        .execute(),
    ).rejects.toThrow(/organisation_teams_one_org_idx/);
    // An accepted link without its acceptance time is refused.
    await expect(
      t.db.updateTable("organisationTeams").set({ acceptedAt: null }).where("organisationId", "=", a).execute(),
    ).rejects.toThrow(/organisation_teams_accepted_check/);
  });

  it("keeps a team's cost center inside its organisation and clears only that column when it goes", async () => {
    const { team } = await makeTeam(t.db);
    const [mine, other] = [await org("schema-cc-mine"), await org("schema-cc-other")];
    const center = async (organisationId: number) =>
      (
        await t.db
          .insertInto("costCenters")
          .values({ organisationId, name: "Payments" })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id;
    const [own, foreign] = [await center(mine), await center(other)];
    await t.db
      .insertInto("organisationTeams")
      .values({ organisationId: mine, teamId: team.id, status: "accepted", acceptedAt: new Date() })
      .execute();
    await expect(
      t.db.updateTable("organisationTeams").set({ costCenterId: foreign }).where("teamId", "=", team.id).execute(),
    ).rejects.toThrow(/organisation_teams_cost_center_fkey/);
    await t.db.updateTable("organisationTeams").set({ costCenterId: own }).where("teamId", "=", team.id).execute();
    await t.db.deleteFrom("costCenters").where("id", "=", own).execute();
    const link = await t.db
      .selectFrom("organisationTeams")
      .select(["organisationId", "costCenterId", "status"])
      .where("teamId", "=", team.id)
      .executeTakeFirstOrThrow();
    expect(link).toEqual({ organisationId: mine, costCenterId: null, status: "accepted" });
  });

  it("refuses malformed months, unbounded credits and allocations of a month that does not exist", async () => {
    const { team } = await makeTeam(t.db);
    const id = await org("schema-months");
    const month = (m: string, fixedCredits = 1000) =>
      t.db
        .insertInto("organisationMonths")
        .values({ organisationId: id, month: m, poolSource: "fixed", fixedCredits })
        .execute();
    for (const bad of ["2026-13", "2026-1", "26-01", "2026-01-01", "2026-00"]) {
      await expect(month(bad)).rejects.toThrow(/check/);
    }
    await expect(month("2026-01", 1e308)).rejects.toThrow();
    await expect(
      t.db
        .insertInto("organisationMonths")
        .values({ organisationId: id, month: "2026-02", poolSource: "seats", plan: "copilot-business" })
        .execute(),
    ).rejects.toThrow(/organisation_months_pool_check/);
    await month("2026-01");
    await expect(
      t.db
        .insertInto("teamAllocations")
        .values({ organisationId: id, month: "2026-03", teamId: team.id, credits: 10 })
        .execute(),
    ).rejects.toThrow(/team_allocations_month_fkey/);
    await t.db
      .insertInto("teamAllocations")
      .values({ organisationId: id, month: "2026-01", teamId: team.id, credits: 10 })
      .execute();
    // A deleted team takes its allocations along; the month stays.
    await t.db.deleteFrom("teams").where("id", "=", team.id).execute();
    const left = await t.db.selectFrom("teamAllocations").select("teamId").where("organisationId", "=", id).execute();
    expect(left).toEqual([]);
  });

  it("accepts an exception's decision only when it is complete", async () => {
    const { team, owner } = await makeTeam(t.db);
    const id = await org("schema-exceptions");
    const ask = await t.db
      .insertInto("creditExceptions")
      .values({
        organisationId: id,
        teamId: team.id,
        month: "2026-01",
        requestedCredits: 500,
        reason: "Migration",
        requestedBy: owner.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await expect(
      t.db.updateTable("creditExceptions").set({ status: "granted" }).where("id", "=", ask.id).execute(),
    ).rejects.toThrow(/credit_exceptions_decision_check/);
    await expect(
      t.db
        .updateTable("creditExceptions")
        .set({ status: "declined", decidedAt: new Date() })
        .where("id", "=", ask.id)
        .execute(),
    ).rejects.toThrow(/credit_exceptions_decision_check/);
    await t.db
      .updateTable("creditExceptions")
      .set({ status: "granted", decidedAt: new Date(), source: "reserve", grantedCredits: 400 })
      .where("id", "=", ask.id)
      .execute();
  });

  it("raises each pool alert once per month", async () => {
    const id = await org("schema-alerts");
    const alert = () =>
      t.db
        .insertInto("organisationAlerts")
        .values({ organisationId: id, month: "2026-01", threshold: 75, spentCredits: 75, availableCredits: 100 })
        .execute();
    await alert();
    await expect(alert()).rejects.toThrow(/organisation_alerts_once_idx/);
  });

  it("lets an organisation member be a user once, with a known role", async () => {
    const user = await makeUser(t.db);
    const id = await org("schema-members");
    await t.db
      .insertInto("organisationMembers")
      .values({ organisationId: id, userId: user.id, role: "admin" })
      .execute();
    await expect(
      sql`insert into organisation_members (organisation_id, user_id, role) values (${id}, ${user.id}, 'owner')`.execute(
        t.db,
      ),
    ).rejects.toThrow();
  });
});

describe("migration 0016 down and up again [pglite]", () => {
  let opened: OpenedDatabase | undefined;
  afterAll(async () => opened?.close());
  it("drops every organisation table and creates them again", async () => {
    opened = await openDatabase({ pgliteDir: null });
    const db = opened.db as Kysely<any>;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const up = await migrator.migrateToLatest();
    if (up.error) throw up.error;
    const down = await migrator.migrateTo("0015_create_tracker_connections");
    if (down.error) throw down.error;
    const tables = await sql<{ n: string | number }>`select count(*) as n from information_schema.tables
      where table_schema = current_schema() and (table_name like 'organisation%' or table_name in
        ('cost_centers', 'team_allocations', 'credit_exceptions', 'credit_exception_stories'))`.execute(db);
    expect(Number(tables.rows[0]!.n)).toBe(0);
    const again = await migrator.migrateToLatest();
    if (again.error) throw again.error;
  }, 120_000);
});
