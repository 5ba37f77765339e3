import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crawl, demoLogin, loadAppRoutes, logIn, routeFor, type AppRoute } from "../helpers/app-routes";
import { blocking, formatViolations, runAxe } from "../helpers/axe";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { shareLogin } from "../helpers/poker-fixture";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";

// axe-core (WCAG 2.0/2.1 A and AA) on every page of the seeded demo team and the pages around it,
// wide in light colours and narrow in dark ones (tables scroll sideways there, contrast changes):
// no serious or critical violations. The pages are not listed here: they are read from the server
// build and found by following links from the dashboard, so a new page is checked as it lands.

// The main pages a user must be able to reach. Each one that is in the build must be found by the
// crawler (else coverage would be lost silently); one that is not built yet is skipped with a note.
const MAIN_PAGES = [
  "/login",
  "/signup",
  "/t/:team",
  "/t/:team/backlog",
  "/t/:team/stories/:storyId",
  "/t/:team/poker",
  "/t/:team/poker/:id",
  "/t/:team/sprints",
  "/t/:team/sprints/:id",
  "/t/:team/sprints/:id/retro",
  "/t/:team/spend",
  "/t/:team/spend/import",
  "/t/:team/insights",
  "/t/:team/settings",
  "/t/:team/settings/members",
];

const PASSES = [
  { name: "wide, light", viewport: { width: 1280, height: 900 }, colorScheme: "light" as const },
  { name: "narrow, dark", viewport: { width: 390, height: 844 }, colorScheme: "dark" as const },
];

describe.skipIf(!chromiumPath())("accessibility: axe-core on every page", () => {
  let server: TestServer;
  let browser: Browser;
  let routes: AppRoute[];
  let owner: HttpClient;
  /** [url, who] — who is "owner" (the demo team's owner) or "anonymous". */
  const pages: { url: string; who: "owner" | "anonymous"; expect404?: boolean }[] = [];
  const notes: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { SEED_DEMO: "1" } });
    browser = await launchBrowser();
    routes = await loadAppRoutes();
    const { email, password } = demoLogin(server.output());
    owner = new HttpClient(server.url);
    await logIn(owner, email, password);

    // Links that only exist once made: an invite (and, if the members page offers one, a reset link).
    const starts = ["/t/demo"];
    const invite = await owner.post("/t/demo/settings/members", { intent: "invite", role: "member" });
    const extra = [...(await invite.text()).matchAll(/\/invite\/[A-Za-z0-9_-]+/g)].map((m) => m[0]).slice(0, 1);
    const members = await (await owner.request("/t/demo/settings/members")).text();
    const userId = /name="userId" value="(\d+)"/.exec(members)?.[1];
    if (userId) {
      const reset = await owner.post("/t/demo/settings/members", { intent: "reset-link", userId });
      extra.push(...[...(await reset.text()).matchAll(/\/reset\/[A-Za-z0-9_-]+/g)].map((m) => m[0]).slice(0, 1));
    }

    const signedIn = await crawl(owner, starts, routes);
    // Everything outside /t/ the owner saw links to (guest links, invites, login) is opened logged out.
    const anonymous = new HttpClient(server.url);
    const outside = [...signedIn.links, ...extra].filter((l) => !l.startsWith("/t/"));
    const loggedOut = await crawl(anonymous, ["/login", "/signup", ...outside], routes);
    for (const [, urls] of signedIn.pages) for (const url of urls) pages.push({ url, who: "owner" });
    // Records the demo has only a few of (poker sessions, sprints) are there in different states
    // (voting, revealed, ended; planning, running, closed): up to two more of each are checked.
    const records = new Map<string, Set<string>>();
    for (const link of signedIn.links) {
      const path = link.split("?")[0]!;
      const route = routeFor(routes, path);
      if (!route?.isPage || !route.pattern.startsWith("/t/:team/") || !/\/:(?!team)/.test(route.pattern)) continue;
      records.set(route.pattern, (records.get(route.pattern) ?? new Set()).add(path));
    }
    for (const [pattern, paths] of records) {
      if (paths.size > 5) continue;
      const known = new Set(signedIn.pages.get(pattern) ?? []);
      for (const path of [...paths].filter((p) => !known.has(p)).slice(0, 2)) pages.push({ url: path, who: "owner" });
    }
    for (const [pattern, urls] of loggedOut.pages) {
      if (signedIn.pages.has(pattern) && pattern.startsWith("/t/")) continue;
      for (const url of urls) pages.push({ url, who: "anonymous" });
    }
    pages.push({ url: "/t/demo/no-such-page", who: "owner", expect404: true });

    const found = new Set([...signedIn.pages.keys(), ...loggedOut.pages.keys()]);
    const built = new Set(routes.map((r) => r.pattern));
    for (const pattern of MAIN_PAGES) if (!built.has(pattern)) notes.push(`${pattern}: not in the build yet — skipped`);
    for (const r of routes) {
      if (r.isPage && r.hasLoader && !found.has(r.pattern) && !MAIN_PAGES.includes(r.pattern)) {
        notes.push(`${r.pattern}: no link to it from the demo team — not checked`);
      }
    }
    if (notes.length) console.warn(`accessibility: ${notes.join("\n  ")}`);
    console.log(`accessibility: ${pages.length} pages\n  ${pages.map((p) => `${p.url} (${p.who})`).join("\n  ")}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("reaches every main page that is built", () => {
    const found = new Set(pages.map((p) => routeFor(routes, p.url.split("?")[0]!)?.pattern));
    const built = new Set(routes.map((r) => r.pattern));
    const missing = MAIN_PAGES.filter((p) => built.has(p) && !found.has(p));
    expect(missing, "main pages the crawler did not reach").toEqual([]);
    const backlogViews = pages.filter((p) => p.url.startsWith("/t/demo/backlog?view=") || p.url === "/t/demo/backlog");
    expect(backlogViews.length, "the backlog's table and order views").toBeGreaterThanOrEqual(2);
  });

  /** Opens `url` in `page` and waits until it is hydrated and the effects after it (charts) painted. */
  async function open(page: Page, url: string): Promise<number> {
    const res = await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction(() => "__remixRouter" in window, null, { timeout: 5_000 }).catch(() => {});
    await settle(page);
    return res?.status() ?? 0;
  }
  const settle = (page: Page) =>
    page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

  it("the harness sees a violation planted in a page under the app's CSP", async () => {
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    await open(page, "/login");
    expect(page.url()).toContain("/login");
    const clean = await runAxe(page);
    await page.evaluate(() => {
      const img = document.createElement("img");
      img.src = "/favicon.svg";
      document.body.append(img); // no alt: axe's image-alt (critical)
    });
    const planted = await runAxe(page);
    expect(planted.map((v) => v.id)).toContain("image-alt");
    expect(clean.map((v) => v.id)).not.toContain("image-alt");
    await context.close();
  });

  type Pass = (typeof PASSES)[number];

  /** Opens each page as its user with axe; returns the blocking violations, formatted. */
  async function audit(
    list: typeof pages,
    pass: Pass,
    clients: { owner: HttpClient },
  ): Promise<{ failures: string[]; checked: number }> {
    const failures: string[] = [];
    const contexts: Record<"owner" | "anonymous", BrowserContext> = {
      owner: await browser.newContext({ baseURL: server.url, viewport: pass.viewport, colorScheme: pass.colorScheme }),
      anonymous: await browser.newContext({
        baseURL: server.url,
        viewport: pass.viewport,
        colorScheme: pass.colorScheme,
      }),
    };
    await shareLogin(contexts.owner, clients.owner);
    const tabs = { owner: await contexts.owner.newPage(), anonymous: await contexts.anonymous.newPage() };
    let checked = 0;
    for (const { url, who, expect404 } of list) {
      const page = tabs[who];
      // A page that 404s where it should not is a failure, never a skip.
      expect(await open(page, url), url).toBe(expect404 ? 404 : 200);
      let violations = blocking(await runAxe(page));
      if (violations.length) {
        // Only what stays counts: a page caught mid-update (a chart drawing) is looked at again
        // until it is clean or stops changing for the poll's time.
        await expect
          .poll(async () => {
            await settle(page);
            violations = blocking(await runAxe(page));
            return violations.length;
          })
          .toBe(0)
          .catch(() => {});
      }
      if (violations.length) failures.push(formatViolations(`${url} (${who}, ${pass.name})`, violations));
      checked++;
    }
    await contexts.owner.close();
    await contexts.anonymous.close();
    return { failures, checked };
  }

  for (const pass of PASSES) {
    it(`has no serious or critical violations on any page (${pass.name})`, async () => {
      const { failures, checked } = await audit(pages, pass, { owner });
      expect(checked).toBeGreaterThan(10);
      expect(failures, failures.join("\n\n")).toEqual([]);
      // Every page of the demo team, each opened and audited: minutes on a loaded two-core machine.
    }, 300_000);
  }

  it("has none on a new team's empty pages either", async () => {
    const newcomer = await signUp(server.url, "Nora Newcomer");
    await createTeam(newcomer, "Empty team", "empty-team");
    const { pages: found } = await crawl(newcomer, ["/t/empty-team"], routes);
    const list = [...found.values()].flat().map((url) => ({ url, who: "owner" as const }));
    const { failures, checked } = await audit(list, PASSES[0]!, { owner: newcomer });
    expect(checked).toBeGreaterThan(10);
    expect(failures, failures.join("\n\n")).toEqual([]);
  });
});
