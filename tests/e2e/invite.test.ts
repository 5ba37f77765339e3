import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { createPokerSessionOverHttp, shareLogin } from "../helpers/poker-fixture";
import { startTestServer, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";

// Getting someone new into a planning meeting: a manager makes an invite from the room; the
// invite's page names the team, signs up and joins in one step and lands in the room. Someone
// who already has an account joins with one click; an outsider with the members' link is told to
// ask for an invite or a guest link.
describe.skipIf(!chromiumPath())("invites from a poker room", () => {
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

  it("signs a newcomer up, joins the team and lands in the room the invite came from", async () => {
    const slug = `invite-${Date.now().toString(36)}`;
    const owner = await signUp(server.url, "Ines Inviter");
    await createTeam(owner, "Payments Platform Invite Crew", slug);
    const { id } = await createPokerSessionOverHttp(owner, slug, { name: "Sprint 3 planning" });
    const room = `/t/${slug}/poker/${id}`;

    const ownerContext = await browser.newContext({ baseURL: server.url });
    await shareLogin(ownerContext, owner);
    const ownerPage = await ownerContext.newPage();
    await ownerPage.goto(room);
    await ownerPage.getByRole("button", { name: "Invite someone new to the team" }).click();
    const inviteUrl = (await ownerPage.locator("#poker-invite-link").textContent({ timeout: 15_000 }))!;
    expect(inviteUrl).toMatch(new RegExp(`/invite/[A-Za-z0-9_-]+\\?to=${encodeURIComponent(room)}$`));

    // An outsider with the members' link is told what would help, not "Team not found".
    const outsider = await signUp(server.url, "Otto Outsider");
    const outsiderContext = await browser.newContext({ baseURL: server.url });
    await shareLogin(outsiderContext, outsider);
    const outsiderPage = await outsiderContext.newPage();
    const refused = await outsiderPage.goto(room);
    expect(refused?.status()).toBe(404);
    const said = (await outsiderPage.locator("body").textContent()) ?? "";
    expect(said).toMatch(/ask the team's owner for an invite, or the facilitator for a guest link/i);
    expect(said).not.toMatch(/Team not found/);

    // A newcomer: the page names the team; one form signs up and joins; a mistake keeps the team named.
    // On a phone: the button's label once ran past its edge ("…gn up and join Demo Payments Tea…").
    const newcomer = await browser.newContext({ baseURL: server.url, viewport: { width: 390, height: 844 } });
    const page = await newcomer.newPage();
    await page.goto(inviteUrl.replace(/^https?:\/\/[^/]+/, ""));
    await page.getByRole("heading", { name: "Join Payments Platform Invite Crew" }).waitFor();
    for (const control of await page.locator("main button, main input, form button").all()) {
      expect(await control.evaluate((e) => e.scrollWidth <= e.clientWidth + 1)).toBe(true);
    }
    expect(await page.locator("main, body").first().textContent()).toMatch(
      /invited to Payments Platform Invite Crew as Member/,
    );
    await page.getByLabel("Name").fill("Nia Newcomer");
    await page.getByLabel("E-mail").fill(`nia-${slug}@example.com`);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Sign up and join", exact: true }).click();
    await page.getByText("Use at least 10 characters").waitFor();
    expect(await page.getByRole("heading", { name: "Join Payments Platform Invite Crew" }).count()).toBe(1);
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Sign up and join", exact: true }).click();
    await page.waitForURL(`**${room}`);
    await page.getByRole("heading", { level: 1, name: "Sprint 3 planning" }).waitFor();
    expect(await page.getByRole("button", { name: "Join as voter" }).count()).toBe(1);

    // Someone with an account (the outsider) joins with one click and lands in the room too.
    await outsiderPage.goto(inviteUrl.replace(/^https?:\/\/[^/]+/, ""));
    await outsiderPage.getByRole("button", { name: "Join as Otto Outsider" }).click();
    await outsiderPage.waitForURL(`**${room}`);
    await outsiderPage.getByRole("heading", { level: 1, name: "Sprint 3 planning" }).waitFor();

    for (const c of [ownerContext, outsiderContext, newcomer]) await c.close();
  });
});
