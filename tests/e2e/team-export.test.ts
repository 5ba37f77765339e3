import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { shareLogin } from "../helpers/poker-fixture";
import { type HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

// Moving a team over HTTP: a manager downloads the export, a new team takes it through the settings
// form (in a browser without JavaScript), and its backlog shows the stories. Observers and members
// reach neither the download nor the import.

const TITLES = ["Export me: payout retries", "Export me: refund receipts", "Export me: key rotation"];

let server: TestServer;
let owner: HttpClient & { email: string };
let member: HttpClient & { email: string };
let observer: HttpClient & { email: string };
let exported: string;

const upload = (client: HttpClient, slug: string, file: BlobPart, fields: Record<string, string> = {}) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob([file], { type: "application/json" }), "team.json");
  return client.request(`/t/${slug}/settings/export`, { method: "POST", body: form });
};

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server.url, "Mover");
  await createTeam(owner, "Old home", "old-home");
  member = await joinWithRole(owner, "old-home", "member", "Mo Member");
  observer = await joinWithRole(owner, "old-home", "observer", "Olive Observer");
  const paste = await owner.post("/t/old-home/backlog/new", { intent: "paste", titles: TITLES.join("\n") });
  expect(paste.status).toBeLessThan(400);
  const sprint = await owner.post("/t/old-home/sprints/new", {
    name: "Moving sprint",
    start: "2026-11-23",
    end: "2026-12-04",
    capacityKind: "credits",
    capacityCredits: "1000",
    reservePercent: "10",
    commitBasis: "expected",
    exhaustionPolicy: "warn",
  });
  expect(sprint.status).toBe(302);
});

afterAll(async () => server?.stop());

describe("team export and import over HTTP", () => {
  it("gives the download to managers only, as an attachment", async () => {
    expect((await observer.request("/t/old-home/settings/export.json")).status).toBe(403);
    expect((await member.request("/t/old-home/settings/export.json")).status).toBe(403);
    expect((await upload(observer, "old-home", "{}")).status).toBe(403);
    expect((await upload(member, "old-home", "{}")).status).toBe(403);
    // The page itself is readable by everyone in the team, without the download link.
    const page = await (await observer.request("/t/old-home/settings/export")).text();
    expect(page).not.toContain("export.json");

    const res = await owner.request("/t/old-home/settings/export.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="old-home-team-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    exported = await res.text();
    const doc = JSON.parse(exported);
    expect(doc).toMatchObject({ format: "token-poker-team-export", version: 1, team: { slug: "old-home" } });
    expect(doc.stories.map((s: { title: string }) => s.title)).toEqual(TITLES);
    expect(doc.sprints.map((s: { name: string }) => s.name)).toEqual(["Moving sprint"]);
  });

  it("refuses a team that is not new, a broken file and an oversized one, with a message", async () => {
    const notNew = await upload(owner, "old-home", exported, { allowUnknownPeople: "on" });
    expect(notNew.status).toBe(409);
    expect(await notNew.text()).toContain("This team is not new");

    await createTeam(owner, "Scratch", "scratch");
    const broken = JSON.parse(exported);
    broken.stories[0].title = 42;
    const refused = await upload(owner, "scratch", JSON.stringify(broken), { allowUnknownPeople: "on" });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(/stories\[0\]\.title/);
    expect(await (await owner.request("/t/scratch/backlog")).text()).not.toContain(TITLES[0]);
    // A long stray field is read, not answered by cutting the connection.
    const stray = await upload(owner, "scratch", JSON.stringify(broken), { note: "x".repeat(200_000) });
    expect(stray.status).toBe(422);

    // Streamed past the 100 MB ceiling: answered 413 while the body is still arriving.
    const boundary = "----exportlimit";
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.json"\r\nContent-Type: application/json\r\n\r\n`,
    );
    const block = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
      },
      pull(controller) {
        if (sent++ < 110) return controller.enqueue(block);
        controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
        controller.close();
      },
    });
    const tooBig = await fetch(new URL("/t/scratch/settings/export", server.url), {
      method: "POST",
      headers: { Cookie: owner.cookie, "Content-Type": `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: "half",
    } as RequestInit);
    expect(tooBig.status).toBe(413);
    expect(await tooBig.text()).toContain("larger than 100 MB");
  });

  it.skipIf(!chromiumPath())("imports the file into a new team through the form, without JavaScript", async () => {
    await createTeam(owner, "New home", "new-home");
    // The member and observer are not in the new team: the first try asks about them.
    const asked = await upload(owner, "new-home", exported);
    expect(asked.status).toBe(409);
    const text = await asked.text();
    expect(text).toContain("2 people in the export are not members of this team");
    expect(text).toContain(member.email);
    expect(text).toContain(observer.email);

    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const context = await browser.newContext({ baseURL: server.url, javaScriptEnabled: false });
      await shareLogin(context, owner);
      const page = await context.newPage();
      await page.goto("/t/new-home/settings/export");
      await page
        .getByLabel("Export file (.json)")
        .setInputFiles({ name: "old-home.json", mimeType: "application/json", buffer: Buffer.from(exported) });
      await page.getByLabel(/Import even if some people are not members/).check();
      await page.getByRole("button", { name: "Import" }).click();
      await page.waitForLoadState("load");
      await page.getByText(/Imported 3 stories, 0 estimates, 0 poker sessions, 1 sprint and 0 spend entries/).waitFor();
      await page.getByRole("link", { name: "Open the backlog" }).click();
      await page.waitForURL(/\/t\/new-home\/backlog/);
      const backlog = await page.locator("body").innerText();
      for (const title of TITLES) expect(backlog).toContain(title);
      await context.close();
    } finally {
      await browser?.close();
    }
    // The import form is gone now that the team has data.
    const settings = await (await owner.request("/t/new-home/settings/export")).text();
    expect(settings).not.toContain('name="file"');
  });
});
