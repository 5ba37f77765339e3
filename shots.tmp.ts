import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { billingMonthOf } from "~/domain/organisation/billing-month";
import { acceptTeamRequest, createOrganisation, requestTeamAttachment } from "~/models/organisation.server";
import { requestException } from "~/models/credit-exception.server";
import { commitStory, createSprint } from "~/models/sprint.server";
import { createStories, recordEstimate } from "~/models/story.server";
import { createTeam } from "~/models/team.server";
import { createUser } from "~/models/user.server";
import { migrateToLatest, openDatabase } from "~/utils/db.server";
import { HttpClient, spawnServer } from "./scripts/lib/spawn-server";
import { addSpend, setMonthPool } from "./tests/helpers/org-fixture";

const PASSWORD = "a long enough password";
const MONTH = billingMonthOf(new Date());
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "orgshots-"));
const opened = await openDatabase({ pgliteDir: path.join(dataDir, "pglite") });
const db = opened.db;
await migrateToLatest(db);
const ada = await createUser(db, { email: "ada@example.com", name: "Ada Admin", password: PASSWORD });
const ben = await createUser(db, { email: "ben@example.com", name: "Ben Builder", password: PASSWORD });
const payments = await createTeam(db, { name: "Payments", slug: "payments", ownerId: ada.id });
const platform = await createTeam(db, { name: "Platform", slug: "platform", ownerId: ben.id });
const data = await createTeam(db, { name: "Data Science", slug: "data-science", ownerId: ben.id });
const org = await createOrganisation(db, { name: "Acme Engineering", slug: "acme", creatorId: ada.id });
for (const [team, owner] of [[payments, ada], [platform, ben], [data, ben]] as const) {
  await requestTeamAttachment(db, { organisationId: org.id, teamSlug: team.slug, requestedBy: ada.id });
  await acceptTeamRequest(db, { teamId: team.id, organisationId: org.id, userId: owner.id });
}
await setMonthPool(db, { organisationId: Number(org.id), month: MONTH, fixedCredits: 76_000, allocations: [[payments.id, 30_000], [platform.id, 25_000], [data.id, 12_000]] });
await db.insertInto("spendIdentities").values([
  { teamId: payments.id, identity: "dana-k", userId: ada.id, createdBy: null },
  { teamId: payments.id, identity: "ravi-m", userId: ada.id, createdBy: null },
  { teamId: platform.id, identity: "ravi-m", userId: ben.id, createdBy: null },
]).execute();
const today = new Date().toISOString().slice(0, 10);
const sprint = await createSprint(db, { teamId: payments.id, createdBy: ada.id, name: "Sprint 7", goal: "", start: today, end: today, capacityKind: "credits", capacityCredits: 1_000, poolPlan: null, poolSeats: null, poolPerSeat: null, reservePercent: 0, commitBasis: "expected", exhaustionPolicy: "warn" });
const stories = await createStories(db, { teamId: payments.id, stories: [
  { key: "PAY-9", title: "Settlement retries", link: null, labels: [], description: "" },
  { key: "PAY-10", title: "Ledger export for the auditors, with the long title that wraps", link: null, labels: [], description: "" },
] });
for (const s of stories) {
  await recordEstimate(db, { teamId: payments.id, storyId: s.id, levels: { intensity: "standard", autonomy: "delegate", risk: "medium" }, source: "solo", createdBy: ada.id });
  await commitStory(db, { teamId: payments.id, sprintId: sprint.id, storyId: s.id, actorId: ada.id, actorIsManager: true });
}
await addSpend(db, { teamId: payments.id, at: `${MONTH}-01T09:00:00Z`, credits: 24_000, model: "claude-sonnet-4-6" });
await addSpend(db, { teamId: platform.id, at: `${MONTH}-01T09:00:00Z`, credits: 9_000, model: "gpt-5.4" });
await db.updateTable("spendEntries").set({ storyId: stories[0]!.id }).where("teamId", "=", payments.id).execute();
await requestException(db, { organisationId: Number(org.id), teamId: payments.id, month: MONTH, sprintId: sprint.id, credits: 4_000, reason: "The settlement retries hit the p80 path twice; the auditors need the export this month.", storyIds: stories.map((s) => s.id), userId: ada.id });
await opened.close();

const server = await spawnServer({ dataDir });
const client = new HttpClient(server.url);
await client.post("/login", { email: "ada@example.com", password: PASSWORD, redirectTo: "/" });
const form = new FormData();
form.append("file", new Blob([fs.readFileSync("tests/fixtures/samples/copilot-ai-usage.csv")]), "copilot.csv");
await fetch(`${server.url}/o/acme/bill`, { method: "POST", body: form, headers: { Cookie: client.cookie, Origin: server.url } }).then((r) => console.log("import", r.status));
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
const pages = { exceptions: "/o/acme/exceptions", reports: "/o/acme/reports", bill: "/o/acme/bill?month=2026-11", credits: `/t/payments/sprints/${sprint.id}/credits`, retro: `/t/payments/sprints/${sprint.id}/retro`, dashboard: "/t/payments" };
for (const width of [1280, 390]) {
  const context = await browser.newContext({ baseURL: server.url, viewport: { width, height: 900 } });
  const [name, value] = client.cookie.split("=") as [string, string];
  await context.addCookies([{ name, value, url: server.url }]);
  const page = await context.newPage();
  for (const [label, url] of Object.entries(pages)) {
    await page.goto(url);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: `/tmp/orgshots/${label}-${width}.png`, fullPage: true });
  }
  await context.close();
}
await browser.close();
await server.stop();
console.log("done");
