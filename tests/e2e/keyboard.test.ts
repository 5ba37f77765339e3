import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoLogin, logIn } from "../helpers/app-routes";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { focused, invisibleStops, tabTo, type Focused } from "../helpers/keyboard";
import { createPokerSessionOverHttp, shareLogin } from "../helpers/poker-fixture";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { joinWithRole } from "../helpers/team-fixture";

// The poker room and the planning board with the keyboard alone: Tab reaches every card and
// control, Space/Enter work them, and focus is visible at every stop on the way. (Dragging a story
// between the board's columns by keyboard is in sprints.test.ts; the room's mouse flow and what
// leaks before reveal are in poker.test.ts.)

describe.skipIf(!chromiumPath())("keyboard only", () => {
  let server: TestServer;
  let browser: Browser;
  let owner: HttpClient;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { SEED_DEMO: "1" } });
    browser = await launchBrowser();
    const { email, password } = demoLogin(server.output());
    owner = new HttpClient(server.url);
    await logIn(owner, email, password);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  async function as(client: HttpClient, url: string): Promise<Page> {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await shareLogin(context, client);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => "__remixRouter" in window);
    return page;
  }

  const named = (kind: string, name: RegExp) => (f: Focused) => f.kind === kind && name.test(f.name);

  it("offers a visible skip link past the navigation as the first Tab stop of a team page", async () => {
    const page = await as(owner, "/t/demo/backlog");
    await page.keyboard.press("Tab");
    const first = await focused(page);
    expect(first).toMatchObject({ kind: "a", name: "Skip to content", visible: true });
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    // The next stop is inside the page, not the navigation.
    expect(
      await page.evaluate(() => !!document.activeElement?.closest("main") && !document.activeElement.closest("header")),
    ).toBe(true);
  });

  it("runs a poker round: join, pick a card in each row, reveal, finalize, next story", async () => {
    const voter = await joinWithRole(owner, "demo", "member", "Kay Board");
    const { id } = await createPokerSessionOverHttp(owner, "demo", {
      titles: ["Keyboard story one", "Keyboard story two"],
    });
    const url = `/t/demo/poker/${id}`;
    const live = (page: Page) =>
      expect.poll(() => page.getByTestId("live-indicator").textContent(), { timeout: 20_000 }).toBe("Live");
    const stops: Focused[] = [];

    // The voter joins and votes without a mouse.
    const kay = await as(voter, url);
    await live(kay);
    stops.push(...(await tabTo(kay, named("button", /^Join as voter/))));
    await kay.keyboard.press("Enter");
    await expect.poll(() => kay.getByRole("radiogroup", { name: "Model intensity" }).count()).toBe(1);
    stops.push(...(await tabTo(kay, (f) => f.kind === "input[radio]" && f.field === "intensity")));
    // A row of cards is one radio group, one Tab stop: the arrow keys move along it (without casting:
    // issue 16), Space picks the focused card, Tab goes on to the next row.
    await kay.keyboard.press("ArrowRight");
    await kay.keyboard.press("Space");
    for (const row of ["autonomy", "risk"]) {
      await kay.keyboard.press("Tab");
      const f = await focused(kay);
      stops.push(f);
      expect(
        f.kind === "input[radio]" && f.field === row,
        `Tab after the previous row lands on ${row}: ${f.kind} ${f.field}`,
      ).toBe(true);
      await kay.keyboard.press("Space");
    }
    await kay.keyboard.press("Tab");
    const split = await focused(kay);
    stops.push(split);
    expect(split.field, "the split box follows the cards").toBe("split");
    await expect.poll(() => kay.getByText("✓ Your vote is in").count()).toBe(1);
    for (const row of ["Model intensity", "Autonomy level", "Budget risk"]) {
      expect(await kay.getByRole("radiogroup", { name: row }).getByRole("radio", { checked: true }).count(), row).toBe(
        1,
      );
    }

    // The facilitator reveals, finalizes the suggested size and moves on, by keyboard.
    const fran = await as(owner, url);
    await live(fran);
    await expect.poll(() => fran.getByText(/1 of \d+/).count()).toBeGreaterThan(0);
    stops.push(...(await tabTo(fran, named("button", /^Reveal$/))));
    await fran.keyboard.press("Enter");
    await expect.poll(() => fran.getByTestId("revealed-round").count()).toBe(1);
    stops.push(...(await tabTo(fran, named("button", /^Finalize$/))));
    await fran.keyboard.press("Enter");
    await expect.poll(() => fran.getByText(/Finalized: /).count()).toBeGreaterThan(0);
    stops.push(...(await tabTo(fran, named("button", /^Next story$/))));
    await fran.keyboard.press("Enter");
    await expect.poll(() => fran.getByRole("heading", { level: 2, name: /Keyboard story two/ }).count()).toBe(1);
    await expect.poll(() => kay.getByRole("heading", { level: 2, name: /Keyboard story two/ }).count()).toBe(1);

    expect(invisibleStops(stops), "stops where focus could not be seen").toEqual([]);
  });

  it("commits a story to a sprint and takes it out again with Tab and Enter on the planning board", async () => {
    // A sprint still being planned: its board offers "Commit …" buttons.
    const list = await (await owner.request("/t/demo/sprints")).text();
    let boardUrl: string | null = null;
    for (const m of list.matchAll(/href="(\/t\/demo\/sprints\/\d+)"/g)) {
      if (/aria-label="Commit /.test(await (await owner.request(m[1]!)).text())) {
        boardUrl = m[1]!;
        break;
      }
    }
    expect(boardUrl, "a sprint in planning in the demo").toBeTruthy();
    const page = await as(owner, boardUrl!);
    const stops = await tabTo(page, named("button", /^Commit /), { max: 120 });
    const key = stops.at(-1)!.name.replace(/^Commit /, "");
    // The drag handle of the same card comes before it, so the keyboard path to the board is there too.
    expect(stops.some((f) => f.kind === "button" && f.name.startsWith("Move ") && f.name.includes(key))).toBe(true);
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.getByRole("button", { name: `Remove ${key}`, exact: true }).count(), { timeout: 10_000 })
      .toBe(1);
    // Focus stays with the story: on its Remove button in the sprint column, not back at the page start.
    // (The button shows at once; focus moves once the move is saved, which takes longer under load.)
    await expect.poll(async () => (await focused(page)).name, { timeout: 10_000 }).toBe(`Remove ${key}`);
    const back = [await focused(page)];
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.getByRole("button", { name: `Commit ${key}`, exact: true }).count(), { timeout: 10_000 })
      .toBe(1);
    await expect.poll(async () => (await focused(page)).name, { timeout: 10_000 }).toBe(`Commit ${key}`);
    back.push(await focused(page));
    expect(invisibleStops([...stops, ...back]), "stops where focus could not be seen").toEqual([]);
  });
});
