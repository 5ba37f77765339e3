import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { startTestServer, type HttpClient, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

// Sprints through the built server: the exhaustion policy holds against POSTs made by hand (no
// page, no JavaScript), and in a real browser a story is committed by keyboard drag and the
// capacity meter follows; a hard stop shows by how much.
let server: TestServer;
let owner: HttpClient & { email: string };
let member: HttpClient;
let observer: HttpClient;
let slug: string;
let teamSeq = 0;

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server.url, "Sprint Owner");
});
afterAll(async () => server?.stop());

/** A fresh team with estimated stories: PAY-1 50/75, PAY-2 400/600, PAY-3 150/225, PAY-4 unestimated. */
async function freshTeam() {
  slug = `sprinters-${teamSeq++}-${Date.now().toString(36)}`;
  await createTeam(owner, "Sprinters", slug);
  member = await joinWithRole(owner, slug, "member", "Mia Member");
  observer = await joinWithRole(owner, slug, "observer", "Oli Observer");
  const ids: Record<string, string> = {};
  const stories: [string, string, Record<string, string> | null][] = [
    ["PAY-1", "Small fix", { intensity: "standard", autonomy: "pair", risk: "low" }],
    ["PAY-2", "Big migration", { intensity: "frontier", autonomy: "delegate", risk: "low" }],
    ["PAY-3", "Medium feature", { intensity: "standard", autonomy: "delegate", risk: "low" }],
    ["PAY-4", "Not sized yet", null],
  ];
  for (const [key, title, levels] of stories) {
    const res = await owner.post(`/t/${slug}/backlog/new`, { intent: "create", key, title });
    expect(res.status, await res.clone().text()).toBe(302);
    const id = /\/stories\/(\d+)$/.exec(res.headers.get("location") ?? "")![1]!;
    ids[key] = id;
    if (levels) {
      const est = await owner.post(`/t/${slug}/stories/${id}`, { intent: "estimate", ...levels });
      expect(est.status).toBe(200);
    }
  }
  return ids;
}

async function createSprint(policy: "warn" | "approval" | "hard-stop", capacity: number) {
  const res = await owner.post(`/t/${slug}/sprints/new`, {
    name: `Sprint ${policy}`,
    goal: "",
    start: "2026-11-23",
    end: "2026-12-04",
    capacityKind: "credits",
    capacityCredits: String(capacity),
    reservePercent: "0",
    commitBasis: "expected",
    exhaustionPolicy: policy,
  });
  expect(res.status, await res.clone().text()).toBe(302);
  return /\/sprints\/(\d+)$/.exec(res.headers.get("location") ?? "")![1]!;
}

/** The keys shown in the board's sprint column of the page's HTML. */
async function sprintColumnKeys(client: HttpClient, sprintId: string) {
  const html = await (await client.request(`/t/${slug}/sprints/${sprintId}`)).text();
  const column = html.split('data-column="sprint"')[1]?.split("</section>")[0] ?? "";
  return [...column.matchAll(/PAY-\d+/g)].map((m) => m[0]).filter((k, i, all) => all.indexOf(k) === i);
}

const boardUrl = (sprintId: string) => `/t/${slug}/sprints/${sprintId}?index`;

describe("exhaustion policy against hand-made POSTs", () => {
  it("hard-stop refuses an over-capacity commit with the amount, and nothing is committed", async () => {
    const ids = await freshTeam();
    const sprint = await createSprint("hard-stop", 500);
    expect((await member.post(boardUrl(sprint), { intent: "commit", storyId: ids["PAY-2"]! })).status).toBe(200); // 400 of 500
    const refused = await member.post(boardUrl(sprint), { intent: "commit", storyId: ids["PAY-3"]! }); // +150
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain(
      "would exceed the sprint&#x27;s available 500 credits by 50 credits. The sprint&#x27;s hard-stop policy refuses it.",
    );
    // Extra fields a crafted form might add change nothing: the action reads the policy from the sprint.
    const forced = await owner.post(boardUrl(sprint), {
      intent: "commit",
      storyId: ids["PAY-3"]!,
      reason: "force",
      force: "1",
      exhaustionPolicy: "warn",
    });
    expect(forced.status).toBe(409);
    const unknown = await member.post(boardUrl(sprint), { intent: "commit", storyId: ids["PAY-4"]! });
    expect(unknown.status).toBe(409);
    expect(await unknown.text()).toContain("has no estimate");
    expect(await sprintColumnKeys(owner, sprint)).toEqual(["PAY-2"]);
    // Observers cannot commit at all.
    expect((await observer.post(boardUrl(sprint), { intent: "commit", storyId: ids["PAY-1"]! })).status).toBe(403);
  });

  it("approval: no commit without a reason, a member's reason waits for a manager, a manager approves", async () => {
    const ids = await freshTeam();
    const sprint = await createSprint("approval", 500);
    expect((await member.post(boardUrl(sprint), { intent: "commit", storyId: ids["PAY-2"]! })).status).toBe(200);
    const ask = await member.post(boardUrl(sprint), { intent: "commit", storyId: ids["PAY-3"]! });
    expect(ask.status).toBe(409);
    expect(await ask.text()).toContain("A manager must approve it and give a reason.");
    expect(await sprintColumnKeys(owner, sprint)).toEqual(["PAY-2"]);

    const requested = await member.post(boardUrl(sprint), {
      intent: "commit",
      storyId: ids["PAY-3"]!,
      reason: "Customer escalation",
    });
    expect(requested.status).toBe(200);
    expect(await sprintColumnKeys(owner, sprint)).toEqual(["PAY-2"]);
    const page = await (await owner.request(`/t/${slug}/sprints/${sprint}`)).text();
    const requestId = /name="requestId" value="(\d+)"/.exec(page)?.[1];
    expect(requestId).toBeTruthy();
    expect(page).toContain("Customer escalation");

    // A member cannot approve, even by posting the approve intent directly.
    expect((await member.post(boardUrl(sprint), { intent: "approve", requestId: requestId! })).status).toBe(403);
    const approved = await owner.post(boardUrl(sprint), { intent: "approve", requestId: requestId!, note: "OK" });
    expect(approved.status).toBe(200);
    expect(await sprintColumnKeys(owner, sprint)).toEqual(["PAY-2", "PAY-3"]);
  });

  it("warn: lets the over-commit through with the warning", async () => {
    const ids = await freshTeam();
    const sprint = await createSprint("warn", 100);
    const res = await member.post(boardUrl(sprint), { intent: "commit", storyId: ids["PAY-3"]! });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("would exceed the sprint&#x27;s available 100 credits by 50 credits");
    expect(await sprintColumnKeys(owner, sprint)).toEqual(["PAY-3"]);
  });

  it("keeps sprint settings and the team webhook to managers", async () => {
    await freshTeam();
    const sprint = await createSprint("warn", 100);
    expect(
      (await member.post(`/t/${slug}/sprints/${sprint}/settings`, { intent: "close", destination: "backlog" })).status,
    ).toBe(403);
    expect(
      (
        await member.post(`/t/${slug}/settings?index`, {
          name: "Sprinters",
          timeZone: "UTC",
          keyPattern: "[A-Z]+-\\d+",
          webhookUrl: "http://127.0.0.1:9/x",
        })
      ).status,
    ).toBe(403);
    const bad = await owner.post(`/t/${slug}/settings?index`, {
      name: "Sprinters",
      timeZone: "UTC",
      keyPattern: "[A-Z]+-\\d+",
      webhookUrl: "ftp://example.com",
    });
    expect(bad.status).toBe(400);
    const ok = await owner.post(`/t/${slug}/settings?index`, {
      name: "Sprinters",
      timeZone: "UTC",
      keyPattern: "[A-Z]+-\\d+",
      webhookUrl: "https://hooks.example.com/T1",
    });
    expect(ok.status).toBe(200);
    expect(await (await owner.request(`/t/${slug}/settings`)).text()).toContain("https://hooks.example.com/T1");
    expect(await (await member.request(`/t/${slug}/settings`)).text()).not.toContain("hooks.example.com");
  });
});

describe.skipIf(!chromiumPath())("planning board in a real browser", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  async function logIn(page: Page) {
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(owner.email);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(/\/t\//);
  }

  /** Space, arrow, Space on a drag handle, each step after dnd-kit's announcement of the previous one. */
  async function keyboardMove(page: Page, handleName: string, arrow: "ArrowLeft" | "ArrowRight", overText: string) {
    const handle = page.getByRole("button", { name: handleName });
    await expect.poll(() => handle.isEnabled()).toBe(true); // hydrated
    const announced = () =>
      page.evaluate(() => [...document.querySelectorAll('[id^="DndLiveRegion"]')].map((e) => e.textContent).join(" "));
    await handle.focus();
    await page.keyboard.press("Space");
    await expect.poll(announced).toContain("Picked up");
    // dnd-kit starts listening for arrow keys a tick after the pick-up is announced; pressing
    // again until the move is announced is harmless (the same column is the target each time).
    await expect
      .poll(async () => {
        await page.keyboard.press(arrow);
        return announced();
      })
      .toContain(overText);
    await page.keyboard.press("Space");
    await expect.poll(announced).toContain("dropped into");
  }

  it("commits a story by keyboard drag and the meter follows", async () => {
    await freshTeam();
    const sprint = await createSprint("warn", 1000);
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    await logIn(page);
    await page.goto(`/t/${slug}/sprints/${sprint}`);
    const meter = page.getByTestId("meter-load");
    expect(await meter.textContent()).toBe("0");
    await keyboardMove(page, "Move PAY-1 Small fix", "ArrowRight", "over the sprint");
    await expect.poll(() => meter.textContent()).toBe("50");
    // The server agrees once the move lands: the card is in the sprint column and stays there.
    const sprintColumn = page.locator('[data-column="sprint"]');
    await expect.poll(() => sprintColumn.getByText("Small fix").count()).toBe(1);
    await page.reload();
    expect(await page.getByTestId("meter-load").textContent()).toBe("50");
    expect(await page.locator('[data-column="sprint"]').getByText("Small fix").count()).toBe(1);

    // And back out by keyboard: the meter returns to zero.
    await keyboardMove(page, "Move PAY-1 Small fix", "ArrowLeft", "over the backlog");
    await expect.poll(() => page.getByTestId("meter-load").textContent()).toBe("0");
    await expect.poll(() => page.locator('[data-column="backlog"]').getByText("Small fix").count()).toBe(1);
    await context.close();
  });

  it("hits a hard stop and says by how much", async () => {
    const ids = await freshTeam();
    const sprint = await createSprint("hard-stop", 500);
    expect((await owner.post(boardUrl(sprint), { intent: "commit", storyId: ids["PAY-2"]! })).status).toBe(200);
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    await logIn(page);
    await page.goto(`/t/${slug}/sprints/${sprint}`);
    await expect.poll(() => page.getByRole("button", { name: "Move PAY-3 Medium feature" }).isEnabled()).toBe(true);
    await page.getByRole("button", { name: "Commit PAY-3" }).click();
    const message = page.getByTestId("board-message");
    await expect
      .poll(() => message.textContent())
      .toBe(
        "Committing PAY-3 would exceed the sprint's available 500 credits by 50 credits. The sprint's hard-stop policy refuses it.",
      );
    expect(await page.getByTestId("meter-load").textContent()).toBe("400");
    expect(await page.locator('[data-column="backlog"]').getByText("Medium feature").count()).toBe(1);
    // The refusal is a dialog holding focus; Escape closes it and focus is back on the card.
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest("dialog[open]") !== null)).toBe(true);
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByTestId("commit-dialog").count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Commit PAY-3");
    await context.close();
  });

  it("the approval commit dialog takes focus, has Cancel, and gives focus back to the card", async () => {
    const ids = await freshTeam();
    const sprint = await createSprint("approval", 500);
    expect((await owner.post(boardUrl(sprint), { intent: "commit", storyId: ids["PAY-2"]! })).status).toBe(200);
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await logIn(page);
    await page.goto(`/t/${slug}/sprints/${sprint}`);
    await expect.poll(() => page.getByRole("button", { name: "Move PAY-3 Medium feature" }).isEnabled()).toBe(true);
    await page.getByRole("button", { name: "Commit PAY-3" }).click();
    const dialog = page.getByRole("dialog", { name: "Over capacity: approval needed" });
    await expect.poll(() => dialog.count()).toBe(1);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("approval-reason");
    // Where the user is: inside the viewport.
    const box = (await dialog.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(720);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Commit PAY-3");
    // Again, with a reason: the owner (a manager) commits it.
    await page.getByRole("button", { name: "Commit PAY-3" }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("approval-reason");
    await page.keyboard.type("Launch needs it");
    await dialog.getByRole("button", { name: "Commit with this reason" }).click();
    await expect.poll(() => page.locator('[data-column="sprint"]').getByText("Medium feature").count()).toBe(1);
    // The board's filter narrows both columns; "Mark done" reads as an action.
    await page.getByLabel("Filter stories").fill("pay-1");
    await expect.poll(() => page.locator("[data-story-id]").count()).toBe(1);
    await page.getByLabel("Filter stories").fill("");
    expect(await page.getByRole("button", { name: "Mark done PAY-3" }).textContent()).toBe("Mark done");
    await context.close();
  });
});
