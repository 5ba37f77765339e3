// The app's routes as the server build has them, and a crawler that finds a real URL for each, so
// the accessibility and hostile-input tests cover every page, including ones added after they were
// written. (tests/e2e/authorization.test.ts walks the same build for the permission matrix.)
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { HttpClient } from "./server";

type BuildRoute = {
  id: string;
  path?: string;
  index?: boolean;
  parentId?: string;
  module: { loader?: unknown; action?: unknown; default?: unknown };
};

export interface AppRoute {
  id: string;
  /** "/t/:team/sprints/:id"; an index route has its parent's pattern. */
  pattern: string;
  index: boolean;
  hasLoader: boolean;
  hasAction: boolean;
  /** A page (renders a component), as opposed to a resource route (JSON, CSV, a stream). */
  isPage: boolean;
  /** The route module's source file, e.g. app/routes/t.$team.backlog._index.tsx. */
  file: string | null;
}

export async function loadAppRoutes(): Promise<AppRoute[]> {
  const build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as {
    routes: Record<string, BuildRoute>;
  };
  const fullPath = (r: BuildRoute): string => {
    const parent = r.parentId ? build.routes[r.parentId] : undefined;
    const own = r.path ?? "";
    return parent ? [fullPath(parent), own].filter(Boolean).join("/") : own;
  };
  return Object.values(build.routes)
    .filter((r) => r.id !== "root")
    .map((r) => ({
      id: r.id,
      pattern: "/" + fullPath(r),
      index: !!r.index,
      hasLoader: !!r.module.loader,
      hasAction: !!r.module.action,
      isPage: !!r.module.default,
      file: sourceFileOf(r.id),
    }));
}

function sourceFileOf(id: string): string | null {
  for (const ext of [".tsx", ".ts", ".jsx", ".js"]) {
    const file = path.join("app", id + ext);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

/** Matches a concrete path (no query) against a route pattern. */
export function patternRegex(pattern: string): RegExp {
  const source = pattern
    .split("/")
    .map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/** The route a concrete path belongs to: the most specific pattern that matches (fewest params). */
export function routeFor<R extends { pattern: string }>(routes: R[], pathname: string): R | undefined {
  const matches = routes.filter((r) => patternRegex(r.pattern).test(pathname));
  return matches.sort((a, b) => paramCount(a.pattern) - paramCount(b.pattern))[0];
}

const paramCount = (pattern: string) => (pattern.match(/:/g) ?? []).length;

/** Same-origin paths in a page's links, form actions and copyable values (invite and guest links). */
export function pathsIn(html: string, origin: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/\s(?:href|action|value)="([^"]+)"/g)) {
    const raw = m[1]!.replace(/&amp;/g, "&");
    let url: URL;
    try {
      url = new URL(raw, origin);
    } catch {
      continue;
    }
    if (url.origin !== origin || !raw.match(/^(\/|https?:)/)) continue;
    found.add(url.pathname + url.search);
  }
  return [...found];
}

/**
 * Walks the pages a client can reach from `start` (breadth first, at most `maxPages` fetched) and
 * returns, per route pattern, the concrete URLs that answered 200: the first one, plus each distinct
 * `view=` of it (the backlog's table and order views are different pages to a user); and every
 * same-origin link seen on the way.
 */
export async function crawl(
  client: HttpClient,
  starts: string[],
  routes: AppRoute[],
  maxPages = 80,
): Promise<{ pages: Map<string, string[]>; links: Set<string> }> {
  const origin = new URL(client.baseUrl).origin;
  const byPattern = new Map<string, string[]>();
  const links = new Set<string>();
  const seen = new Set<string>();
  const queue = [...starts];
  let fetched = 0;
  while (queue.length && fetched < maxPages) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const { pathname, searchParams } = new URL(url, origin);
    const route = routeFor(routes, pathname);
    if (!route || !route.isPage || !route.hasLoader || /^\/(logout|switch)\b/.test(pathname)) continue;
    const known = byPattern.get(route.pattern) ?? [];
    const view = searchParams.get("view");
    const isNew =
      known.length === 0 || (view !== null && !known.some((k) => new URL(k, origin).searchParams.get("view") === view));
    // One page per route is enough to learn the links out of it; other records of the same route
    // (story 2, 3, …) are not fetched.
    if (!isNew) continue;
    const res = await client.request(url);
    fetched++;
    if (res.status !== 200) continue;
    byPattern.set(route.pattern, [...known, url]);
    for (const next of pathsIn(await res.text(), origin)) {
      links.add(next);
      if (!seen.has(next)) queue.push(next);
    }
  }
  // Pages nothing links to (a personal page, a story's spend page): their parameters are filled with
  // values seen in the URLs that were found (":storyId" from "/t/demo/stories/:storyId", say).
  const values = new Map<string, string>();
  for (const [pattern, urls] of byPattern) {
    const parts = new URL(urls[0]!, origin).pathname.split("/");
    pattern.split("/").forEach((part, i) => {
      if (part.startsWith(":") && parts[i] && !values.has(part)) values.set(part, parts[i]!);
    });
  }
  for (const route of routes) {
    if (!route.isPage || !route.hasLoader || byPattern.has(route.pattern) || fetched >= maxPages) continue;
    const params = route.pattern.match(/:\w+/g) ?? [];
    if (params.some((p) => !values.has(p))) continue;
    const url = route.pattern.replace(/:\w+/g, (p) => values.get(p)!);
    const res = await client.request(url);
    fetched++;
    if (res.status === 200) byPattern.set(route.pattern, [url]);
  }
  return { pages: byPattern, links };
}

/** Logs a client in through the login form. */
export async function logIn(client: HttpClient, email: string, password: string): Promise<void> {
  const res = await client.post("/login", { email, password });
  if (res.status !== 302) throw new Error(`login as ${email} answered ${res.status}`);
}

/** The demo login a SEED_DEMO=1 server prints at start. */
export function demoLogin(output: string): { email: string; password: string } {
  const email = /^login: (\S+)$/m.exec(output)?.[1];
  const password = /^password: (\S+)$/m.exec(output)?.[1];
  if (!email || !password) throw new Error(`no demo login in the server output:\n${output}`);
  return { email, password };
}
