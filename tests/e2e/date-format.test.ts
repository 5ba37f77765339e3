import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crawl, demoLogin, loadAppRoutes, logIn } from "../helpers/app-routes";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";

// One date format everywhere people read dates ("23 Nov 2026", app/utils/dates.ts): no page of the
// demo team shows an ISO day (2026-11-23) or a US one (11/23/2026) in its text. ISO stays where
// machines and forms read it — attributes (input values, dateTime, hrefs), <code>/<pre> snippets,
// CSV and JSON downloads — so those are left out of the text checked.

/** The text a person reads in a page's body: no tags, attributes, scripts, styles or code. */
function visibleText(html: string): string {
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? html;
  return body
    .replace(/<(script|style|pre|code|textarea|select|noscript)\b[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;|&#160;/g, " ")
    .replace(/\s+/g, " ");
}

const ISO_DAY = /\b\d{4}-\d{2}-\d{2}\b/;
const US_DAY = /\b\d{1,2}\/\d{1,2}\/\d{4}\b/;
// A calendar month reads "Nov 2026" too, not "2026-11" (the bill and reports showed it raw).
const ISO_MONTH = /\b\d{4}-\d{2}\b/;
// …nor "November 2026" (the organisation's overview and pool headings wrote months out).
const LONG_MONTH = /\b(January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b/;

describe("dates on pages", () => {
  let server: TestServer;
  let owner: HttpClient;

  beforeAll(async () => {
    server = await startTestServer({ env: { SEED_DEMO: "1" } });
    const { email, password } = demoLogin(server.output());
    owner = new HttpClient(server.url);
    await logIn(owner, email, password);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("shows every date on the demo's pages as '23 Nov 2026' (a month as 'Nov 2026'), never ISO or US order", async () => {
    const routes = await loadAppRoutes();
    // The organisation's pages are named so the crawl reaches them whatever its page budget.
    const starts = [
      "/o/acme",
      "/o/acme/pool",
      "/o/acme/bill",
      "/o/acme/reports",
      "/t/demo",
      "/t/demo/settings/tokens",
      "/t/demo/settings/sizing",
    ];
    const { pages } = await crawl(owner, starts, routes);
    const found: string[] = [];
    let checked = 0;
    for (const urls of pages.values()) {
      for (const url of urls) {
        const res = await owner.request(url);
        if (res.status !== 200 || !(res.headers.get("content-type") ?? "").includes("text/html")) continue;
        checked++;
        const text = visibleText(await res.text());
        for (const re of [ISO_DAY, US_DAY, ISO_MONTH, LONG_MONTH]) {
          const m = re.exec(text);
          if (m) found.push(`${url}: “…${text.slice(Math.max(0, m.index - 40), m.index + 20)}…”`);
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(found).toEqual([]);
  }, 180_000);
});
