import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blocking, formatViolations, runAxe, WCAG_AA_TAGS } from "../helpers/axe";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { type HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

const samples = path.resolve("tests/fixtures/samples");
const sampleText = (name: string) => readFileSync(path.join(samples, name), "utf8");

let server: TestServer;
let owner: HttpClient & { email: string };
let member: HttpClient;
let token: string;
let otherToken: string;

async function createToken(client: HttpClient, slug: string, name: string): Promise<string> {
  const res = await client.post(`/t/${slug}/settings/tokens`, { intent: "create", name });
  expect(res.status).toBe(200);
  const found = /tpk_[A-Za-z0-9_-]+/.exec(await res.text())?.[0];
  expect(found, "the new token is shown once").toBeTruthy();
  return found!;
}

function api(
  slug: string,
  init: { token?: string; body?: BodyInit; type?: string; query?: string; method?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.type) headers["Content-Type"] = init.type;
  return fetch(new URL(`/api/v1/teams/${slug}/spend${init.query ?? ""}`, server.url), {
    method: init.method ?? "POST",
    headers,
    body: init.body,
  });
}

const entry = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  occurred_at: "2026-11-24T10:00:00Z",
  credits: 5,
  ...extra,
});

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server.url, "Spender");
  await createTeam(owner, "Spend team", "spend-team");
  member = await joinWithRole(owner, "spend-team", "member", "Mia Member");
  token = await createToken(owner, "spend-team", "CI");
  const other = await signUp(server.url, "Other");
  await createTeam(other, "Other team", "other-team");
  otherToken = await createToken(other, "other-team", "Theirs");
});

afterAll(async () => server?.stop());

describe("spend API", () => {
  it("keeps token management to managers and stores only a hash", async () => {
    const res = await member.post("/t/spend-team/settings/tokens", { intent: "create", name: "Mine" });
    expect(res.status).toBe(403);
    const page = await (await owner.request("/t/spend-team/settings/tokens")).text();
    expect(page).toContain("CI");
    expect(page).not.toContain(token);
  });

  it("answers 401 without a token or with a wrong one, 403 with another team's", async () => {
    const none = await api("spend-team", { body: "[]", type: "application/json" });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await none.json()).toMatchObject({ error: { code: "missing_token" } });
    const wrong = await api("spend-team", { token: "tpk_not-a-real-token", body: "[]", type: "application/json" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: "invalid_token" } });
    const foreign = await api("spend-team", { token: otherToken, body: "[]", type: "application/json" });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: "wrong_team" } });
    expect((await api("spend-team", { token, method: "GET" })).status).toBe(405);
  });

  it("imports a JSON array of entries idempotently and answers with the summary", async () => {
    const body = JSON.stringify([
      entry("ci-1", { story: "PAY-1" }),
      entry("ci-2", { tags: ["story:PAY-2"] }),
      entry("ci-3"),
    ]);
    const first = await api("spend-team", { token, body, type: "application/json" });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      status: "imported",
      format: "api",
      rows: 3,
      imported: 3,
      unattributed: 1,
      credits: 15,
      byStoryKey: { "PAY-1": 5, "PAY-2": 5 },
      errors: [],
    });
    const again = await api("spend-team", { token, body, type: "application/json" });
    expect(await again.json()).toMatchObject({ imported: 0, duplicates: 3, credits: 0 });
  });

  it("takes a raw spend file, detected or named with ?format=", async () => {
    const detected = await api("spend-team", {
      token,
      body: sampleText("copilot-ai-usage.csv"),
      type: "text/csv",
      query: "?name=copilot.csv",
    });
    expect(detected.status).toBe(200);
    expect(await detected.json()).toMatchObject({
      file: "copilot.csv",
      format: "copilot-usage",
      imported: 4,
      credits: 894.409,
    });
    const ccusage = await api("spend-team", {
      token,
      body: sampleText("ccusage-session.json"),
      type: "application/json",
      query: "?format=ccusage",
    });
    expect(await ccusage.json()).toMatchObject({ format: "ccusage", imported: 4 });
  });

  it("answers 422 with JSON errors for bad bodies, and imports the valid rows with ?skipInvalid=1", async () => {
    const broken = await api("spend-team", { token, body: "[{", type: "application/json" });
    expect(broken.status).toBe(422);
    expect(await broken.json()).toMatchObject({ error: { code: "invalid_json" } });
    const object = await api("spend-team", { token, body: "{}", type: "application/json" });
    expect(object.status).toBe(422);
    expect(await object.json()).toMatchObject({ error: { code: "not_an_array" } });
    const badOption = await api("spend-team", { token, body: "x", type: "text/csv", query: "?format=excel" });
    expect(badOption.status).toBe(422);

    const mixed = JSON.stringify([
      entry("m-1"),
      { id: "m-2", occurred_at: "yesterday" },
      entry("m-3", { credits: -1 }),
    ]);
    const rejected = await api("spend-team", { token, body: mixed, type: "application/json" });
    expect(rejected.status).toBe(422);
    const payload = await rejected.json();
    expect(payload).toMatchObject({ error: { code: "rejected" }, status: "rejected", imported: 0 });
    expect(payload.errors.map((e: { line: number }) => e.line)).toEqual([2, 3]);
    const skipping = await api("spend-team", { token, body: mixed, type: "application/json", query: "?skipInvalid=1" });
    expect(skipping.status).toBe(200);
    expect(await skipping.json()).toMatchObject({ imported: 1, rejected: 2 });

    const garbage = await api("spend-team", {
      token,
      body: new Uint8Array(2000).map((_, i) => (i * 31) % 256),
      type: "application/octet-stream",
    });
    expect(garbage.status).toBe(422);
    expect((await garbage.json()).errors[0].reason).toMatch(/unrecognised/);
  });

  it("answers 413 past the body and row limits", async () => {
    const big = "date,cost_usd\n" + "2026-11-24,0.01\n".repeat(1_400_000);
    const tooBig = await api("spend-team", { token, body: big, type: "text/csv" });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ error: { code: "too_large" } });

    // Streamed without a length: the limit still holds while reading.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        const line = new TextEncoder().encode("2026-11-24,0.01\n".repeat(10_000));
        controller.enqueue(new TextEncoder().encode("date,cost_usd\n"));
        for (let i = 0; i < 140; i++) controller.enqueue(line);
        controller.close();
      },
    });
    const streamed = await fetch(new URL("/api/v1/teams/spend-team/spend", server.url), {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "text/csv" },
      body: chunks,
      duplex: "half",
    });
    expect(streamed.status).toBe(413);

    const many = JSON.stringify(
      Array.from({ length: 200_001 }, (_, i) => ({ id: `r${i}`, occurred_at: "2026-11-24", credits: 0 })),
    );
    const tooMany = await api("spend-team", { token, body: many, type: "application/json" });
    expect(tooMany.status).toBe(413);
    expect(await tooMany.json()).toMatchObject({ error: { code: "too_many_rows" } });
  });

  it("refuses a revoked token", async () => {
    const temp = await createToken(owner, "spend-team", "Temporary");
    expect((await api("spend-team", { token: temp, body: "[]", type: "application/json" })).status).toBe(200);
    const page = await (await owner.request("/t/spend-team/settings/tokens")).text();
    const id = /name="tokenId" value="(\d+)"\/><button[^>]*aria-label="Revoke Temporary"/.exec(page)?.[1];
    expect(id).toBeTruthy();
    const revoke = await owner.post("/t/spend-team/settings/tokens", { intent: "revoke", tokenId: id! });
    expect(revoke.status).toBe(200);
    expect((await api("spend-team", { token: temp, body: "[]", type: "application/json" })).status).toBe(401);
  });
});

describe("spend on a story, and its outcome note", () => {
  it("adds spend by hand, and asks for causes before a drifted story is marked done", async () => {
    const created = await owner.post("/t/spend-team/backlog/new", {
      intent: "create",
      title: "Ledger export",
      key: "LED-1",
    });
    const storyId = /\/stories\/(\d+)$/.exec(created.headers.get("location") ?? "")![1]!;
    const estimated = await owner.post(`/t/spend-team/stories/${storyId}`, {
      intent: "estimate",
      intensity: "light",
      autonomy: "assist",
      risk: "low",
    });
    expect(estimated.status).toBe(200);

    const page = `/t/spend-team/stories/${storyId}/spend`;
    const missing = await member.post(page, { intent: "add", day: "2026-11-26" });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("Give the credits, or the cost in USD.");
    const added = await member.post(page, {
      intent: "add",
      day: "2026-11-26",
      costUsd: "4",
      model: "web chat",
      note: "design chat",
    });
    expect(added.status).toBe(200);
    expect(await (await member.request(page)).text()).toMatch(/400<\/p>/);

    const outcome = `/t/spend-team/stories/${storyId}/outcome`;
    const noCause = await member.post(outcome, {
      intent: "save",
      bought: "A merged PR",
      reviewBurden: "light",
      markDone: "on",
    });
    expect(noCause.status).toBe(400);
    expect(await noCause.text()).toMatch(/× the estimate: pick at least one cause/);
    const saved = await member.post(outcome, {
      intent: "save",
      bought: "A merged PR",
      reviewBurden: "light",
      causeTags: "scope-grew",
      markDone: "on",
    });
    expect(saved.status).toBe(302);
    expect(saved.headers.get("location")).toBe(`${outcome}?saved=1`);
    const after = (await (await member.request(`${outcome}?saved=1`)).text()).replaceAll("<!-- -->", "");
    expect(after).toContain("Outcome saved; the story is done.");
    expect(after).toContain("A merged PR");
  });
});

describe.skipIf(!chromiumPath())("spend pages in a browser", () => {
  // Issue 14: per file, a readable section says which lines were skipped and how each model was priced.
  it("shows per file which lines were skipped and which models were priced from the file, the rate card, or not at all", async () => {
    const client = await signUp(server.url, "Reader");
    await createTeam(client, "Reading team", "reading-spend");
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/login`);
      await page.fill('input[name="email"]', client.email);
      await page.fill('input[name="password"]', "correct horse battery");
      await Promise.all([page.waitForURL(/\/teams\/new|\/t\//), page.click('button[type="submit"]')]);

      await page.goto(`${server.url}/t/reading-spend/spend/import`);
      await page.setInputFiles('input[type="file"]', [
        path.join(samples, "claude-code-mixed-pricing.jsonl"),
        path.join(samples, "copilot-with-actions.csv"),
      ]);
      await page.locator(".file-list").getByText("copilot-with-actions.csv").waitFor();
      await page.getByRole("button", { name: "Import", exact: true }).click();
      await page.waitForURL(/\?done=\d+,\d+/);

      const transcript = page.getByRole("article", { name: "Import of claude-code-mixed-pricing.jsonl" });
      const details = transcript.locator("details.import-details");
      // Open by itself: lines were skipped and a model is unpriced.
      expect(await details.getAttribute("open")).not.toBeNull();
      expect(await details.locator("summary").textContent()).toBe(
        "How it was read: 2 lines skipped · 1 priced from the file · 1 from the rate card · 1 unpriced",
      );
      const read = (await details.textContent())!;
      expect(read).toMatch(
        /2 lines skipped\s*line 3\s*unreadable\s*not a JSON object\s*line 5\s*unreadable\s*not valid JSON/,
      );
      expect(read).toMatch(/Priced from the file’s own cost\s*claude-sonnet-4-6/);
      expect(read).toMatch(/Priced from the rate card\s*claude-haiku-4-5/);
      expect(read).toMatch(/Left unpriced[^]*claude-mystery-9/);

      const report = page.getByRole("article", { name: "Import of copilot-with-actions.csv" });
      const reportRead = (await report.locator("details.import-details").textContent())!;
      expect(reportRead).toMatch(/1 line skipped\s*line 3\s*not spend\s*product "actions" is not Copilot/);
      expect(reportRead).toMatch(/Priced from the file’s own cost\s*Claude Sonnet 4\.6\s*GPT-5\.4/);
      expect(reportRead).not.toMatch(/Priced from the rate card/);
      // The section passes axe (WCAG A/AA) on the results.
      const violations = blocking(await runAxe(page, { tags: WCAG_AA_TAGS, include: '[aria-label="Import results"]' }));
      expect(violations, formatViolations("import results", violations)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("uploads files, shows the results, and assigns an unattributed entry to a story", async () => {
    const client = await signUp(server.url, "Browser");
    await createTeam(client, "Browser team", "browser-spend");
    const story = await client.post("/t/browser-spend/backlog/new", {
      intent: "create",
      title: "Refund idempotency",
      key: "PAY-777",
    });
    expect(story.status).toBe(302);

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/login`);
      await page.fill('input[name="email"]', client.email);
      await page.fill('input[name="password"]', "correct horse battery");
      await Promise.all([page.waitForURL(/\/teams\/new|\/t\//), page.click('button[type="submit"]')]);

      await page.goto(`${server.url}/t/browser-spend/spend/import`);
      await page.setInputFiles('input[type="file"]', [
        path.join(samples, "copilot-ai-usage.csv"),
        path.join(samples, "generic-spend.csv"),
      ]);
      await page.locator(".file-list").getByText("generic-spend.csv").waitFor();
      await page.getByRole("button", { name: "Import", exact: true }).click();
      await page.waitForURL(/\?done=\d+,\d+/);
      const results = page.getByRole("region", { name: "Import results" });
      await results.getByText("copilot-ai-usage.csv").waitFor();
      expect(await results.textContent()).toMatch(/4 imported of 4 rows · 894\.4 credits/);
      expect(await results.textContent()).toMatch(/3 imported of 3 rows/);
      // The log lists both, with an undo button each.
      expect(await page.getByRole("button", { name: /Undo import of/ }).count()).toBe(2);

      await page.goto(`${server.url}/t/browser-spend/spend`);
      const rows = page.locator("table.inbox-table tbody tr");
      await rows.first().waitFor();
      expect(await rows.count()).toBe(4);
      await page.getByRole("checkbox", { name: /^Select 24 Nov 2026 Claude Sonnet 4\.6/ }).check();
      await page.getByRole("button", { name: "Assign 1 selected" }).waitFor();
      await page.selectOption("#storyId", { label: "PAY-777 · Refund idempotency" });
      await page.getByRole("button", { name: "Assign 1 selected" }).click();
      await page.getByRole("status").filter({ hasText: "Assigned 1 entry" }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll("table.inbox-table tbody tr").length === 3);

      // The story's spend page counts it.
      await page.goto(`${server.url}/t/browser-spend/spend/import`);
      const storyId = /\/stories\/(\d+)$/.exec(story.headers.get("location") ?? "")![1];
      await page.goto(`${server.url}/t/browser-spend/stories/${storyId}/spend`);
      expect(await page.locator("main").textContent()).toMatch(/378\.2\s*credits in 1 entry/);

      // Undo asks first, then removes that import's entries.
      await page.goto(`${server.url}/t/browser-spend/spend/import`);
      page.once("dialog", (dialog) => void dialog.accept());
      await page.getByRole("button", { name: "Undo import of generic-spend.csv" }).click();
      await page.getByRole("status").filter({ hasText: "Undone: 3 entries removed." }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('button[aria-label^="Undo import of"]').length === 1);
      expect(await page.getByRole("button", { name: "Undo import of copilot-ai-usage.csv" }).count()).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
