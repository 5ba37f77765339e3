import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { createPokerSessionOverHttp, shareLogin } from "../helpers/poker-fixture";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";

// Once a story is finalized the room shows its result (size, credits and their range, who and
// when) instead of the finalize form; the story page's "Poker session" badge opens that session.
const DIMENSIONS = ["Model intensity", "Autonomy level", "Budget risk"] as const;

async function pick(page: Page, cards: [string, string, string]) {
  for (const [i, label] of DIMENSIONS.entries()) {
    await page
      .getByRole("radiogroup", { name: label })
      .first()
      .getByRole("radio", { name: cards[i], exact: true })
      .check();
  }
}

describe.skipIf(!chromiumPath())("a finalized story in the room and on its page", () => {
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

  it("shows the result, not the form, and the story links back to its session", async () => {
    const slug = `result-${Date.now().toString(36)}`;
    const owner = await signUp(server.url, "Rhea Result");
    await createTeam(owner, "Result Crew", slug);
    const { id, storyIds } = await createPokerSessionOverHttp(owner, slug);
    const context = await browser.newContext({ baseURL: server.url });
    await shareLogin(context, owner);
    const page = await context.newPage();
    await page.goto(`/t/${slug}/poker/${id}`);
    await expect.poll(() => page.getByTestId("live-indicator").textContent(), { timeout: 20_000 }).toBe("Live");

    await pick(page, ["Standard", "Pair", "Medium"]);
    await page.getByRole("button", { name: "Reveal", exact: true }).click();
    await page.getByRole("heading", { name: "Finalize this story" }).waitFor();
    await page.getByRole("button", { name: "Finalize", exact: true }).click();

    const result = page.getByRole("status").filter({ hasText: /✓ Finalized: [A-Z]+/ });
    await result.waitFor();
    const text = (await result.textContent()) ?? "";
    expect(text).toMatch(/[\d,]+ credits expected \(p80 [\d,]+;/);
    expect(text).toMatch(/range [\d,]+–[\d,]+ credits/);
    expect(text).toMatch(/By Rhea Result on \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC/);
    // The form is gone (it stays gone after a reload), Re-vote is what re-opens it.
    await expect.poll(() => page.getByRole("heading", { name: "Finalize this story" }).count()).toBe(0);
    await page.reload();
    await page
      .getByRole("status")
      .filter({ hasText: /✓ Finalized: [A-Z]+/ })
      .waitFor();
    expect(await page.getByRole("heading", { name: "Finalize this story" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Re-vote" }).count()).toBe(1);

    await page.goto(`/t/${slug}/stories/${storyIds[0]}`);
    const badge = page.getByRole("link", { name: /Poker session/ });
    expect(await badge.getAttribute("href")).toBe(`/t/${slug}/poker/${id}`);
    await badge.click();
    await page.waitForURL(`**/t/${slug}/poker/${id}`);
    await context.close();
  });
});
