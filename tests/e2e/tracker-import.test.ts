import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

const fixtures = path.resolve("tests/fixtures/trackers");

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server.url, "Tia Tracker");
  await createTeam(owner, "Tracker team", "tracker");
});
afterAll(async () => server?.stop());

describe("tracker import over HTTP", () => {
  it("lets observers look but not import, and refuses what it cannot read with the reason", async () => {
    const observer = await joinWithRole(owner, "tracker", "observer", "Oz Observer");
    expect((await observer.request("/t/tracker/backlog/import")).status).toBe(200);
    expect((await observer.post("/t/tracker/backlog/import", { intent: "import", text: "[]" })).status).toBe(403);

    const bad = await owner.post("/t/tracker/backlog/import", { intent: "preview", text: "title,owner\nx,y\n" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("not a tracker export we know");
  });
});

describe.skipIf(!chromiumPath())("tracker import in a browser", () => {
  it("previews a Jira export, imports it, and a re-import of the gh JSON adds without duplicating", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/login`);
      await page.fill('input[name="email"]', owner.email);
      await page.fill('input[name="password"]', "correct horse battery");
      await Promise.all([page.waitForURL(/\/teams\/new|\/t\//), page.click('button[type="submit"]')]);

      await page.goto(`${server.url}/t/tracker/backlog`);
      await page.getByRole("link", { name: "Import from a tracker" }).first().click();
      await page.getByLabel("Exported file").setInputFiles(path.join(fixtures, "jira-all-fields.csv"));
      await page.getByLabel("Jira site (optional)").fill("https://acme.atlassian.net");
      await page.getByRole("button", { name: "Preview" }).click();
      const preview = page.getByRole("region", { name: "2. Check and import" });
      await preview.getByText("Jira CSV export").waitFor();
      expect(await preview.getByRole("table").locator("tbody tr").count()).toBe(3);
      // Nothing is written by a preview.
      expect(await (await owner.request("/t/tracker/backlog")).text()).not.toContain("PAY-412");

      await preview.getByRole("button", { name: "Import 3 new, update 0" }).click();
      await page.waitForURL(/backlog\?added=3/);
      await page.getByRole("status").getByText("Added 3 stories").waitFor();
      expect(await page.getByRole("link", { name: "Crash when cart is empty" }).count()).toBe(1);
      await page.getByText("closed in tracker").first().waitFor();

      // The same file again: nothing to change, the button says so.
      await page.goto(`${server.url}/t/tracker/backlog/import`);
      await page.getByLabel("Exported file").setInputFiles(path.join(fixtures, "jira-all-fields.csv"));
      await page.getByLabel("Jira site (optional)").fill("https://acme.atlassian.net");
      await page.getByRole("button", { name: "Preview" }).click();
      const second = page.getByRole("region", { name: "2. Check and import" });
      await second.getByText("Jira CSV export").waitFor();
      expect(await second.textContent()).toContain("0 new, 0 to update, 3 unchanged");
      expect(await second.getByRole("button", { name: "Nothing to change" }).isDisabled()).toBe(true);

      // GitHub issues: two new ones; their keys come from the repository.
      await page.getByLabel("Exported file").setInputFiles(path.join(fixtures, "gh-issues.json"));
      await page.getByRole("button", { name: "Preview" }).click();
      await page.getByRole("button", { name: "Import 2 new, update 0" }).click();
      await page.waitForURL(/backlog\?added=2/);
      const keys = await page.locator(".story-table tbody code.story-key").allTextContents();
      expect(keys.sort()).toEqual(["PAY-398", "PAY-412", "PAY-413", "PAYAPI-17", "PAYAPI-41"]);
    } finally {
      await browser.close();
    }
  });
});
