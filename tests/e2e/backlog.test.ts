import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemeField, schemeFormValues } from "~/domain/scheme-form";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { startTestServer, type HttpClient, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

let server: TestServer;
let owner: HttpClient;

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server.url, "Bea Backlog");
  await createTeam(owner, "Backlog Crew", "crew");
});
afterAll(async () => server?.stop());

// Server HTML as text to search: entities decoded, React's text separators dropped.
const unescape = (html: string) =>
  html
    .replace(/<!-- -->/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&");

const inputTag = (html: string, name: string) =>
  html.match(/<input\b[^>]*>/g)?.find((tag) => tag.includes(` name="${name}"`)) ?? "";

describe("backlog over HTTP", () => {
  it("rejects an invalid sizing scheme with the errors in place and keeps what was typed", async () => {
    const form = {
      ...schemeFormValues(DEFAULT_SCHEME),
      intent: "save",
      note: "Cheaper delegation",
      [schemeField.base(1, 2)]: "10",
      [schemeField.multiplier(2)]: "0.8",
      [schemeField.riskMedian(0)]: "0",
      [schemeField.levelLabel("risk", 2)]: "Wild",
    };
    const res = await owner.post("/t/crew/settings/sizing", form);
    expect(res.status).toBe(400);
    const html = unescape(await res.text());
    expect(html).toContain("Not saved: 3 values need fixing");
    // Each message sits next to its input, which keeps the typed value.
    expect(inputTag(html, "base[1][2]")).toMatch(/aria-invalid="true" aria-describedby="err-base-1-2-".* value="10"/);
    expect(html).toMatch(
      /id="err-base-1-2-" class="field-error">Standard × Delegate \(10\) must not cost less than Light × Delegate \(40\)/,
    );
    expect(inputTag(html, "p80Multiplier[2]")).toMatch(/aria-invalid="true".* value="0.8"/);
    expect(html).toContain("The p80 multiplier for Wild risk must be 1 or more");
    expect(inputTag(html, "riskMedian[0]")).toMatch(/aria-invalid="true".* value="0"/);
    expect(html).toContain("The median factor for Low risk must be between 0.1 and 10");
    expect(inputTag(html, "risk[2].label")).toContain('value="Wild"');
    expect(inputTag(html, "note")).toContain('value="Cheaper delegation"');

    // Nothing was saved: still version 1.
    expect(unescape(await (await owner.request("/t/crew/settings/sizing")).text())).toContain("Save as version 2");

    const fixed = await owner.post("/t/crew/settings/sizing", {
      ...form,
      [schemeField.base(1, 2)]: "140",
      [schemeField.multiplier(2)]: "4",
      [schemeField.riskMedian(0)]: "1",
      [schemeField.riskMedian(2)]: "1.2",
    });
    expect(fixed.status).toBe(200);
    expect(unescape(await fixed.text())).toContain("Saved as version 2");
    // The saved median factor is what the editor shows next.
    const saved = unescape(await (await owner.request("/t/crew/settings/sizing")).text());
    expect(inputTag(saved, "riskMedian[2]")).toContain('value="1.2"');
  });

  it("lets only managers save a scheme or a rate, and imports nothing from a CSV with a bad line", async () => {
    const member = await joinWithRole(owner, "crew", "member", "Mia Member");
    expect((await member.post("/t/crew/settings/sizing", { intent: "save" })).status).toBe(403);
    expect(
      (await member.post("/t/crew/settings/rates", { intent: "credit-value", creditValueUsd: "0.02" })).status,
    ).toBe(403);

    const csv = "key,title,labels\nCSV-1,Fine,api\nCSV-2,,ui\nCSV-1,Again,\n";
    const bad = await member.post("/t/crew/backlog/new", { intent: "csv", csvText: csv });
    expect(bad.status).toBe(400);
    const html = unescape(await bad.text());
    expect(html).toContain("Line 3: CSV-2 has no title");
    expect(html).toContain("Line 4: CSV-1 is already on line 2");
    expect(unescape(await (await member.request("/t/crew/backlog?q=CSV")).text())).toContain("0 stories match");

    const ok = await member.post("/t/crew/backlog/new", {
      intent: "csv",
      csvText: "key,title,labels\nCSV-1,Fine,api\nCSV-2,Also fine,ui\n",
    });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/t/crew/backlog?added=2");
    const again = await member.post("/t/crew/backlog/new", { intent: "paste", titles: "CSV-9 New\nCSV-2 Taken" });
    expect(again.status).toBe(400);
    expect(unescape(await again.text())).toContain("Line 2: CSV-2 is already a story in this team");
  });

  it("keeps the old story URL /backlog/:id working: GET moves for good (301), POST keeps its body (308)", async () => {
    const created = await owner.post("/t/crew/backlog/new", { intent: "create", title: "Moved story" });
    expect(created.status).toBe(302);
    const id = /^\/t\/crew\/stories\/(\d+)$/.exec(created.headers.get("location") ?? "")?.[1];
    expect(id, "a new story lands on /t/crew/stories/:id").toBeTruthy();
    const read = await owner.request(`/t/crew/backlog/${id}?from=mail`);
    expect(read.status).toBe(301);
    expect(read.headers.get("location")).toBe(`/t/crew/stories/${id}?from=mail`);
    const write = await owner.post(`/t/crew/backlog/${id}`, { intent: "restore" });
    expect(write.status).toBe(308);
    expect(write.headers.get("location")).toBe(`/t/crew/stories/${id}`);
    expect(unescape(await (await owner.request(`/t/crew/stories/${id}`)).text())).toContain("Moved story");
    // The static pages beside the old dynamic segment still win.
    expect((await owner.request("/t/crew/backlog/new")).status).toBe(200);
    expect((await owner.request("/t/crew/backlog/import")).status).toBe(200);
    // Outsiders learn nothing from the redirect.
    const outsider = await signUp(server.url, "Otto Outsider");
    expect((await outsider.request(`/t/crew/backlog/${id}`)).status).toBe(404);
  });
});

describe.skipIf(!chromiumPath())("backlog in a real browser", () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    const titles = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"].map((t, i) => `ORD-${i + 1} ${t}`).join("\n");
    const res = await owner.post("/t/crew/backlog/new", { intent: "paste", titles });
    expect(res.status).toBe(302);
    // Tall enough that all five handles are on screen under the two-row top bar (the mouse drag
    // needs both ends of its path inside the viewport).
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    const [name, value] = owner.cookie.split("=") as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    page = await context.newPage();
  });
  afterAll(async () => browser?.close());

  const orderView = "/t/crew/backlog?view=order&q=ORD-";
  const order = async () =>
    (
      await page
        .getByRole("list", { name: "Backlog order" })
        .getByRole("button")
        .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")))
    ).map((label) => /ORD-\d (\w+)/.exec(label ?? "")?.[1]);
  const handle = (title: string) => page.getByRole("button", { name: new RegExp(`^Move ORD-\\d ${title}$`) });
  const announcement = () => page.locator('[id^="DndLiveRegion"]').textContent();
  const moveSaved = () =>
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/backlog") && r.status() === 200);

  async function openOrderView() {
    await page.goto(orderView);
    // Handles are disabled until the page is hydrated and dragging can work.
    await expect.poll(() => handle("Alpha").isEnabled()).toBe(true);
  }

  it("reorders by keyboard, with announcements, and the order survives a reload", async () => {
    await openOrderView();
    expect(await order()).toEqual(["Alpha", "Bravo", "Charlie", "Delta", "Echo"]);

    await handle("Delta").focus();
    await page.keyboard.press("Space");
    await expect.poll(announcement).toMatch(/Picked up ORD-4 Delta\. Position 4 of 5/);
    await page.keyboard.press("ArrowUp");
    await expect.poll(announcement).toMatch(/moved to position 3 of 5/);
    await page.keyboard.press("ArrowUp");
    await expect.poll(announcement).toMatch(/moved to position 2 of 5/);
    const saved = moveSaved();
    await page.keyboard.press("Space");
    await expect.poll(announcement).toMatch(/dropped at position 2 of 5/);
    // The new order shows before the server answers; then the server's order is the same.
    expect(await order()).toEqual(["Alpha", "Delta", "Bravo", "Charlie", "Echo"]);
    await saved;

    await page.reload();
    await expect.poll(order).toEqual(["Alpha", "Delta", "Bravo", "Charlie", "Echo"]);
  });

  it("reorders by mouse drag, and the order survives a reload", async () => {
    await openOrderView();
    const from = (await handle("Echo").boundingBox())!;
    const to = (await handle("Alpha").boundingBox())!;
    const saved = moveSaved();
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 - 10, { steps: 4 });
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2 - 4, { steps: 12 });
    // dnd-kit settles the drop target on animation frames: drop once its live region says where.
    await expect.poll(() => page.locator("[id^=DndLiveRegion]").textContent()).toContain("Echo moved to position 1 of");
    await page.mouse.up();
    await saved;
    expect(await order()).toEqual(["Echo", "Alpha", "Delta", "Bravo", "Charlie"]);

    await page.reload();
    await expect.poll(order).toEqual(["Echo", "Alpha", "Delta", "Bravo", "Charlie"]);
    // The table view sorted by rank agrees.
    await page.goto("/t/crew/backlog?q=ORD-");
    const keys = await page.locator(".story-table tbody code.story-key").allTextContents();
    expect(keys).toEqual(["ORD-5", "ORD-1", "ORD-4", "ORD-2", "ORD-3"]);
  });

  it("creates a story and gives it a quick solo estimate", async () => {
    await page.goto("/t/crew/backlog");
    await page.locator(".page-header").getByRole("link", { name: "Add stories" }).click();
    await page.waitForURL("**/backlog/new");
    await page.getByLabel(/^Title/).fill("Retry failed payouts");
    await page.getByLabel("Key", { exact: true }).fill("pay-1");
    await page.getByLabel("Labels").fill("api, Infra");
    await page.getByRole("button", { name: "Add story" }).click();
    // A key that does not match the team's pattern is explained in place; the title stays.
    await expect.poll(() => page.getByText("Keys look like PAY-412").count()).toBe(1);
    expect(await page.getByLabel(/^Title/).inputValue()).toBe("Retry failed payouts");
    await page.getByLabel("Key", { exact: true }).fill("PAY-1");
    await page.getByRole("button", { name: "Add story" }).click();
    await page.waitForURL(/\/stories\/\d+$/);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toContain("Retry failed payouts");
    expect(await page.getByText("Not estimated yet.").count()).toBe(1);

    await page.getByRole("radio", { name: /^Standard/ }).check();
    await page.getByRole("radio", { name: /^Delegate/ }).check();
    await page.getByRole("radio", { name: /^Medium/ }).check();
    // The live preview uses the team's current scheme (version 2 from the HTTP test: 140 credits).
    await expect.poll(() => page.locator("output").textContent()).toBe("Size M · expected 140 credits · p80 350");
    await page.getByRole("button", { name: "Save solo estimate" }).click();
    await expect.poll(() => page.getByText("Solo estimate saved.").count()).toBe(1);
    expect(await page.locator(".size-big").textContent()).toBe("Size M");
    expect(await page.getByText("Solo estimate", { exact: true }).count()).toBe(1);
    expect(await page.getByText("Scheme v2").count()).toBe(1);
    expect(await page.getByRole("textbox", { name: "Claude Code" }).inputValue()).toBe(
      'claude -p "PAY-1: Retry failed payouts" --max-budget-usd 3.50',
    );
    expect(await page.getByRole("textbox", { name: "Copilot CLI" }).inputValue()).toBe("copilot --max-ai-credits 350");

    await page.goto("/t/crew/backlog?q=PAY-1");
    const row = page.getByRole("row", { name: /Retry failed payouts/ });
    expect(await row.getByText("solo").count()).toBe(1);
    expect(await row.getByText("Estimated").count()).toBe(1);
    expect(await row.getByText("infra").count()).toBe(1);
  });
});
