import { randomBytes } from "node:crypto";
import fc from "fast-check";
import pg from "pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpendApiEntrySchema } from "~/domain/spend/api-entries";
import { crawl, demoLogin, loadAppRoutes, logIn, type AppRoute } from "../helpers/app-routes";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import {
  bodyArb,
  describeBody,
  encodeBody,
  formsIn,
  HOSTILE_VALUES,
  vocabularyOfSource,
  type FuzzBody,
} from "../helpers/form-fuzz";
import { shareLogin } from "../helpers/poker-fixture";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

// A careless or hostile request leaves the app standing with nothing lost. Routes are read from the
// server build and their pages found by crawling the seeded demo team, so routes added later are
// fuzzed too. Bounded: at most BODIES_PER_ROUTE bodies per action, a few hundred URLs in all.

const BODIES_PER_ROUTE = 30;
/**
 * The suite replays a fixed seed so main stays deterministic; FUZZ_SEED=random explores new inputs
 * (failures name their seed), FUZZ_SEED=<seed> replays one.
 */
const seed =
  process.env.FUZZ_SEED === "random"
    ? Math.floor(Math.random() * 2 ** 31)
    : process.env.FUZZ_SEED
      ? Number(process.env.FUZZ_SEED)
      : 2069090171;
const replay = `(replay with FUZZ_SEED=${seed})`;
const ANSWER_WITHIN_MS = 15_000;

let server: TestServer;
let routes: AppRoute[];
let owner: HttpClient;
/** Route pattern → a concrete URL of the demo team (crawled). */
const urlOf = new Map<string, string>();
/** ":param" → a real value seen in a crawled URL. */
const paramValues = new Map<string, string>();
const queryNames = new Set<string>(["sort", "order", "dir", "q", "view", "filter", "page", "status"]);

// On PostgreSQL too when DATABASE_URL is set (a database of its own, dropped afterwards).
const databaseUrl = process.env.DATABASE_URL || "";
const database = `tp_hostile_${randomBytes(5).toString("hex")}`;
async function admin(sql: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  const env: Record<string, string> = { SEED_DEMO: "1" };
  if (databaseUrl) {
    await admin(`create database ${database}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${database}`;
    Object.assign(env, { DATABASE_URL: url.toString(), SESSION_SECRET: randomBytes(24).toString("hex") });
  }
  server = await startTestServer({ env });
  routes = await loadAppRoutes();
  const { email, password } = demoLogin(server.output());
  owner = new HttpClient(server.url);
  await logIn(owner, email, password);
  const found = await crawl(owner, ["/t/demo"], routes);
  const anonymous = await crawl(
    new HttpClient(server.url),
    ["/login", "/signup", ...[...found.links].filter((l) => !l.startsWith("/t/"))],
    routes,
  );
  for (const pages of [found.pages, anonymous.pages]) {
    for (const [pattern, urls] of pages) {
      if (!urlOf.has(pattern)) urlOf.set(pattern, urls[0]!);
      const parts = new URL(urls[0]!, server.url).pathname.split("/");
      pattern.split("/").forEach((part, i) => {
        if (part.startsWith(":") && parts[i] && !paramValues.has(part)) paramValues.set(part, parts[i]!);
      });
    }
  }
  for (const link of found.links)
    for (const name of new URL(link, server.url).searchParams.keys()) queryNames.add(name);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (databaseUrl) await admin(`drop database if exists ${database} with (force)`);
});

/** A URL for a pattern: the crawled one, or one with parameters filled from what the crawl saw. */
function concreteUrl(route: AppRoute): string {
  const crawled = urlOf.get(route.pattern);
  const path = crawled
    ? crawled.split("?")[0]!
    : route.pattern.replace(/:\w+/g, (p) => (p === ":team" ? "demo" : (paramValues.get(p) ?? "1")));
  return path;
}

/** What the server logged since `mark` (its output length then): the stack of a 500, say. */
const logSince = (mark: number) => server.output().slice(mark).trim().split("\n").slice(0, 12).join("\n");

async function send(client: HttpClient, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await client.request(url, { ...init, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  } catch (error) {
    const cause = (error as Error).cause as Error | undefined;
    throw new Error(
      `${init.method ?? "GET"} ${url}: no answer (${(error as Error).message}${cause ? `: ${cause.message}` : ""}; the limit is ${ANSWER_WITHIN_MS} ms)`,
    );
  }
}

describe("hostile input", () => {
  it("answers every fuzzed form body on every action with less than 500", async () => {
    // Settings last (a fuzzed role change could cost the owner rights), session routes after them.
    const rank = (r: AppRoute) => (r.pattern.startsWith("/t/:team/settings") ? 1 : r.pattern.startsWith("/t/") ? 0 : 2);
    const targets = routes
      .filter((r) => r.hasAction && r.file && !r.pattern.startsWith("/api/"))
      .sort((a, b) => rank(a) - rank(b) || a.pattern.localeCompare(b.pattern));
    expect(targets.length).toBeGreaterThan(10);
    const failures: string[] = [];
    const histogram: string[] = [];
    for (const route of targets) {
      const path = concreteUrl(route);
      // Pages the owner cannot open (login, signup, a guest link) are fuzzed logged out.
      const asOwner = route.pattern.startsWith("/t/") || (route.hasLoader && (await send(owner, path)).status === 200);
      const client = asOwner ? owner : new HttpClient(server.url);
      const html = route.hasLoader && route.isPage ? await (await send(client, path)).text() : "";
      const vocabulary = vocabularyOfSource(route.file!);
      const forms = formsIn(html);
      vocabulary.values = [...new Set(forms.flat().map(([, v]) => v))];
      for (const form of forms)
        for (const [name] of form) if (!vocabulary.names.includes(name)) vocabulary.names.push(name);
      const url = route.index ? `${path}?index` : path;
      const statuses = new Map<number, number>();
      let failure: string | null = null;
      await fc
        .assert(
          fc.asyncProperty(bodyArb(vocabulary, forms), async (body: FuzzBody) => {
            const mark = server.output().length;
            const where = `POST ${url} ${describeBody(body)}`;
            let res: Response;
            try {
              res = await send(client, url, {
                method: "POST",
                body: encodeBody(body),
                headers: body.multipart ? {} : { "Content-Type": "application/x-www-form-urlencoded" },
              });
            } catch (error) {
              failure = `${where}\n  ${(error as Error).message}\n  ${(error as Error).cause ?? ""}\n${logSince(mark)}`;
              throw error;
            }
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            await res.text();
            if (res.status >= 500) {
              failure = `${where}\n  → ${res.status}\n${logSince(mark)}`;
              throw new Error(failure);
            }
          }),
          { numRuns: BODIES_PER_ROUTE, endOnFailure: true, seed },
        )
        .catch((error: Error) => (failure ??= error.message));
      if (failure) failures.push(failure);
      histogram.push(`${route.pattern}: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(" ")}`);
      // A team action that only ever answered 403/404 was never reached: that proves nothing.
      if (route.pattern.startsWith("/t/") && [...statuses.keys()].every((s) => s === 403 || s === 404)) {
        failures.push(
          `POST ${url}: only ${[...statuses.keys()].join("/")} — the owner never got past the route's checks`,
        );
      }
      // The owner's own team pages must stay reachable: a fuzzed action that cost the owner the
      // team would make every later route answer 404 and prove nothing.
      if (route.pattern.startsWith("/t/") && rank(route) === 0) {
        expect((await send(owner, "/t/demo")).status, `the owner still reaches the team after ${route.pattern}`).toBe(
          200,
        );
      }
    }
    console.log(`form fuzz, statuses per route:\n  ${histogram.join("\n  ")}`);
    expect(failures, `${replay}\n${failures.join("\n\n")}`).toEqual([]);
  }, 240_000);

  it("answers hostile route parameters and sort/filter query strings with less than 500, and never with SQL text", async () => {
    const pages = routes.filter((r) => r.hasLoader && r.isPage && !r.pattern.startsWith("/api/"));
    const HOSTILE_PARAMS = [
      "0",
      "-1",
      "abc",
      "1.5",
      "1e3",
      "99999999999999999999",
      "2147483648",
      "' OR 1=1--",
      "%00",
      "..%2F..%2Fetc",
      "💸",
      " 1",
    ];
    const SQLISH = [
      "' OR '1'='1",
      "title; DROP TABLE stories; --",
      "1) UNION SELECT password_hash FROM users --",
      "title desc, (select pg_sleep(5))",
      "id asc nulls first",
      "expected.desc.desc",
      "__proto__",
      "%",
      "_",
      "\\",
      "-1",
      "999999999999999999999",
      "x".repeat(5_000),
    ];
    const failures: string[] = [];
    const check = async (url: string) => {
      const res = await send(owner, url);
      const text = await res.text();
      if (res.status >= 500) failures.push(`GET ${url} → ${res.status}: ${text.slice(0, 200)}`);
      else if (
        /syntax error at or near|column ".*" does not exist|relation ".*" does not exist|unterminated quoted/i.test(
          text,
        )
      ) {
        failures.push(`GET ${url} → ${res.status} shows an SQL error`);
      }
    };
    for (const route of pages) {
      const base = concreteUrl(route);
      const segments = route.pattern.split("/");
      // Each parameter in turn replaced by a hostile value (":team" included).
      for (const [i, segment] of segments.entries()) {
        if (!segment.startsWith(":")) continue;
        for (const value of HOSTILE_PARAMS) {
          const parts = base.split("/");
          parts[i] = encodeURIComponent(value);
          await check(parts.join("/"));
        }
      }
      // Query strings: names seen in the app's links and GET forms, values fast-check picks.
      if (!route.pattern.startsWith("/t/")) continue;
      const html = urlOf.has(route.pattern) ? await (await send(owner, base)).text() : "";
      const names = new Set(queryNames);
      for (const m of html.matchAll(/<form\b(?![^>]*method="post")[^>]*>([\s\S]*?)<\/form>/gi)) {
        for (const n of m[1]!.matchAll(/\sname="([^"]+)"/g)) names.add(n[1]!);
      }
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(
              fc.constantFrom(...names),
              fc.oneof(fc.constantFrom(...SQLISH), fc.constantFrom(...HOSTILE_VALUES), fc.string()),
            ),
            { minLength: 1, maxLength: 4 },
          ),
          async (pairs) => {
            await check(`${base}?${new URLSearchParams(pairs)}`);
          },
        ),
        { numRuns: 12, seed },
      );
    }
    expect(failures, `${replay}\n${failures.join("\n")}`).toEqual([]);
  }, 240_000);

  const apiRoute = "/api/v1/teams/:team/spend";
  it("answers fuzzed spend API bodies with a JSON 4xx message or imports them whole, never in part", async (ctx) => {
    if (!routes.some((r) => r.pattern === apiRoute)) return ctx.skip();
    const created = await owner.post("/t/demo/settings/tokens", { intent: "create", name: "Fuzz" });
    const token = /tpk_[A-Za-z0-9_-]+/.exec(await created.text())?.[0];
    expect(token, "a new API token").toBeTruthy();
    const api = (body: string, type = "application/json", query = "") =>
      fetch(new URL(`/api/v1/teams/demo/spend${query}`, server.url), {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": type },
        body,
        signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
      });

    let probe = 0;
    const valid = () => ({
      id: `probe-${Date.now()}-${probe++}`,
      occurred_at: "2026-11-24T10:00:00Z",
      credits: 3,
      story: "PAY-1",
    });
    const keys = Object.keys(SpendApiEntrySchema.shape);
    const anyJson = fc.oneof(
      { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          -1,
          1e308,
          -0,
          2 ** 53 + 1,
          0.1,
          "2026-11-24",
          "2026-11-24T10:00:00Z",
          [],
          {},
          null,
          true,
        ),
      },
    );
    const entry = fc.dictionary(
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...keys) },
        { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
      ),
      anyJson,
      { maxKeys: 8 },
    );
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // Entries with a valid probe among them: imported all together or not at all.
          {
            weight: 4,
            arbitrary: fc
              .array(entry, { minLength: 1, maxLength: 5 })
              .map((rest) => ({ kind: "entries" as const, rest })),
          },
          {
            weight: 1,
            arbitrary: fc.jsonValue().map((v) => ({ kind: "raw" as const, text: JSON.stringify(v) ?? "null" })),
          },
          { weight: 1, arbitrary: fc.string({ unit: "binary" }).map((text) => ({ kind: "raw" as const, text })) },
        ),
        fc.constantFrom("", "?skipInvalid=1", "?format=csv", "?format=nope", "?mapping=%7B", "?name=%3Cscript%3E"),
        async (body, query) => {
          const first = valid();
          const text = body.kind === "entries" ? JSON.stringify([first, ...body.rest]) : body.text;
          const res = await api(text, "application/json", query);
          const answer = await res.text();
          const where = `POST ${query || "(no query)"} ${text.slice(0, 200)}`;
          if (res.status >= 500) return void failures.push(`${where} → ${res.status}: ${answer.slice(0, 200)}`);
          let json: any;
          try {
            json = JSON.parse(answer);
          } catch {
            return void failures.push(`${where} → ${res.status} is not JSON: ${answer.slice(0, 120)}`);
          }
          if (res.status >= 400 && typeof json?.error?.message !== "string")
            failures.push(`${where} → ${res.status} without error.message`);
          if (body.kind === "entries" && res.status >= 400 && query !== "?skipInvalid=1") {
            // Refused: the probe must not have been written. Sent alone it is new, not a duplicate.
            const again = await api(JSON.stringify([first]));
            const result = (await again.json()) as { imported?: number; duplicates?: number };
            if (again.status !== 200 || result.imported !== 1)
              failures.push(`${where} → ${res.status}, yet it wrote part of the body: ${JSON.stringify(result)}`);
          }
        },
      ),
      { numRuns: 60, seed },
    );
    expect(failures, `${replay}\n${failures.join("\n")}`).toEqual([]);
  }, 120_000);

  it("answers a large logged-out body with 413 (the form cap holds before sign-in) instead of resetting the connection", async () => {
    const big = "x".repeat(2_000_000);
    for (const route of routes.filter((r) => r.hasAction && r.pattern.startsWith("/t/")).slice(0, 3)) {
      const form = new FormData();
      form.append("file", new Blob([big]), "big.csv");
      const res = await send(new HttpClient(server.url), concreteUrl(route) + (route.index ? "?index" : ""), {
        method: "POST",
        body: form,
      });
      expect(res.status, route.pattern).toBe(413);
    }
  });

  it("answers a body that is not a form with 4xx on every form action", async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.hasAction && !r.pattern.startsWith("/api/"))) {
      const url = concreteUrl(route) + (route.index ? "?index" : "");
      const bodies: [string, string][] = [
        ["application/json", '{"intent":'],
        ["multipart/form-data; boundary=XX", '--XX\r\nContent-Disposition: form-data; name="a\r\n\r\nb\r\n--XX--\r\n'],
        ["multipart/form-data", "garbage"],
        ["text/plain", "intent=create"],
      ];
      for (const [type, body] of bodies) {
        const mark = server.output().length;
        // Outside the team, as a visitor: a POST to /logout would end the owner's session.
        const client = route.pattern.startsWith("/t/") ? owner : new HttpClient(server.url);
        const res = await send(client, url, { method: "POST", body, headers: { "Content-Type": type } });
        if (res.status >= 500) failures.push(`POST ${url} (${type}) → ${res.status}\n${logSince(mark)}`);
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it("still works afterwards: every page answers, a newcomer signs up and makes a team", async () => {
    const failures: string[] = [];
    for (const [pattern, url] of urlOf) {
      if (!pattern.startsWith("/t/")) continue;
      const res = await send(owner, url);
      if (res.status >= 500) failures.push(`${url} → ${res.status}`);
    }
    expect(failures).toEqual([]);
    expect((await send(owner, "/t/demo")).status).toBe(200);
    const newcomer = await signUp(server.url, "After Fuzz");
    await createTeam(newcomer, "After fuzz", "after-fuzz");
    const story = await newcomer.post("/t/after-fuzz/backlog/new", { intent: "create", title: "Still works" });
    expect(story.status).toBe(302);
    expect((await send(newcomer, story.headers.get("location")!)).status).toBe(200);
  });
});

// Control characters, impossible dates and amounts past the float maximum, sent on purpose to every
// field rather than left to the fuzzer's luck: each answers 4xx with the page's message, the app
// stays up, and no log line shows a query's parameters (a password hash among them).
describe("NUL bytes, impossible dates and huge amounts", () => {
  const NUL = "x\u0000y";
  const leaksInLog = (text: string) => /scrypt\$|password_hash|"params"|params:/i.test(text);

  it("refuses a NUL byte in signup, story, session and team names with 400, and logs no hash", async () => {
    const mark = server.output().length;
    const visitor = new HttpClient(server.url);
    const signup = await visitor.post("/signup", {
      name: `Eve${NUL}`,
      email: `eve-${Date.now()}@example.com`,
      password: "correct horse battery",
    });
    expect(signup.status, logSince(mark)).toBe(400);
    expect(await signup.text()).toMatch(/control characters/);
    const checks: [string, Record<string, string>][] = [
      ["/t/demo/backlog/new", { intent: "create", title: `Story ${NUL}` }],
      ["/t/demo/backlog/new", { intent: "create", title: "Fine", description: `a\u0000b` }],
      ["/t/demo/backlog/new", { intent: "paste", titles: `One\nTwo ${NUL}` }],
      ["/t/demo/backlog/new", { intent: "csv", csvText: `title\nA ${NUL}\n` }],
      ["/teams/new", { name: `Team ${NUL}`, slug: "nul-team" }],
      ["/t/demo/settings/tokens", { intent: "create", name: NUL }],
    ];
    for (const [url, form] of checks) {
      const res = await owner.post(url, form);
      expect(res.status, `${url} ${JSON.stringify(form)}\n${logSince(mark)}`).toBe(400);
    }
    const backlog = await (await owner.request("/t/demo/backlog")).text();
    const storyId = /\/t\/demo\/stories\/(\d+)/.exec(backlog)?.[1];
    const session = await owner.request("/t/demo/poker", {
      method: "POST",
      body: new URLSearchParams({ intent: "create", name: NUL, storyId: storyId ?? "1" }),
    });
    expect(session.status, logSince(mark)).toBe(400);
    expect(leaksInLog(server.output().slice(mark)), server.output().slice(mark)).toBe(false);
  });

  it("answers a NUL byte in each field of every form with less than 500", async () => {
    const rank = (r: AppRoute) => (r.pattern.startsWith("/t/:team/settings") ? 1 : r.pattern.startsWith("/t/") ? 0 : 2);
    const targets = routes
      .filter((r) => r.hasAction && r.isPage && r.file && !r.pattern.startsWith("/api/"))
      .sort((a, b) => rank(a) - rank(b));
    const failures: string[] = [];
    let sent = 0;
    for (const route of targets) {
      const path = concreteUrl(route);
      const asOwner = route.pattern.startsWith("/t/");
      const client = asOwner ? owner : new HttpClient(server.url);
      const page = await send(client, path);
      if (page.status !== 200) continue;
      const url = route.index ? `${path}?index` : path;
      for (const form of formsIn(await page.text())) {
        for (const [i, [name]] of form.entries()) {
          if (name === "intent") continue;
          const body = form.map(([n, v], j): [string, string] => [n, j === i ? NUL : v]);
          const mark = server.output().length;
          const res = await send(client, url, {
            method: "POST",
            body: new URLSearchParams(body),
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
          });
          await res.text();
          sent++;
          if (res.status >= 500) failures.push(`POST ${url} ${name}=NUL → ${res.status}\n${logSince(mark)}`);
          if (leaksInLog(server.output().slice(mark)))
            failures.push(`POST ${url} ${name}=NUL logged parameters:\n${logSince(mark)}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(50);
    expect(failures, failures.join("\n\n")).toEqual([]);
  }, 240_000);

  it("refuses impossible and far-off days with 400: a story's spend, a new sprint, a rate", async () => {
    const backlog = await (await owner.request("/t/demo/backlog")).text();
    const storyId = /\/t\/demo\/stories\/(\d+)/.exec(backlog)?.[1];
    expect(storyId).toBeTruthy();
    for (const day of ["2026-13-45", "9999-12-31", "0000-00-00"]) {
      const mark = server.output().length;
      const spend = await owner.post(`/t/demo/stories/${storyId}/spend`, { intent: "add", day, credits: "1" });
      expect(spend.status, `spend day=${day}\n${logSince(mark)}`).toBe(400);
      const sprint = await owner.post("/t/demo/sprints/new", {
        name: "Far",
        start: day,
        end: day,
        capacityKind: "credits",
        capacityCredits: "100",
        reservePercent: "0",
        commitBasis: "expected",
        exhaustionPolicy: "warn",
      });
      expect(sprint.status, `sprint start=${day}\n${logSince(mark)}`).toBe(400);
    }
    expect((await owner.request("/t/demo/sprints/new")).status).toBe(200);
  });

  it("refuses API credits past the float maximum, and the dashboard and sprint pages still answer", async () => {
    const created = await owner.post("/t/demo/settings/tokens", { intent: "create", name: "Huge" });
    const token = /tpk_[A-Za-z0-9_-]+/.exec(await created.text())?.[0];
    const api = (body: unknown) =>
      fetch(new URL("/api/v1/teams/demo/spend", server.url), {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const huge = [1, 2].map((n) => ({
      id: `huge-${Date.now()}-${n}`,
      occurred_at: new Date().toISOString(),
      credits: 1.7e308,
    }));
    const res = await api(huge);
    expect(res.status).toBe(422);
    const nul = await api([
      { id: `nul-${Date.now()}`, occurred_at: new Date().toISOString(), credits: 1, user: NUL, model: NUL },
    ]);
    expect(nul.status).toBe(422);
    expect((await owner.request("/t/demo")).status).toBe(200);
    const sprints = await (await owner.request("/t/demo/sprints")).text();
    const sprintUrl = /\/t\/demo\/sprints\/\d+/.exec(sprints)?.[0];
    expect(sprintUrl).toBeTruthy();
    expect((await owner.request(sprintUrl!)).status).toBe(200);
  });

  it("answers a streamed upload whose text field is too long, instead of cutting the connection", async () => {
    // The fuzzer found it on the organisation's bill: a 100 KB text field named "file" passed the
    // 64 KB field cap, and the parser's clean-up destroyed the request, so no answer went out.
    for (const path of ["/t/demo/spend/upload", "/o/acme/bill"]) {
      const form = new FormData();
      form.append("format", "auto");
      form.append("file", "9".repeat(100_000));
      // Before the fix this threw: fetch failed, "other side closed".
      const res = await owner.request(path, { method: "POST", body: form });
      expect(res.status, path).toBeGreaterThanOrEqual(300);
      expect(res.status, path).toBeLessThan(500);
    }
  });

  it("lets a member map spend identities to themself only, never take someone else's", async () => {
    // A team of its own: the fuzzing above may have changed the demo team's members.
    const lead = await signUp(server.url, "Ida Lead");
    await createTeam(lead, "Identity check", "identity-check");
    const mallory = await joinWithRole(lead, "identity-check", "member", "Mallory");
    await joinWithRole(lead, "identity-check", "member", "Nina");
    const owner = lead;
    const page = "/t/identity-check/spend/identities";
    const optionsOf = async (client: HttpClient) =>
      [...(await (await client.request(page)).text()).matchAll(/<option value="(\d+)"/g)].map((m) => m[1]!);
    const mine = await optionsOf(mallory);
    const everyone = await optionsOf(owner);
    expect(new Set(mine).size, "a member is offered only themself").toBe(1);
    const other = everyone.find((id) => id !== mine[0])!;
    expect(other).toBeTruthy();
    expect((await owner.post(page, { intent: "map", identity: "owner-tool-login", userId: other })).status).toBe(200);
    // Taking a colleague's identity, mapping a new one to a colleague, unmapping a colleague's: refused.
    expect((await mallory.post(page, { intent: "map", identity: "owner-tool-login", userId: mine[0]! })).status).toBe(
      400,
    );
    expect((await mallory.post(page, { intent: "map", identity: "someone-else", userId: other })).status).toBe(400);
    expect((await mallory.post(page, { intent: "unmap", identity: "owner-tool-login" })).status).toBe(400);
    // Her own, unclaimed name: fine.
    expect((await mallory.post(page, { intent: "map", identity: "mallory-k", userId: mine[0]! })).status).toBe(200);
    const html = await (await owner.request(page)).text();
    expect(html).toMatch(/owner-tool-login/);
  });
});

// The payload marks which field it came from when it runs; every page of a team holding it is
// opened in Chromium with the page's CSP switched off, so only escaping stands between it and
// running.
const payload = (field: string) => `${field}"'><img src=x onerror="__xss='${field}'"><script>__xss='${field}'</script>`;
/** For names, which are short (a poker seat holds 60 characters). */
const shortPayload = (field: string) => `${field}"'><img src=x onerror="__xss='${field}'">`;
const FILE_NAME = `file'><b>bold;v=2<script>__xss-file.csv`;
const csvCell = (field: string) => `"${payload(field).replace(/"/g, '""')}"`;

describe.skipIf(!chromiumPath())("stored XSS renders inert", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it("shows story titles, descriptions, notes, names, CSV cells and file names as text", async () => {
    const evil = await signUp(server.url, shortPayload("user"));
    await createTeam(evil, payload("team"), "xss-check");
    const t = "/t/xss-check";
    const stored: string[] = [];
    const post = async (url: string, form: Record<string, string>, fields: string[]) => {
      const mark = server.output().length;
      const res = await evil.post(url, form);
      expect(res.status, `${url} ${form.intent ?? ""}\n${logSince(mark)}`).toBeLessThan(500);
      if (res.status < 400) stored.push(...fields);
      return res;
    };
    stored.push("user", "team");
    await post(`${t}/backlog/new`, { intent: "create", title: payload("title"), description: payload("desc") }, [
      "title",
      "desc",
    ]);
    await post(
      `${t}/backlog/new`,
      { intent: "csv", csvText: `title,description\n${csvCell("csvtitle")},${csvCell("csvdesc")}\n` },
      ["csvtitle"],
    );
    await post(`${t}/backlog/new`, { intent: "paste", titles: payload("paste") }, ["paste"]);
    const sprint = await post(
      `${t}/sprints/new`,
      {
        name: payload("sprint"),
        start: "2026-11-23",
        end: "2026-12-04",
        capacityKind: "credits",
        capacityCredits: "1000",
        reservePercent: "10",
        commitBasis: "expected",
        exhaustionPolicy: "warn",
      },
      ["sprint"],
    );
    const backlog = await (await evil.request(`${t}/backlog`)).text();
    const storyId = new RegExp(`${t}/stories/(\\d+)`).exec(backlog)?.[1];
    const sprintId = /\/sprints\/(\d+)$/.exec(sprint.headers.get("location") ?? "")?.[1];
    if (sprintId && storyId) {
      await post(
        `${t}/sprints/${sprintId}/retro`,
        { intent: "save-note", storyId, bought: payload("bought"), reviewBurden: "light", note: payload("note") },
        [],
      );
    }
    if (storyId) {
      const session = new URLSearchParams({ intent: "create", name: payload("poker"), storyId });
      const mark = server.output().length;
      const res = await evil.request(`${t}/poker`, { method: "POST", body: session });
      expect(res.status, logSince(mark)).toBeLessThan(500);
      if (res.status < 400) stored.push("poker");
    }
    if (routes.some((r) => r.pattern === "/t/:team/spend/upload")) {
      const csv = `date,story,model,input_tokens,output_tokens,cost_usd,user\n2026-11-24,${csvCell("spendstory")},${csvCell("model")},1,1,0.5,${csvCell("spenduser")}\n`;
      const form = new FormData();
      form.append("format", "auto");
      // A multipart file name cannot hold "/" (cut as a path); ";" and "=" must survive.
      form.append("file", new Blob([csv], { type: "text/csv" }), FILE_NAME);
      const mark = server.output().length;
      const res = await evil.request(`${t}/spend/upload`, {
        method: "POST",
        body: form,
        headers: { Accept: "application/json" },
      });
      expect(res.status, `${await res.clone().text()}\n${logSince(mark)}`).toBe(200);
      // (The model name is stored but not shown anywhere, so it is not looked for.)
      stored.push("file", "spenduser", "spendstory");
    }
    expect(stored.length, "payloads the app stored").toBeGreaterThanOrEqual(6);

    const { pages } = await crawl(evil, [t], routes, 60);
    const context = await browser.newContext({ baseURL: server.url, bypassCSP: true });
    await shareLogin(context, evil);
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(`${page.url()}: ${d.message()}`);
      void d.dismiss();
    });
    const ran: string[] = [];
    const shown = new Map<string, string[]>();
    for (const [, urls] of pages) {
      for (const url of urls) {
        await page.goto(url, { waitUntil: "load" });
        await page.waitForFunction(() => "__remixRouter" in window, null, { timeout: 5_000 }).catch(() => {});
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const state = await page.evaluate(() => ({
          xss: (window as unknown as { __xss?: string }).__xss ?? null,
          handlers: document.querySelectorAll("[onerror], [onload]").length,
          text: document.body.innerText,
        }));
        if (state.xss) ran.push(`${url}: the payload of "${state.xss}" ran`);
        if (state.handlers) ran.push(`${url}: ${state.handlers} element(s) with an inline handler in the DOM`);
        for (const m of state.text.matchAll(/(\w+)"'><img src=x onerror="__xss='\1'">/g)) {
          shown.set(m[1]!, [...(shown.get(m[1]!) ?? []), url]);
        }
        if (state.text.includes(FILE_NAME)) shown.set("file", [...(shown.get("file") ?? []), url]);
      }
    }
    await context.close();
    expect(ran).toEqual([]);
    expect(dialogs).toEqual([]);
    // Escaped, not dropped: each stored payload shows as text on some page a user opens.
    expect(stored.filter((f) => !shown.has(f))).toEqual([]);
  });
});
