// Issue 17's flows in a real browser: an org admin grants a team's credit request in two clicks
// (another team's unused allocation, then Grant), an org viewer downloads the month's report as CSV,
// and the organisation's own Copilot report is imported on the org page with its rows placed on the
// teams through their identities (and one ambiguous identity placed by hand).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { billingMonthOf } from "~/domain/organisation/billing-month";
import { REPORT_CSV_HEADER } from "~/domain/organisation/report";
import { acceptTeamRequest, createOrganisation, requestTeamAttachment } from "~/models/organisation.server";
import { commitStory, createSprint } from "~/models/sprint.server";
import { createStories, recordEstimate } from "~/models/story.server";
import { createTeam } from "~/models/team.server";
import { createUser } from "~/models/user.server";
import { migrateToLatest, openDatabase } from "~/utils/db.server";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { setMonthPool } from "../helpers/org-fixture";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";

const PASSWORD = "a long enough password";
const ORG = "flow-org";
const MONTH = billingMonthOf(new Date());
const REPORT = path.resolve("tests/fixtures/samples/copilot-ai-usage.csv");

async function seed(dataDir: string) {
  const opened = await openDatabase({ pgliteDir: path.join(dataDir, "pglite") });
  try {
    const db = opened.db;
    await migrateToLatest(db);
    const ada = await createUser(db, { email: "ada@example.com", name: "Ada Admin", password: PASSWORD });
    const ben = await createUser(db, { email: "ben@example.com", name: "Ben Builder", password: PASSWORD });
    const fay = await createUser(db, { email: "fay@example.com", name: "Fay Finance", password: PASSWORD });
    const payments = await createTeam(db, { name: "Payments", slug: "flow-payments", ownerId: ada.id });
    const platform = await createTeam(db, { name: "Platform", slug: "flow-platform", ownerId: ben.id });
    const org = await createOrganisation(db, { name: "Flow Org", slug: ORG, creatorId: ada.id });
    await db
      .insertInto("organisationMembers")
      .values({ organisationId: org.id, userId: fay.id, role: "viewer" })
      .execute();
    for (const [team, owner] of [
      [payments, ada],
      [platform, ben],
    ] as const) {
      await requestTeamAttachment(db, { organisationId: org.id, teamSlug: team.slug, requestedBy: ada.id });
      await acceptTeamRequest(db, { teamId: team.id, organisationId: org.id, userId: owner.id });
    }
    await setMonthPool(db, {
      organisationId: Number(org.id),
      month: MONTH,
      fixedCredits: 10_000,
      allocations: [
        [payments.id, 4_000],
        [platform.id, 3_000],
      ],
    });
    // Identities: dana-k is only Payments'; ravi-m is in both teams (so the bill cannot place it).
    await db
      .insertInto("spendIdentities")
      .values([
        { teamId: payments.id, identity: "dana-k", userId: ada.id, createdBy: null },
        { teamId: payments.id, identity: "ravi-m", userId: ada.id, createdBy: null },
        { teamId: platform.id, identity: "ravi-m", userId: ben.id, createdBy: null },
      ])
      .execute();
    const today = new Date().toISOString().slice(0, 10);
    const sprint = await createSprint(db, {
      teamId: payments.id,
      createdBy: ada.id,
      name: "Sprint 7",
      goal: "",
      start: today,
      end: today,
      capacityKind: "credits",
      capacityCredits: 1_000,
      poolPlan: null,
      poolSeats: null,
      poolPerSeat: null,
      reservePercent: 0,
      commitBasis: "expected",
      exhaustionPolicy: "warn",
    });
    const [story] = await createStories(db, {
      teamId: payments.id,
      stories: [{ key: "PAY-9", title: "Settlement retries", link: null, labels: [], description: "" }],
    });
    await recordEstimate(db, {
      teamId: payments.id,
      storyId: story!.id,
      levels: { intensity: "standard", autonomy: "delegate", risk: "medium" },
      source: "solo",
      createdBy: ada.id,
    });
    await commitStory(db, {
      teamId: payments.id,
      sprintId: sprint.id,
      storyId: story!.id,
      actorId: ada.id,
      actorIsManager: true,
    });
    return { sprintId: sprint.id, storyId: story!.id };
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

describe.skipIf(!chromiumPath())("organisation flows in a real browser", () => {
  let server: TestServer;
  let browser: Browser;
  let seeded: Awaited<ReturnType<typeof seed>>;
  let ada: HttpClient;
  let fay: HttpClient;

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "token-poker-orgflows-"));
    seeded = await seed(dataDir);
    server = await startTestServer({ dataDir });
    browser = await launchBrowser();
    ada = await login(server.url, "ada@example.com");
    fay = await login(server.url, "fay@example.com");
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function pageAs(client: HttpClient): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ baseURL: server.url, acceptDownloads: true });
    const [name, value] = client.cookie.split("=") as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    return { context, page, errors };
  }

  it("grants a team's request from another team's unused allocation in two clicks", async () => {
    // The team's manager asks on the sprint's Credits tab (a plain form post), naming the story.
    const credits = `/t/flow-payments/sprints/${seeded.sprintId}/credits`;
    const asked = await ada.post(credits, {
      intent: "request",
      month: MONTH,
      credits: "600",
      reason: "Settlement retries need the p80 path",
      storyIds: String(seeded.storyId),
    });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain("Asked Flow Org for 600 more credits");

    const { context, page, errors } = await pageAs(ada);
    await page.goto(`/o/${ORG}/exceptions`);
    const card = page.locator(".exception-card", { hasText: "Payments asks for 600 credits" });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.textContent()).toContain("PAY-9 Settlement retries");
    // Click 1: the source. Click 2: Grant.
    await card.getByLabel(/Platform \(3,000 unused\)/).check();
    await card.getByRole("button", { name: "Grant" }).click();
    await expect
      .poll(() =>
        page.getByRole("status").filter({ hasText: "Granted 600 credits to Payments from Platform." }).count(),
      )
      .toBe(1);
    await expect.poll(() => page.locator(".exception-card").count()).toBe(0);
    expect(
      await page.locator("table", { hasText: "Decided" }).or(page.getByRole("table")).first().textContent(),
    ).toContain("Granted");

    // The team sees the grant on its tab and in the sprint's retrospective.
    const tab = await (await ada.request(credits)).text();
    expect(tab).toContain("4,600");
    const retro = await (await ada.request(`/t/flow-payments/sprints/${seeded.sprintId}/retro`)).text();
    expect(retro).toContain("Credits asked of the organisation");
    expect(retro).toMatch(/Granted<\/span> (<!-- -->)?600(<!-- -->)? from(<!-- -->)? (<!-- -->)?Platform/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("lets an org viewer download the month's report as CSV with the formula guard", async () => {
    const { context, page, errors } = await pageAs(fay);
    await page.goto(`/o/${ORG}/reports`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${ORG}-${MONTH}-report.csv`);
    const text = fs.readFileSync((await download.path())!, "utf8");
    const records = parse(text) as string[][];
    expect(records[0]!.join(",")).toBe(REPORT_CSV_HEADER);
    expect(records.some((r) => r[1] === "team" && r[2] === "Payments")).toBe(true);
    for (const r of records.slice(1)) for (const cell of r) expect(cell).not.toMatch(/^[=+@]/);
    // The viewer reads but cannot change: the grant form is not there and a post is refused.
    await page.goto(`/o/${ORG}/exceptions`);
    expect(await page.getByRole("button", { name: "Grant" }).count()).toBe(0);
    expect((await fay.post(`/o/${ORG}/exceptions`, { intent: "decline", exceptionId: "1", reason: "no" })).status).toBe(
      403,
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it("imports the organisation's report on the org page and places its rows on the teams", async () => {
    const { context, page, errors } = await pageAs(ada);
    await page.goto(`/o/${ORG}/bill?month=2026-11`);
    await page.getByLabel("Report file").setInputFiles(REPORT);
    await page.getByRole("button", { name: "Import" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent(), { timeout: 15_000 })
      .toContain("4 rows: 2 placed on teams, 1 not placed, 1 at organisation level");
    await page.goto(`/o/${ORG}/bill?month=2026-11`);
    const row = page.locator("tr", { hasText: "ravi-m" });
    expect(await row.textContent()).toContain("in several teams: Payments, Platform");
    await row.getByLabel("Team for ravi-m").selectOption({ label: "Platform" });
    await row.getByRole("button", { name: "Place" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("1 waiting row moved");
    await page.goto(`/o/${ORG}/bill?month=2026-11`);
    await expect.poll(() => page.getByText("Every row with a user is placed on a team.").count()).toBe(1);
    // Platform's own spend page now holds the placed row.
    const ben = await login(server.url, "ben@example.com");
    expect(await (await ben.request("/t/flow-platform/spend")).text()).toContain("57.7");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("refuses hostile requests on the new routes", async () => {
    const credits = `/t/flow-payments/sprints/${seeded.sprintId}/credits`;
    const ask = (fields: Record<string, string>) =>
      ada.post(credits, { intent: "request", month: MONTH, credits: "10", reason: "More", ...fields });
    expect((await ask({ credits: "1e308" })).status).toBe(400);
    expect((await ask({ credits: "NaN" })).status).toBe(400);
    expect((await ask({ reason: "bad\u0000byte" })).status).toBe(400);
    expect((await ask({ month: "2031-01" })).status).toBe(400);
    const foreignStory = await ask({ storyIds: "999999" });
    expect(foreignStory.status).toBe(400);
    expect(await foreignStory.text()).toContain("not this team");

    const fresh = await ask({});
    expect(fresh.status).toBe(200);
    const page = await (await ada.request(`/o/${ORG}/exceptions`)).text();
    const exceptionId = /name="exceptionId" value="(\d+)"/.exec(page)![1]!;
    const grant = (fields: Record<string, string>) =>
      ada.post(`/o/${ORG}/exceptions`, { intent: "grant", exceptionId, source: "reserve", ...fields });
    const elsewhere = await grant({ source: "team:999999" });
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain("Pick another team of the organisation");
    expect((await grant({ source: "team:-1" })).status).toBe(400);
    expect((await grant({ credits: "1e308" })).status).toBe(400);
    expect((await grant({ exceptionId: "999999" })).status).toBe(400);

    // A team owner outside the organisation sees none of it, and cannot ask for another team.
    const ben = await login(server.url, "ben@example.com");
    expect((await ben.request(`/o/${ORG}/exceptions`)).status).toBe(404);
    expect((await ben.request(`/o/${ORG}/reports.csv`)).status).toBe(404);
    expect((await ben.post(credits, { intent: "request", month: MONTH, credits: "10", reason: "x" })).status).toBe(404);
  });
});
