import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { demoLogin, logIn } from "./app-routes";
import { launchBrowser } from "./browser";
import { shareLogin } from "./poker-fixture";
import { HttpClient, startTestServer, type TestServer } from "./server";

/**
 * For a describe block that looks at the seeded demo in Chromium as its owner (the demo user, also
 * the admin of its organisation): starts the server and the browser before the block, closes them
 * after, and opens pages signed in at a given width.
 */
export function demoInBrowser() {
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
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  /** `url` in a fresh context of `width` × 900 px, signed in; with JavaScript unless told not to. */
  async function open(url: string, width: number, options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({
      baseURL: server.url,
      viewport: { width, height: 900 },
      javaScriptEnabled: options.javaScriptEnabled ?? true,
    });
    contexts.push(context);
    await shareLogin(context, owner);
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "load" });
    return page;
  }

  return { open };
}
