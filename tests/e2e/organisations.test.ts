// An organisation in a browser, on the embedded database and on PostgreSQL when DATABASE_URL is set:
// a user creates it, asks a team to join, the team's owner accepts on the team's settings page, the
// admin sets the month's pool from seats and splits it (an allocation over the pool is refused with
// what was typed kept), the overview answers which team can still spend, and the team's sprint form
// shows what is left of its month and refuses a sprint over it under the 'refuse' policy.
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgresDatabase } from "../../scripts/lib/fresh-database";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { shareLogin } from "../helpers/poker-fixture";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";

const databaseUrl = process.env.DATABASE_URL || "";

function suite(name: string, env: () => Record<string, string>) {
  describe.skipIf(!chromiumPath())(`organisation in a browser (${name})`, () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let owner: Awaited<ReturnType<typeof signUp>>;

    beforeAll(async () => {
      server = await startTestServer({ env: env() });
      browser = await launchBrowser();
      owner = await signUp(server.url, "Olga Owner");
      await createTeam(owner, "Pay Team", "pay-team");
      const context = await browser.newContext({ baseURL: server.url });
      await shareLogin(context, owner);
      page = await context.newPage();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it("creates the organisation and attaches the team once its owner accepts", async () => {
      await page.goto("/orgs/new");
      await page.getByLabel("Organisation name").fill("Acme Test");
      await page.getByLabel("Address").fill("acme-test");
      await page.getByRole("button", { name: "Create organisation" }).click();
      await page.waitForURL(/\/o\/acme-test\/settings$/);
      await page.getByLabel("Ask a team to join").fill("pay-team");
      await page.getByRole("button", { name: "Send request" }).click();
      await page.getByText(/Asked \/t\/pay-team to join/).waitFor();

      await page.goto("/t/pay-team/settings/organisation");
      await page.getByText("Acme Test asks this team to join.").waitFor();
      await page.getByRole("button", { name: "Accept" }).click();
      await page.getByText("The team joined the organisation.").waitFor();
      // The team's header now links to the organisation.
      await page
        .getByRole("link", { name: /Acme Test/ })
        .first()
        .waitFor();
    });

    it("seats one person with an invite link and tells the next one the link was used", async () => {
      await page.goto("/o/acme-test/settings");
      await page.getByLabel("Role", { exact: true }).selectOption("viewer");
      await page.getByRole("button", { name: "Create invite link" }).click();
      const link = page.getByRole("textbox", { name: "Link" });
      await link.waitFor();
      await page.getByText(/One person can join with this link/).waitFor();
      const url = new URL(await link.inputValue());

      const visit = async (name: string) => {
        const person = await signUp(server.url, name, "/");
        const context = await browser.newContext({ baseURL: server.url, viewport: { width: 390, height: 844 } });
        await shareLogin(context, person);
        const tab = await context.newPage();
        await tab.goto(url.pathname);
        return tab;
      };
      const fin = await visit("Fin Viewer");
      await fin.getByRole("button", { name: "Join as Fin Viewer" }).click();
      await fin.waitForURL(/\/o\/acme-test$/);

      const late = await visit("Late Comer");
      await late.getByRole("heading", { name: "This invite link was used" }).waitFor();
      await late.getByText(/each link lets one person join/).waitFor();
      expect(await late.getByRole("button", { name: /Join/ }).count()).toBe(0);
      // Nor does the page name the organisation to someone the link was not for.
      expect(await late.locator("body").textContent()).not.toContain("Acme Test");
      await late.goto("/o/acme-test");
      await late.getByRole("heading", { name: "Not found" }).waitFor();

      // The person who used it is told where they are.
      await fin.goto(url.pathname);
      await fin.getByText("You joined Acme Test with this link.").waitFor();
      await fin.getByRole("link", { name: "Open Acme Test" }).click();
      await fin.waitForURL(/\/o\/acme-test$/);

      // The admin's list of open links no longer holds it.
      await page.goto("/o/acme-test/settings");
      await page.getByText("No open invite links.").waitFor();
      await fin.context().close();
      await late.context().close();
    });

    it("sets the pool from seats and refuses an allocation over it, keeping what was typed", async () => {
      await page.goto("/o/acme-test/pool");
      await page.getByText(/No pool for this month yet/).waitFor();
      await page.getByLabel("Seats", { exact: true }).fill("2");
      await page.getByLabel("A sprint over its team's allocation").selectOption("refuse");
      await page.getByRole("button", { name: "Save pool" }).click();
      await page.getByText("Pool saved.").waitFor();
      await expect.poll(() => page.getByText(/3,800\s*credits included/).count()).toBeGreaterThan(0);

      const amount = page.getByLabel("Pay Team", { exact: true });
      await amount.fill("5000");
      await page.getByRole("button", { name: "Save allocations" }).click();
      await page
        .getByText(/1,200 more than the pool|more than the pool/)
        .first()
        .waitFor();
      expect(await page.getByLabel("Pay Team", { exact: true }).inputValue()).toBe("5000");

      await page.getByLabel("Pay Team", { exact: true }).fill("50");
      await page.getByLabel("Pay Team: credits or percent").selectOption("percent");
      await page.getByRole("button", { name: "Save allocations" }).click();
      await page.getByText(/Allocations saved: 1,900 credits allocated, 1,900 in reserve/).waitFor();
    });

    it("answers on the overview which team can still spend", async () => {
      await page.goto("/o/acme-test");
      await page.getByRole("heading", { name: "Will the pool last?" }).waitFor();
      const row = page.getByRole("row", { name: /Pay Team/ }).first();
      await expect.poll(async () => (await row.textContent()) ?? "").toMatch(/Can spend.*1,900/);
      // Team totals only: no person's name appears on the organisation's overview.
      expect(await page.locator("main").textContent()).not.toContain("Olga");
    });

    it("shows every column of the overview's team table at 1280 px and keeps a phone's page from scrolling sideways", async () => {
      for (const width of [1280, 390]) {
        const context = await browser.newContext({ baseURL: server.url, viewport: { width, height: 900 } });
        await shareLogin(context, owner);
        const tab = await context.newPage();
        await tab.goto("/o/acme-test");
        const region = tab.locator(".table-wrap").filter({ has: tab.getByRole("table", { name: "Teams this month" }) });
        await region.locator("thead th").last().waitFor();
        if (width === 1280) {
          // The "Allocation lasts" column sat past the region's edge (1,206 px of table in 1,102).
          const frame = (await region.boundingBox())!;
          for (const header of await region.locator("thead th").all()) {
            const box = (await header.boundingBox())!;
            expect(box.x + box.width, (await header.textContent()) ?? "").toBeLessThanOrEqual(
              frame.x + frame.width + 1,
            );
          }
          expect(await region.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
        } else {
          // A phone scrolls the table inside its region, the team's name held at the left.
          expect(await tab.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
          await region.evaluate((e) => e.scrollTo({ left: e.scrollWidth }));
          const name = (await region.locator("tbody th").first().boundingBox())!;
          expect(name.x).toBeGreaterThanOrEqual(0);
          expect(name.x + name.width).toBeLessThanOrEqual(390);
        }
        await context.close();
      }
    });

    it("shows the team's month on the sprint form and refuses a sprint over it", async () => {
      await page.goto("/t/pay-team/sprints/new");
      await page.getByText(/This team draws on/).waitFor();
      await page.getByLabel("A number of credits").check();
      await page.getByLabel("Capacity (credits)").fill("5000");
      await page.getByRole("button", { name: "Create sprint" }).click();
      await page.getByText(/refuses sprints over the team's month allocation/).waitFor();
      // Nothing was created.
      await page.goto("/t/pay-team/sprints");
      expect(await page.getByRole("link", { name: /Sprint 1/ }).count()).toBe(0);
    });
  });
}

suite("embedded", () => ({}));

describe.skipIf(!databaseUrl)("on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    database = await freshPostgresDatabase(databaseUrl, "e2e");
    Object.assign(env, { DATABASE_URL: database!.url, SESSION_SECRET: randomBytes(24).toString("hex") });
  });
  afterAll(async () => database?.drop());
  suite("PostgreSQL", () => env);
});
