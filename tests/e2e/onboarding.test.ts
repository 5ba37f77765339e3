import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";

describe.skipIf(!chromiumPath())("onboarding in a real browser", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("signs up, creates a team, invites, and a second person joins by the link", async () => {
    const owner = await browser.newContext({ baseURL: server.url });
    const page = await owner.newPage();
    await page.goto("/signup");
    await page.getByLabel("Name").fill("Rosa Owner");
    await page.getByLabel("E-mail").fill("rosa@example.com");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Sign up" }).click();
    // A user waits for the answer; under a loaded CI machine that can take more than the poll's default second.
    await expect.poll(() => page.getByText("Use at least 10 characters").count(), { timeout: 15_000 }).toBe(1);
    // The typed name survived the failed submit.
    expect(await page.getByLabel("Name").inputValue()).toBe("Rosa Owner");
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.waitForURL("**/teams/new");

    await page.getByLabel("Team name").fill("Checkout Crew");
    await page.getByRole("button", { name: "Create team" }).click();
    await page.waitForURL("**/t/checkout-crew");
    // Each click waits for its page: a click that lands while the previous page is still hydrating
    // would otherwise look like a missing form 30 s later.
    await page.getByRole("link", { name: "Settings" }).first().click();
    await page.waitForURL("**/t/checkout-crew/settings**");
    await page.getByRole("link", { name: "Members" }).click();
    await page.waitForURL("**/t/checkout-crew/settings/members");
    await page.getByLabel("Role", { exact: true }).selectOption("member");
    await page.getByRole("button", { name: "Create invite link" }).click();
    const link = await page.getByRole("textbox", { name: "Link" }).inputValue();
    expect(link).toMatch(/\/invite\//);

    const guest = await browser.newContext({ baseURL: server.url });
    const guestPage = await guest.newPage();
    await guestPage.goto(link);
    // The invite's page names the team and signs up and joins in one step.
    await guestPage.getByRole("heading", { name: "Join Checkout Crew" }).waitFor();
    await guestPage.getByLabel("Name").fill("Theo Teammate");
    await guestPage.getByLabel("E-mail").fill("theo@example.com");
    await guestPage.getByLabel("Password").fill("another long password");
    await guestPage.getByRole("button", { name: "Sign up and join", exact: true }).click();
    await guestPage.waitForURL("**/t/checkout-crew");
    await expect.poll(() => guestPage.getByRole("heading", { level: 1 }).textContent()).toBe("Checkout Crew");

    // Logging out and back in with the form brings the teammate back to the team.
    await guestPage.getByRole("button", { name: "Log out" }).click();
    await guestPage.waitForURL("**/login");
    await guestPage.getByLabel("E-mail").fill("theo@example.com");
    await guestPage.getByLabel("Password").fill("another long password");
    await guestPage.getByRole("button", { name: "Log in" }).click();
    await guestPage.waitForURL("**/t/checkout-crew");

    await page.reload();
    await expect.poll(() => page.getByRole("rowheader", { name: "Theo Teammate", exact: true }).count()).toBe(1);
    await owner.close();
    await guest.close();
  });
});
