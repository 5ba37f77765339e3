import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";

// The app shell at a phone's width: a compact bar whose menu holds every section (My spend too)
// and the full team and user names; at 1280 px the sections are in the bar.
let server: TestServer;
let browser: Browser;
let email: string;
const slug = `shell-${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await startTestServer();
  const owner = await signUp(server.url, "Alexandra Featherstonehaugh-Smythe");
  email = owner.email;
  await createTeam(owner, "Payments Platform Reliability Team", slug);
  if (chromiumPath()) browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const SECTIONS = ["Dashboard", "Backlog", "Poker", "Sprints", "Spend", "My spend", "Insights", "Settings"];

describe.skipIf(!chromiumPath())("app shell", () => {
  for (const width of [390, 1280]) {
    it(`shows every section and the full names at ${width} px`, async () => {
      const context = await browser.newContext({ baseURL: server.url, viewport: { width, height: 800 } });
      const page = await context.newPage();
      await page.goto("/login");
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password").fill("correct horse battery");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(/\/t\//);
      await page.goto(`/t/${slug}`);
      // Nothing in the bar runs past the screen (the phone's menu button once ended at 400 px of 390).
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      for (const part of await page.locator(".topbar > *:visible, .phone-menu > summary:visible").all()) {
        const box = (await part.boundingBox())!;
        expect(box.x + box.width, await part.evaluate((e) => e.className)).toBeLessThanOrEqual(width);
      }
      if (width === 390) {
        await page
          .getByRole("button", { name: /^Menu: / })
          .or(page.locator(".phone-menu > summary"))
          .first()
          .click();
        const user = page.locator(".phone-menu-user");
        expect(await user.textContent()).toContain("Alexandra Featherstonehaugh-Smythe");
        expect(await user.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
      }
      const nav = page.getByRole("navigation", { name: "Team sections" });
      for (const name of SECTIONS) {
        const box = (await nav.getByRole("link", { name, exact: true }).boundingBox())!;
        expect(box, name).not.toBeNull();
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
      }
      expect(await nav.getByRole("link", { name: "My spend", exact: true }).getAttribute("href")).toBe(`/t/${slug}/me`);
      await context.close();
    });
  }
});
