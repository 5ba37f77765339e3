import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPokerSessionOverHttp } from "../helpers/poker-fixture";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

// Walks every route under /t/:team (read from the server build, so a new page cannot be missed) as
// anonymous, outsider, observer, member and owner.
type BuildRoute = {
  id: string;
  path?: string;
  index?: boolean;
  parentId?: string;
  module: { loader?: unknown; action?: unknown };
};

// Records for URL parameters other than :team, keyed by the route pattern's prefix up to the
// parameter (e.g. "/t/:team/sprints/:id"). A route with a parameter not covered here fails the test:
// whoever adds it says how the owner creates a real record, returning the parameter's value.
const ROUTE_FIXTURES: Record<string, (owner: HttpClient) => Promise<string>> = {
  "/t/:team/backlog/:storyId": async (owner) => {
    const res = await owner.post("/t/alpha/backlog/new", { intent: "create", title: "Fixture story" });
    return /\/stories\/(\d+)$/.exec(res.headers.get("location") ?? "")![1]!;
  },
  // Also serves "/t/:team/sprints/:id/retro" (the retrospective) once it lands.
  "/t/:team/sprints/:id": async (owner) => {
    const res = await owner.post("/t/alpha/sprints/new", {
      name: "Fixture sprint",
      start: "2026-11-23",
      end: "2026-12-04",
      capacityKind: "credits",
      capacityCredits: "1000",
      reservePercent: "10",
      commitBasis: "expected",
      exhaustionPolicy: "warn",
    });
    return /\/sprints\/(\d+)$/.exec(res.headers.get("location") ?? "")![1]!;
  },
  // Also serves the room's live stream, "/t/:team/poker/:id/events".
  "/t/:team/poker/:id": async (owner) => (await createPokerSessionOverHttp(owner, "alpha")).id,
  // The spend feature's story pages: "/t/:team/stories/:storyId/spend" and ".../outcome".
  "/t/:team/stories/:storyId": async (owner) => {
    const res = await owner.post("/t/alpha/backlog/new", { intent: "create", title: "Spend fixture story" });
    return /\/stories\/(\d+)$/.exec(res.headers.get("location") ?? "")![1]!;
  },
};
const fixtureValues: Record<string, string> = {};

// Reads that are not for everyone in the team: observers and members get 403 there. The team
// export holds everyone's spend and identities in one file, more than any page shows them.
const MANAGER_READS = new Set(["/t/:team/settings/export.json"]);
// Old URLs kept as redirects for the team's people: reads move (301), posts keep their body (308);
// the new URL does the role check.
const MOVED = new Set(["/t/:team/backlog/:storyId"]);
// Actions only a team's owner may take (joining or leaving an organisation, like deleting the team):
// a manager gets 403 there.
const OWNER_ACTIONS = new Set(["/t/:team/settings/organisation"]);
const readStatus = (pattern: string) => (MOVED.has(pattern) ? 301 : MANAGER_READS.has(pattern) ? 403 : 200);

let server: TestServer;
let routes: { pattern: string; index: boolean; hasLoader: boolean; hasAction: boolean }[];
/** Token-authenticated endpoints (/api/...): a team's API token, never a session. */
let apiRoutes: { pattern: string; hasLoader: boolean; hasAction: boolean }[];
/** Organisation pages (/o/:org/...): org admins and viewers only, never team roles. */
let orgRoutes: { pattern: string; index: boolean; hasLoader: boolean; hasAction: boolean }[];
const clients: Record<string, HttpClient> = {};

beforeAll(async () => {
  server = await startTestServer();
  const build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as {
    routes: Record<string, BuildRoute>;
  };
  const fullPath = (r: BuildRoute): string => {
    const parent = r.parentId ? build.routes[r.parentId] : undefined;
    const own = r.path ?? "";
    return parent ? [fullPath(parent), own].filter(Boolean).join("/") : own;
  };
  routes = Object.values(build.routes)
    .map((r) => ({
      pattern: "/" + fullPath(r),
      index: !!r.index,
      hasLoader: !!r.module.loader,
      hasAction: !!r.module.action,
    }))
    .filter((r) => r.pattern.startsWith("/t/:team"));
  orgRoutes = Object.values(build.routes)
    .map((r) => ({
      pattern: "/" + fullPath(r),
      index: !!r.index,
      hasLoader: !!r.module.loader,
      hasAction: !!r.module.action,
    }))
    .filter((r) => r.pattern.startsWith("/o/:org"));
  apiRoutes = Object.values(build.routes)
    .map((r) => ({ pattern: "/" + fullPath(r), hasLoader: !!r.module.loader, hasAction: !!r.module.action }))
    .filter((r) => r.pattern.startsWith("/api/"));

  const owner = await signUp(server.url, "Owner");
  await createTeam(owner, "Alpha", "alpha");
  const outsider = await signUp(server.url, "Outsider");
  await createTeam(outsider, "Beta", "beta");
  clients.owner = owner;
  clients.outsider = outsider;
  clients.observer = await joinWithRole(owner, "alpha", "observer", "Olive Observer");
  clients.member = await joinWithRole(owner, "alpha", "member", "Mo Member");
  clients.manager = await joinWithRole(owner, "alpha", "manager", "Max Manager");
  clients.anonymous = new HttpClient(server.url);
  for (const [prefix, create] of Object.entries(ROUTE_FIXTURES)) fixtureValues[prefix] = await create(owner);

  // An organisation made by the team's owner (its admin), with Alpha attached and a viewer; the
  // team's member and manager are not in it. The poker guest has a seat in one Alpha session only.
  const made = await owner.post("/orgs/new", { name: "Org One", slug: "org-one" });
  expect(made.headers.get("location")).toBe("/o/org-one/settings");
  await owner.post("/o/org-one/settings", { intent: "request-team", teamSlug: "alpha" });
  const listed = await owner.request("/t/alpha/settings/organisation");
  const orgId = /name="organisationId" value="(\d+)"/.exec(await listed.text())?.[1];
  expect(orgId, "the request on the team's settings page").toBeTruthy();
  expect(
    (await owner.post("/t/alpha/settings/organisation", { intent: "accept", organisationId: orgId! })).status,
  ).toBe(200);
  clients.orgViewer = await joinOrgWithRole(owner, "org-one", "viewer", "Fin Viewer");
  const session = await createPokerSessionOverHttp(owner, "alpha", { allowGuests: true });
  const room = await owner.request(`/t/alpha/poker/${session.id}`);
  const guestKey = /\/poker\/join\/([A-Za-z0-9_-]+)/.exec(await room.text())?.[1];
  expect(guestKey, "a guest link").toBeTruthy();
  clients.guest = new HttpClient(server.url);
  expect((await clients.guest.post(`/poker/join/${guestKey}`, { name: "Gwen Guest" })).status).toBeLessThan(400);
});

async function joinOrgWithRole(admin: HttpClient, org: string, role: "admin" | "viewer", name: string) {
  const res = await admin.post(`/o/${org}/settings`, { intent: "invite", role });
  const token = /\/orgs\/invite\/([A-Za-z0-9_-]+)/.exec(await res.text())?.[1];
  expect(token, "org invite link in the page").toBeTruthy();
  const user = await signUp(admin.baseUrl, name, `/orgs/invite/${token}`);
  const join = await user.post(`/orgs/invite/${token}`, {});
  expect(join.headers.get("location")).toBe(`/o/${org}`);
  return user;
}

afterAll(async () => server?.stop());

/** The URL of a route; `forPost` adds ?index so a POST reaches an index route, not its layout. */
function urlFor(route: { pattern: string; index: boolean }, forPost = false): string {
  const path = route.pattern.replace(/:(\w+)/g, (match: string, name: string, offset: number) => {
    if (name === "team") return "alpha";
    const prefix = route.pattern.slice(0, offset) + match;
    const value = fixtureValues[prefix];
    if (!value) throw new Error(`No ROUTE_FIXTURES entry for ${prefix}`);
    return value;
  });
  return forPost && route.index ? `${path}?index` : path;
}

describe("authorization matrix", () => {
  it("finds the team routes in the build", () => {
    expect(routes.map((r) => r.pattern)).toContain("/t/:team");
    expect(routes.map((r) => r.pattern)).toContain("/t/:team/settings/members");
  });

  it("sends anonymous visitors to the login page", async () => {
    for (const r of routes.filter((r) => r.hasLoader)) {
      const res = await clients.anonymous!.request(urlFor(r));
      expect(res.status, r.pattern).toBe(302);
      expect(res.headers.get("location"), r.pattern).toMatch(/^\/login\?redirectTo=/);
    }
  });

  it("answers 404 to a logged-in outsider, for reads and writes", async () => {
    for (const r of routes) {
      if (r.hasLoader) expect((await clients.outsider!.request(urlFor(r))).status, r.pattern).toBe(404);
      if (r.hasAction)
        expect((await clients.outsider!.post(urlFor(r, true), { intent: "x" })).status, r.pattern).toBe(404);
    }
  });

  it("lets observers read every page and change nothing", async () => {
    for (const pattern of MANAGER_READS)
      expect(
        routes.map((r) => r.pattern),
        "a manager-only read that is not built",
      ).toContain(pattern);
    for (const r of routes) {
      if (r.hasLoader)
        expect((await clients.observer!.request(urlFor(r))).status, r.pattern).toBe(readStatus(r.pattern));
      if (r.hasAction) {
        expect((await clients.observer!.post(urlFor(r, true), { intent: "x" })).status, r.pattern).toBe(
          MOVED.has(r.pattern) ? 308 : 403,
        );
      }
    }
  });

  it("lets members read every page", async () => {
    for (const r of routes.filter((r) => r.hasLoader)) {
      expect((await clients.member!.request(urlFor(r))).status, r.pattern).toBe(readStatus(r.pattern));
    }
  });

  it("lets managers and owners read every page and reach every action", async () => {
    for (const who of ["manager", "owner"]) {
      for (const r of routes) {
        if (r.hasLoader)
          expect((await clients[who]!.request(urlFor(r))).status, `${who} ${r.pattern}`).toBe(
            MOVED.has(r.pattern) ? 301 : 200,
          );
        // A made-up intent: past the role check, the action refuses the body itself (400, or a
        // redirect back with a message), never as forbidden or unknown, never with a 500.
        if (r.hasAction) {
          const status = (await clients[who]!.post(urlFor(r, true), { intent: "x" })).status;
          if (who === "manager" && OWNER_ACTIONS.has(r.pattern)) {
            expect(status, `${who} POST ${r.pattern}`).toBe(403);
            continue;
          }
          expect([401, 403, 404].includes(status) || status >= 500, `${who} POST ${r.pattern} → ${status}`).toBe(false);
        }
      }
    }
  });

  it("answers the API only to the team's own token", async () => {
    const tokenFor = async (client: HttpClient, slug: string) => {
      const res = await client.post(`/t/${slug}/settings/tokens`, { intent: "create", name: "Matrix" });
      return /tpk_[A-Za-z0-9_-]+/.exec(await res.text())?.[0];
    };
    const own = await tokenFor(clients.owner!, "alpha");
    const theirs = await tokenFor(clients.outsider!, "beta");
    for (const r of apiRoutes.filter((r) => r.hasAction)) {
      const url = r.pattern.replace(":team", "alpha");
      const call = (token?: string, cookie?: string) =>
        fetch(new URL(url, server.url), {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            ...(cookie ? { Cookie: cookie } : {}),
          },
          body: "[]",
        });
      expect((await call()).status, `${r.pattern} without a token`).toBe(401);
      // A logged-in owner's session cookie is not an API credential.
      expect((await call(undefined, clients.owner!.cookie)).status, `${r.pattern} with a session cookie`).toBe(401);
      expect((await call("tpk_made-up")).status, `${r.pattern} with a made-up token`).toBe(401);
      expect(theirs, "another team's token").toBeTruthy();
      expect((await call(theirs)).status, `${r.pattern} with another team's token`).toBe(403);
      expect(own, "the team's own token").toBeTruthy();
      expect((await call(own)).status, `${r.pattern} with the team's token`).toBeLessThan(300);
    }
    // Tokens are made by managers and owners only.
    expect((await clients.member!.post("/t/alpha/settings/tokens", { intent: "create", name: "Mine" })).status).toBe(
      403,
    );
  });

  it("keeps member management to managers and owners", async () => {
    const res = await clients.member!.post("/t/alpha/settings/members", { intent: "invite", role: "member" });
    expect(res.status).toBe(403);
    const ok = await clients.owner!.post("/t/alpha/settings/members", { intent: "invite", role: "member" });
    expect(ok.status).toBe(200);
    // The poker room's "invite someone new" follows the same rule.
    const { id } = await createPokerSessionOverHttp(clients.owner!, "alpha");
    const fromRoom = (who: "member" | "owner") =>
      clients[who]!.post(`/t/alpha/poker/${id}`, { intent: "invite-member" });
    expect((await fromRoom("member")).status).toBe(403);
    const made = await fromRoom("owner");
    expect(made.status).toBe(200);
    expect(await made.text()).toMatch(/\/invite\/[A-Za-z0-9_-]+\?to=%2Ft%2Falpha%2Fpoker%2F/);
  });

  it("refuses a cross-origin POST even with a valid session", async () => {
    const res = await clients.owner!.post(
      "/t/alpha/settings/members",
      { intent: "invite", role: "member" },
      { Origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
  });
});

describe("organisation authorization matrix", () => {
  const orgUrl = (r: { pattern: string; index: boolean }, forPost = false) =>
    r.pattern.replace(":org", "org-one") + (forPost && r.index ? "?index" : "");

  it("finds the organisation routes in the build", () => {
    const patterns = orgRoutes.map((r) => r.pattern);
    for (const p of ["/o/:org", "/o/:org/pool", "/o/:org/settings"]) expect(patterns).toContain(p);
  });

  it("sends anonymous visitors to the login page", async () => {
    for (const r of orgRoutes.filter((r) => r.hasLoader)) {
      const res = await clients.anonymous!.request(orgUrl(r));
      expect(res.status, r.pattern).toBe(302);
      expect(res.headers.get("location"), r.pattern).toMatch(/^\/login\?redirectTo=/);
    }
  });

  it("answers 404 to outsiders, to the attached team's own people and to poker guests", async () => {
    // Team roles give nothing at organisation level: the team's member and manager are not org members.
    for (const who of ["outsider", "member", "manager", "guest"]) {
      for (const r of orgRoutes) {
        if (r.hasLoader) expect((await clients[who]!.request(orgUrl(r))).status, `${who} ${r.pattern}`).toBe(404);
        if (r.hasAction)
          expect((await clients[who]!.post(orgUrl(r, true), { intent: "x" })).status, `${who} POST ${r.pattern}`).toBe(
            404,
          );
      }
      // Nor does a made-up organisation answer differently from a real one.
      expect((await clients[who]!.request("/o/no-such-org")).status, who).toBe(404);
    }
  });

  it("lets org viewers read every page and change nothing", async () => {
    for (const r of orgRoutes) {
      if (r.hasLoader) expect((await clients.orgViewer!.request(orgUrl(r))).status, r.pattern).toBe(200);
      if (r.hasAction)
        expect((await clients.orgViewer!.post(orgUrl(r, true), { intent: "x" })).status, r.pattern).toBe(403);
    }
  });

  it("lets org admins read every page and reach every action", async () => {
    for (const r of orgRoutes) {
      if (r.hasLoader) expect((await clients.owner!.request(orgUrl(r))).status, r.pattern).toBe(200);
      if (r.hasAction) {
        const status = (await clients.owner!.post(orgUrl(r, true), { intent: "x" })).status;
        expect([401, 403, 404].includes(status) || status >= 500, `POST ${r.pattern} → ${status}`).toBe(false);
      }
    }
  });

  it("gives an org viewer no team page, and an org admin only the team pages of their own teams", async () => {
    // The viewer is in the organisation Alpha belongs to, not in Alpha.
    for (const path of ["/t/alpha", "/t/alpha/spend", "/t/alpha/me", "/t/alpha/settings/export.json"])
      expect((await clients.orgViewer!.request(path)).status, path).toBe(404);
  });

  it("lets only the team's owner accept or leave, and hides other teams' existence from org admins", async () => {
    expect(
      (await clients.manager!.post("/t/alpha/settings/organisation", { intent: "leave", organisationId: "1" })).status,
    ).toBe(403);
    // Asking for a team that does not exist reads like asking for one that does.
    const ask = async (slug: string) =>
      (await (await clients.owner!.post("/o/org-one/settings", { intent: "request-team", teamSlug: slug })).text())
        .replace(new RegExp(slug, "g"), "SLUG")
        .replace(/<input[^>]*>/g, "")
        .replace(/nonce="[^"]*"/g, "");
    expect(await ask("beta")).toBe(await ask("no-such-team"));
    // And the org's pages never show the request's team by name before its owner accepts.
    expect(await (await clients.owner!.request("/o/org-one/settings")).text()).not.toContain("Beta");
  });

  it("keeps organisation creation and invites to signed-in people", async () => {
    expect((await clients.anonymous!.request("/orgs/new")).status).toBe(302);
    expect((await clients.anonymous!.post("/orgs/new", { name: "Sneaky" })).status).toBe(302);
    expect((await clients.outsider!.request("/orgs/invite/made-up-token")).status).toBe(404);
    expect((await clients.outsider!.post("/orgs/invite/made-up-token", {})).status).toBe(404);
  });
});
