// A hostile org admin, an org viewer and another organisation's admin against issue 17's routes, over
// HTTP. The first tests are findings (each failed before its fix); the rest are attacks that held and
// stay as tests so they keep holding.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { billingMonthOf } from "~/domain/organisation/billing-month";
import { createOrgInvite, createOrganisation } from "~/models/organisation.server";
import { acceptTeamRequest, requestTeamAttachment, saveCostCenter } from "~/models/organisation.server";
import { importOrganisationReport } from "~/models/organisation-spend.server";
import { requestException } from "~/models/credit-exception.server";
import { createTeam } from "~/models/team.server";
import { createUser } from "~/models/user.server";
import { migrateToLatest, openDatabase } from "~/utils/db.server";
import { setMonthPool } from "../helpers/org-fixture";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { signUp } from "../helpers/team-fixture";

const PASSWORD = "a long enough password";
const MONTH = billingMonthOf(new Date());
const FORMULA_TEAM = '=HYPERLINK("http://evil.example","x")';

async function seed(dataDir: string) {
  const opened = await openDatabase({ pgliteDir: path.join(dataDir, "pglite") });
  try {
    const db = opened.db;
    await migrateToLatest(db);
    const user = (email: string, name: string) => createUser(db, { email, name, password: PASSWORD });
    const ada = await user("ada@example.com", "Ada Admin");
    const ben = await user("ben@example.com", "Ben Builder");
    const fay = await user("fay@example.com", "Fay Finance");
    const olga = await user("olga@example.com", "Olga Other");
    const payments = await createTeam(db, { name: "Payments", slug: "sec-payments", ownerId: ada.id });
    const platform = await createTeam(db, { name: FORMULA_TEAM, slug: "sec-platform", ownerId: ben.id });
    const other = await createTeam(db, { name: "Other Team", slug: "sec-other", ownerId: olga.id });
    const org = await createOrganisation(db, { name: "Sec Org", slug: "sec-org", creatorId: ada.id });
    const otherOrg = await createOrganisation(db, { name: "Other Org", slug: "other-org", creatorId: olga.id });
    await db
      .insertInto("organisationMembers")
      .values({ organisationId: org.id, userId: fay.id, role: "viewer" })
      .execute();
    const attach = async (orgId: number, teamId: number, teamSlug: string, by: number, owner: number) => {
      await requestTeamAttachment(db, { organisationId: orgId, teamSlug, requestedBy: by });
      await acceptTeamRequest(db, { teamId, organisationId: orgId, userId: owner });
    };
    await attach(org.id, payments.id, payments.slug, ada.id, ada.id);
    await attach(org.id, platform.id, platform.slug, ada.id, ben.id);
    await attach(otherOrg.id, other.id, other.slug, olga.id, olga.id);
    await setMonthPool(db, { organisationId: Number(org.id), month: MONTH, fixedCredits: 10_000, allocations: [] });
    await setMonthPool(db, {
      organisationId: Number(otherOrg.id),
      month: MONTH,
      fixedCredits: 10_000,
      allocations: [[other.id, 1_000]],
    });
    await saveCostCenter(db, { organisationId: otherOrg.id, costCenterId: null, name: "Theirs", capCredits: null });
    const theirCostCenter = await db
      .selectFrom("costCenters")
      .select("id")
      .where("organisationId", "=", otherOrg.id)
      .executeTakeFirstOrThrow();
    const theirException = await requestException(db, {
      organisationId: otherOrg.id,
      teamId: other.id,
      month: MONTH,
      sprintId: null,
      credits: 500,
      reason: "We need it",
      storyIds: [],
      userId: olga.id,
    });
    const theirInvite = await createOrgInvite(db, { organisationId: otherOrg.id, role: "admin", createdBy: olga.id });
    // ravi-m is in both of Sec Org's teams, so the bill cannot place it.
    await db
      .insertInto("spendIdentities")
      .values([
        { teamId: payments.id, identity: "dana-k", userId: ada.id, createdBy: null },
        { teamId: payments.id, identity: "ravi-m", userId: ada.id, createdBy: null },
        { teamId: platform.id, identity: "ravi-m", userId: ben.id, createdBy: null },
      ])
      .execute();
    await importOrganisationReport(db, fs.readFileSync("tests/fixtures/samples/copilot-ai-usage.csv", "utf8"), {
      organisationId: org.id,
      fileName: "copilot.csv",
      via: "cli",
      userId: ada.id,
    });
    // Two identities in no team, each with a total of their own.
    const strangers = [
      "date,user,model,credits",
      "2026-11-25T10:00:00Z,zed-a,gpt-5,11.11",
      "2026-11-25T11:00:00Z,zed-b,gpt-5,22.22",
    ];
    await importOrganisationReport(db, strangers.join("\n"), {
      organisationId: org.id,
      fileName: "strangers.csv",
      via: "cli",
      userId: ada.id,
      format: "generic-csv",
    });
    return {
      payments: payments.id,
      platform: platform.id,
      other: other.id,
      theirCostCenter: Number(theirCostCenter.id),
      theirException: theirException.id,
      theirInviteToken: theirInvite.token,
      olgaId: olga.id,
    };
  } finally {
    await opened.close();
  }
}

async function login(baseUrl: string, email: string) {
  const client = new HttpClient(baseUrl);
  const res = await client.post("/login", { email, password: PASSWORD, redirectTo: "/" });
  expect(res.status).toBe(302);
  return client;
}

/** Everything a page sends: its HTML (with the loader data inlined) and its single-fetch .data answer. */
async function everythingSent(client: HttpClient, pathname: string) {
  const [url, query] = pathname.split("?");
  const html = await client.request(pathname);
  const single = await client.request(`${url}.data${query ? `?${query}` : ""}`);
  expect([html.status, single.status], pathname).toEqual([200, 200]);
  return (await html.text()) + (await single.text());
}

describe("organisation security over HTTP", () => {
  let server: TestServer;
  let seeded: Awaited<ReturnType<typeof seed>>;
  let ada: HttpClient;
  let fay: HttpClient;
  let olga: HttpClient;

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "token-poker-orgsec-"));
    seeded = await seed(dataDir);
    server = await startTestServer({ dataDir });
    ada = await login(server.url, "ada@example.com");
    fay = await login(server.url, "fay@example.com");
    olga = await login(server.url, "olga@example.com");
  });
  afterAll(async () => server?.stop());

  // ---- findings -------------------------------------------------------------------------------

  it("sends an org viewer no member's e-mail, not even in the loader's data", async () => {
    const sent = await everythingSent(fay, "/o/sec-org/settings");
    expect(sent).toContain("Ada Admin");
    expect(sent).not.toContain("@example.com");
    // Admins still see them, to know whom they invited.
    expect(await everythingSent(ada, "/o/sec-org/settings")).toContain("fay@example.com");
  });

  it("sends no credits per person (unplaced identity) in the bill's data", async () => {
    const sent = await everythingSent(fay, "/o/sec-org/bill?month=2026-11");
    for (const identity of ["ravi-m", "zed-a", "zed-b"]) expect(sent).toContain(identity);
    // zed-a's and zed-b's own totals; only their sum with ravi-m's (the unplaced total) may show.
    expect(sent).not.toContain("11.11");
    expect(sent).not.toContain("22.22");
  });

  it("answers every organisation page for months at the edge of the calendar, and for junk", async () => {
    const months = ["9999-12", "1970-01", "2026-13", "../", "2026-1%00", "1e308", "%E2%80%AE2026-11"];
    for (const page of ["", "/pool", "/exceptions", "/reports", "/reports.csv", "/bill"]) {
      for (const month of months) {
        const res = await fay.request(`/o/sec-org${page}?month=${month}`);
        expect(res.status, `${page}?month=${month}`).toBe(200);
      }
    }
  });

  // ---- attacks that held ------------------------------------------------------------------------

  it("gives another organisation's admin nothing of this one through any id in a form", async () => {
    const settings = (form: Record<string, string>) => ada.post("/o/sec-org/settings", form);
    const pool = (form: Record<string, string>) => ada.post("/o/sec-org/pool", form);
    const other = String(seeded.other);
    expect((await settings({ intent: "detach-team", teamId: other })).status).toBe(404);
    expect((await settings({ intent: "change-role", userId: String(seeded.olgaId), role: "viewer" })).status).toBe(404);
    expect((await settings({ intent: "remove-member", userId: String(seeded.olgaId) })).status).toBe(404);
    expect((await pool({ intent: "set-cost-center", teamId: other, costCenterId: "" })).status).toBe(404);
    const foreignCenter = { teamId: String(seeded.payments), costCenterId: String(seeded.theirCostCenter) };
    expect((await pool({ intent: "set-cost-center", ...foreignCenter })).status).toBe(404);
    await pool({ intent: "delete-cost-center", costCenterId: String(seeded.theirCostCenter) });
    await pool({ intent: "save-cost-center", costCenterId: String(seeded.theirCostCenter), name: "Mine now" });
    const allocate = await ada.request("/o/sec-org/pool", {
      method: "POST",
      body: new URLSearchParams([
        ["intent", "allocate"],
        ["month", MONTH],
        ["teamId", other],
        ["amount", "9000"],
        ["kind", "credits"],
      ]),
    });
    expect(allocate.status).toBe(400);
    const place = await ada.post("/o/sec-org/bill", { intent: "place", identity: "ravi-m", teamId: other });
    expect(place.status).toBe(400);
    const grant = await ada.post("/o/sec-org/exceptions", {
      intent: "grant",
      exceptionId: String(seeded.theirException),
      source: "reserve",
    });
    expect(grant.status).toBe(400);
    const decline = await ada.post("/o/sec-org/exceptions", {
      intent: "decline",
      exceptionId: String(seeded.theirException),
      reason: "Mine to decide",
    });
    expect(decline.status).toBe(400);
    // Olga's organisation is as it was: its cost center, its waiting request, its allocation.
    const theirPool = await (await olga.request(`/o/other-org/pool?month=${MONTH}`)).text();
    expect(theirPool).toContain("Theirs");
    const theirQueue = await (await olga.request(`/o/other-org/exceptions?month=${MONTH}`)).text();
    expect(theirQueue).toContain("We need it");
    expect(theirQueue).toContain(`name="exceptionId" value="${seeded.theirException}"`);
    // And this organisation's pages never name the other team.
    for (const page of ["", "/pool", "/exceptions", "/reports", "/bill", "/settings"])
      expect(await (await ada.request(`/o/sec-org${page}`)).text(), page).not.toContain("Other Team");
  });

  it("lets an org viewer change nothing through any intent", async () => {
    const posts: [string, Record<string, string>][] = [
      ["/o/sec-org/settings", { intent: "invite", role: "admin" }],
      ["/o/sec-org/settings", { intent: "detach-team", teamId: String(seeded.payments) }],
      ["/o/sec-org/settings", { intent: "request-team", teamSlug: "sec-other" }],
      ["/o/sec-org/pool", { intent: "save-cost-center", name: "Finance's own" }],
      [
        "/o/sec-org/pool",
        { intent: "allocate", month: MONTH, teamId: String(seeded.payments), amount: "1", kind: "credits" },
      ],
      ["/o/sec-org/bill", { intent: "place", identity: "ravi-m", teamId: String(seeded.payments) }],
      ["/o/sec-org/exceptions", { intent: "decline", exceptionId: "1", reason: "no" }],
    ];
    for (const [url, form] of posts) expect((await fay.post(url, form)).status, `${url} ${form.intent}`).toBe(403);
  });

  it("joins an invite's organisation with the invite's role, whatever the form says", async () => {
    const link = await ada.post("/o/sec-org/settings", { intent: "invite", role: "viewer" });
    const token = /\/orgs\/invite\/([A-Za-z0-9_-]+)/.exec(await link.text())?.[1];
    expect(token).toBeTruthy();
    const mallory = await signUp(server.url, "Mallory", `/orgs/invite/${token}`);
    const join = await mallory.post(`/orgs/invite/${token}`, { role: "admin", intent: "admin" });
    expect(join.headers.get("location")).toBe("/o/sec-org");
    expect((await mallory.post("/o/sec-org/settings", { intent: "invite", role: "admin" })).status).toBe(403);
    // Another organisation's invite joins that organisation only, never this one.
    const elsewhere = await mallory.post(`/orgs/invite/${seeded.theirInviteToken}`, {});
    expect(elsewhere.headers.get("location")).toBe("/o/other-org");
    expect((await mallory.post("/o/sec-org/settings", { intent: "invite", role: "admin" })).status).toBe(403);
  });

  it("refuses numbers that are not amounts, shares over 100 % and oversized or NUL-bearing names", async () => {
    const allocate = (amounts: [string, string][]) =>
      ada.request("/o/sec-org/pool", {
        method: "POST",
        body: new URLSearchParams([
          ["intent", "allocate"],
          ["month", MONTH],
          ...amounts.flatMap(([team, amount]): [string, string][] => [
            ["teamId", team],
            ["amount", amount],
            ["kind", amount.endsWith("%") ? "percent" : "credits"],
          ]),
        ]),
      });
    const p = String(seeded.payments);
    const q = String(seeded.platform);
    for (const amount of ["1e308", "Infinity", "NaN", "-5", "10001"])
      expect((await allocate([[p, amount]])).status, amount).toBe(400);
    expect((await allocate([[p, "60%".replace("%", "")]])).status).toBe(200);
    const over = await ada.request("/o/sec-org/pool", {
      method: "POST",
      body: new URLSearchParams([
        ["intent", "allocate"],
        ["month", MONTH],
        ["teamId", p],
        ["amount", "60"],
        ["kind", "percent"],
        ["teamId", q],
        ["amount", "60"],
        ["kind", "percent"],
      ]),
    });
    expect(over.status).toBe(400);
    for (const fixedCredits of ["1e308", "Infinity", "-1", "NaN"]) {
      const res = await ada.post("/o/sec-org/pool", {
        intent: "save-pool",
        month: MONTH,
        poolSource: "fixed",
        fixedCredits,
        exhaustionPolicy: "block",
        allocationPolicy: "warn",
      });
      expect(res.status, fixedCredits).toBe(400);
    }
    expect((await ada.post("/o/sec-org/pool", { intent: "save-cost-center", name: "Pay\u0000ments" })).status).toBe(
      400,
    );
    const huge = await ada.post("/o/sec-org/pool", { intent: "save-cost-center", name: "x".repeat(10 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    const hugeMonth = await ada.post("/o/sec-org/pool", { intent: "save-pool", month: "2026-13" });
    expect(hugeMonth.status).toBe(400);
  });

  it("defuses a team name a spreadsheet would run as a formula in the finance CSV", async () => {
    const res = await fay.request(`/o/sec-org/reports.csv?month=${MONTH}`);
    expect(res.status).toBe(200);
    const rows = parse(await res.text(), { relax_column_count: true }) as string[][];
    const cells = rows.flat();
    expect(cells.some((c) => c.includes("HYPERLINK"))).toBe(true);
    for (const cell of cells) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});
