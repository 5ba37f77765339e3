import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { startTestServer, type HttpClient, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";

// The spend inbox in pages of 50 whose links keep the filters and the sort and work without
// JavaScript; and the import result that says what a re-upload did (nothing new) and where the
// entries without a story went (the inbox, Identities).
let server: TestServer;
let owner: HttpClient & { email: string };
let token: string;
const slug = `inbox-${Date.now().toString(36)}`;

const entry = (i: number, repository: string) => ({
  id: `e-${repository}-${i}`,
  // Distinct days, so the default order (newest first) is known: day 1 is last.
  occurred_at: new Date(Date.UTC(2026, 9, 1) + i * 3_600_000).toISOString(),
  credits: 1 + i / 100,
  repository,
});

function postSpend(body: unknown) {
  return fetch(new URL(`/api/v1/teams/${slug}/spend`, server.url), {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server.url, "Inbox Owner");
  await createTeam(owner, "Inbox team", slug);
  const res = await owner.post(`/t/${slug}/settings/tokens`, { intent: "create", name: "CI" });
  token = /tpk_[A-Za-z0-9_-]+/.exec(await res.text())![0];
  const imported = await postSpend([
    ...Array.from({ length: 120 }, (_, i) => entry(i, "acme/pay")),
    ...Array.from({ length: 10 }, (_, i) => entry(i, "acme/web")),
  ]);
  expect(imported.status).toBe(200);
});
afterAll(async () => server?.stop());

describe("import results", () => {
  it("links the entries without a story to the inbox and Identities, and calls a re-upload 'nothing new'", async () => {
    const body = [entry(900, "acme/new"), entry(901, "acme/new")];
    const first = (await (await postSpend(body)).json()) as { importId: number; imported: number };
    const again = (await (await postSpend(body)).json()) as { importId: number; imported: number };
    expect([first.imported, again.imported]).toEqual([2, 0]);

    const page = await owner.request(`/t/${slug}/spend/import?done=${first.importId},${again.importId}`);
    const html = (await page.text()).replaceAll("<!-- -->", "");
    const cards = [...html.matchAll(/<article[^>]*class="card import-result[\s\S]*?<\/article>/g)].map((m) => m[0]);
    expect(cards).toHaveLength(2);
    const [fresh, repeat] = [
      cards.find((c) => c.includes("2 imported"))!,
      cards.find((c) => !c.includes("2 imported"))!,
    ];
    expect(fresh).toContain('class="badge badge-ok">Imported<');
    expect(fresh).toMatch(new RegExp(`<a [^>]*href="/t/${slug}/spend"[^>]*>2 without a story</a>`));
    expect(fresh).toMatch(new RegExp(`<a [^>]*href="/t/${slug}/spend/identities"[^>]*>Identities</a>`));
    // The re-upload added nothing: a neutral badge and words, not a green "Imported".
    expect(repeat).not.toContain("badge-ok");
    expect(repeat).toContain('class="badge">Nothing new<');
    expect(repeat).toMatch(/Nothing new — already imported: <\/strong><strong>2 duplicates<\/strong>/);
    // Those entries leave the inbox again, so the pages below count 130.
    const undo = await owner.post(`/t/${slug}/spend/import`, { intent: "undo", importId: String(first.importId) });
    expect(undo.status).toBeLessThan(400);
  });
});

describe.skipIf(!chromiumPath())("spend inbox pages", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it("shows 50 entries a page, with previous/next links that keep the filter and work without JavaScript", async () => {
    const context = await browser.newContext({ baseURL: server.url, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(owner.email);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(/\/t\//);

    const rows = page.locator("table.inbox-table tbody tr");
    await page.goto(`/t/${slug}/spend`);
    expect(await rows.count()).toBe(50);
    expect(await page.locator("#inbox-h ~ p.muted").first().textContent()).toMatch(/^130 entries/);

    // Filter by repository (a GET form), then walk the pages with the links.
    await page.locator("#f-repository").selectOption("acme/pay");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/repository=acme%2Fpay/);
    const pager = page.getByRole("navigation", { name: "Inbox pages" });
    expect(await pager.textContent()).toContain("Page 1 of 3");
    expect(await rows.count()).toBe(50);
    const firstPageIds = await rows
      .locator("input[type=checkbox]")
      .evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    await pager.getByRole("link", { name: /Next/ }).click();
    await page.waitForURL(/page=2/);
    expect(new URL(page.url()).searchParams.get("repository")).toBe("acme/pay");
    expect(await rows.count()).toBe(50);
    await page.getByRole("navigation", { name: "Inbox pages" }).getByRole("link", { name: /Next/ }).click();
    await page.waitForURL(/page=3/);
    expect(await rows.count()).toBe(20);
    expect(await page.locator("#f-repository").inputValue()).toBe("acme/pay");
    expect(
      await page.getByRole("navigation", { name: "Inbox pages" }).getByRole("link", { name: /Next/ }).count(),
    ).toBe(0);
    // Every row on the last filtered page is from the filtered repository, and pages do not repeat rows
    // (told apart by entry id: rows of the same day, model and rounded credits read alike).
    const lastPageIds = await rows
      .locator("input[type=checkbox]")
      .evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    expect(new Set([...firstPageIds, ...lastPageIds]).size).toBe(70);
    for (const text of await rows.allTextContents()) expect(text).toContain("acme/pay");
    await page
      .getByRole("navigation", { name: "Inbox pages" })
      .getByRole("link", { name: /Previous/ })
      .click();
    await page.waitForURL(/page=2/);
    expect(await rows.count()).toBe(50);

    // A page past the end goes to the last one; junk is page 1.
    await page.goto(`/t/${slug}/spend?repository=acme%2Fweb&page=7`);
    expect(new URL(page.url()).searchParams.get("page")).toBeNull();
    expect(await rows.count()).toBe(10);
    await page.goto(`/t/${slug}/spend?page=1e308`);
    expect(await page.getByRole("navigation", { name: "Inbox pages" }).textContent()).toContain("Page 1 of 3");
    await context.close();
  });
});
