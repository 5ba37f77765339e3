// A planning meeting as people live it (issue 16): someone closes their tab and the others see
// them gone and the round turn over; a keyboard-only voter walks along a row of cards and changes
// their last card within auto-reveal's grace period; the facilitator keeps focus and has shortcuts.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { focused } from "../helpers/keyboard";
import { createPokerSessionOverHttp, shareLogin } from "../helpers/poker-fixture";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

const DIMENSIONS = ["Model intensity", "Autonomy level", "Budget risk"] as const;

async function pick(page: Page, cards: [string, string, string]) {
  for (const [i, label] of DIMENSIONS.entries()) {
    await page
      .getByRole("radiogroup", { name: label })
      .first()
      .getByRole("radio", { name: cards[i], exact: true })
      .click();
  }
}

async function waitLive(page: Page) {
  await expect.poll(() => page.getByTestId("live-indicator").textContent(), { timeout: 20_000 }).toBe("Live");
}

async function person(page: Page, name: string) {
  return (
    (await page
      .getByRole("list", { name: "People in this session" })
      .getByRole("listitem")
      .filter({ hasText: name })
      .textContent()) ?? ""
  );
}

describe.skipIf(!chromiumPath())("a planning meeting", () => {
  let server: TestServer;
  let browser: Browser;
  let owner: HttpClient & { email: string };
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    owner = await signUp(server.url, "Fran Facilitator");
    await createTeam(owner, "Meeting crew", "meeting");
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  async function as(client: HttpClient, url: string) {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await shareLogin(context, client);
    const page = await context.newPage();
    await page.goto(url);
    await waitLive(page);
    return { context, page };
  }

  it("sees a participant who closed their tab gone within 30 s, and then auto-reveals", async () => {
    const val = await joinWithRole(owner, "meeting", "member", "Val Voter");
    const cleo = await joinWithRole(owner, "meeting", "member", "Cleo Closer");
    const { id } = await createPokerSessionOverHttp(owner, "meeting", { autoReveal: true });
    const url = `/t/meeting/poker/${id}`;
    const fran = (await as(owner, url)).page;
    const valPage = (await as(val, url)).page;
    const cleoTab = await as(cleo, url);
    for (const page of [valPage, cleoTab.page]) await page.getByRole("button", { name: "Join as voter" }).click();
    await expect.poll(() => person(fran, "Cleo Closer")).toContain("here");
    await pick(fran, ["Standard", "Pair", "Medium"]);
    await pick(valPage, ["Frontier", "Delegate", "High"]);
    await expect.poll(() => fran.getByText("2 of 3").count()).toBe(1);

    // Cleo closes the browser tab without voting.
    await cleoTab.context.close();
    const closedAt = Date.now();
    await expect.poll(() => person(fran, "Cleo Closer"), { timeout: 30_000 }).not.toContain("here");
    // The others all voted: after the grace period the cards turn over for everyone.
    await expect.poll(() => fran.getByTestId("revealed-round").count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => valPage.getByTestId("revealed-round").count(), { timeout: 10_000 }).toBe(1);
    expect(Date.now() - closedAt, "gone and revealed within 30 s").toBeLessThan(30_000);
    await expect.poll(() => fran.getByTestId("poker-announcer").textContent()).toMatch(/Cards revealed/);
    // The dashboard tells the same truth: two people here now.
    const dashboard = await (await owner.request("/t/meeting")).text();
    expect(dashboard).toMatch(/2(<!-- -->)?\s*here now/);
  });

  it("lets a keyboard-only voter walk a row and change their last card before it reveals", async () => {
    const kay = await joinWithRole(owner, "meeting", "member", "Kay Keys");
    const { id } = await createPokerSessionOverHttp(owner, "meeting", { autoReveal: true });
    const url = `/t/meeting/poker/${id}`;
    const fran = (await as(owner, url)).page;
    const page = (await as(kay, url)).page;
    await page.getByRole("button", { name: "Join as voter" }).click();
    await expect.poll(() => page.getByRole("radiogroup", { name: "Model intensity" }).count()).toBe(1);
    await pick(fran, ["Standard", "Pair", "Medium"]);

    await page.getByRole("radiogroup", { name: "Model intensity" }).getByRole("radio").first().focus();
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    expect((await focused(page)).field).toBe("risk");
    // The arrows move focus along the last row without casting a card: nothing reveals.
    const risk = page.getByRole("radiogroup", { name: "Budget risk" });
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    expect(await risk.getByRole("radio", { checked: true }).count()).toBe(0);
    expect(await page.getByText("Pick a card in each row, or split").count()).toBe(1);
    const focusedCard = (await focused(page)).name;
    // Space casts the focused card: the vote is complete and the grace period shows.
    await page.keyboard.press("Space");
    await expect.poll(() => page.getByTestId("auto-reveal-countdown").count()).toBe(1);
    expect(await page.getByTestId("revealed-round").count()).toBe(0);
    // A change of mind within the grace period counts (Enter casts too).
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Enter");
    const second = (await focused(page)).name;
    expect(second).not.toBe(focusedCard);
    await expect.poll(() => fran.getByTestId("revealed-round").count(), { timeout: 20_000 }).toBe(1);
    const row = fran
      .getByTestId("revealed-round")
      .getByRole("table")
      .getByRole("row", { name: /Kay Keys/ });
    const label = second.split(" ")[0]!;
    await expect.poll(() => row.textContent()).toContain(label);
  });

  it("keeps the facilitator's focus on the main action after Reveal, and answers R, V and N", async () => {
    const { id } = await createPokerSessionOverHttp(owner, "meeting");
    const url = `/t/meeting/poker/${id}`;
    const fran = (await as(owner, url)).page;
    await pick(fran, ["Standard", "Pair", "Medium"]);
    expect(await fran.getByText(/Keyboard: R reveal/).count()).toBe(1);
    await fran.getByRole("button", { name: "Reveal", exact: true }).focus();
    await fran.keyboard.press("Enter");
    await expect.poll(() => fran.getByTestId("revealed-round").count()).toBe(1);
    await expect.poll(async () => (await focused(fran)).name).toBe("Re-vote");
    // At 1280 px every column of the results table is in view, none cut off by its box.
    const clipped = await fran
      .getByTestId("revealed-round")
      .locator("table")
      .evaluate((table) => {
        const box = table.parentElement!.getBoundingClientRect();
        return [...table.querySelectorAll("th")]
          .filter((th) => th.getBoundingClientRect().right > box.right + 1)
          .map((th) => th.textContent);
      });
    expect(clipped, "results columns cut off at 1280 px").toEqual([]);
    // Shortcuts: V re-votes, R reveals; not while typing in a field.
    await fran.keyboard.press("v");
    await expect.poll(() => fran.getByText(/round 2/).count()).toBeGreaterThan(0);
    await fran.locator("#poker-name").focus();
    await fran.keyboard.press("r");
    await pick(fran, ["Standard", "Pair", "Medium"]);
    expect(await fran.getByText("Round 2 results", { exact: true }).count()).toBe(0);
    await fran.locator("body").click({ position: { x: 5, y: 5 } });
    await fran.keyboard.press("r");
    await expect.poll(() => fran.getByText("Round 2 results", { exact: true }).count()).toBe(1);
  });

  it("gets people in: copy links, guests on in one click, a QR code, and a warning for a localhost link", async () => {
    const { id } = await createPokerSessionOverHttp(owner, "meeting");
    const url = `/t/meeting/poker/${id}`;
    const { context, page } = await as(owner, url);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const share = page.getByRole("region", { name: "Invite people" });
    expect(await share.getByText(/only works on this computer/).count()).toBe(1);
    expect(await share.locator("#poker-share-link").textContent()).toBe(`${server.url}${url}`);
    await share.getByRole("button", { name: "Copy link" }).first().click();
    // Headless Chromium may refuse the clipboard; then the link is selected for Ctrl+C instead.
    await expect.poll(() => share.getByText(/Copied ✓|Selected: press Ctrl\+C/).count()).toBe(1);
    if (await share.getByText("Copied ✓").count()) {
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${server.url}${url}`);
    } else {
      expect(await page.evaluate(() => window.getSelection()?.toString())).toBe(`${server.url}${url}`);
    }
    // Guests: one click, and the full guest link (with its own Copy button) and a QR code of it.
    await share.getByRole("button", { name: /Let guests in/ }).click();
    await expect.poll(() => share.locator("#poker-guest-link").count()).toBe(1);
    expect(await share.locator("#poker-guest-link").textContent()).toMatch(/\/poker\/join\/[A-Za-z0-9_-]{16,}$/);
    expect(await share.getByRole("button", { name: "Copy link" }).count()).toBe(2);
    await share.getByText("QR code for people in the room").click();
    expect(await share.getByRole("img", { name: "QR code of the guest link" }).locator("svg").count()).toBe(1);
  });

  it("tells an outsider with a member link to ask for an invite or a guest link", async () => {
    const { id } = await createPokerSessionOverHttp(owner, "meeting");
    const outsider = await signUp(server.url, "Olga Outsider");
    const res = await outsider.request(`/t/meeting/poker/${id}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(
      /Ask the team(&#x27;|')s owner for an invite, or the facilitator for a guest link/,
    );
  });

  it("does not mark the login cookie Secure over plain http, and says so when a login cookie did not come back", async () => {
    const client = new HttpClient(server.url);
    const res = await client.post("/login", { email: owner.email, password: "correct horse battery" });
    expect(res.status).toBe(302);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("__session="));
    expect(session).toBeTruthy();
    expect(session).not.toMatch(/;\s*Secure/i);
    // The browser kept the marker but not the login cookie: the login page says why.
    const dropped = await fetch(`${server.url}/login`, { headers: { Cookie: "__login_sent=1" } });
    expect(await dropped.text()).toMatch(/did not send the login cookie back/);
  });
});
