// Route matching, remembered (issue 15: the fixed cost of every page). @remix-run/router's
// `matchRoutes` flattens and ranks the whole route tree and compiles a regular expression per
// candidate branch on every call, and one page view calls it five times: the request handler, the
// static handler's query, <RemixServer>'s router, and the lazy-route-discovery manifest once per
// parent path ("/", "/t", "/t/demo"). On the 67 routes that cost ≈ 1.6 ms of a 12 ms page
// (docs/performance.md). The answer depends only on the tree's shape and the path, so it is kept,
// bounded, per shape and path. Remix builds new route objects for each render, so a match is kept
// as route ids and handed back with the caller's own route objects and a fresh copy of its params.

export interface MatchableRoute {
  id?: string;
  path?: string;
  index?: boolean;
  caseSensitive?: boolean;
  children?: MatchableRoute[];
}
interface RouteMatch<R> {
  params: Record<string, string | undefined>;
  pathname: string;
  pathnameBase: string;
  route: R;
}
type MatchRoutes = <R extends MatchableRoute>(
  routes: R[],
  location: string | { pathname?: string },
  basename?: string,
) => RouteMatch<R>[] | null;

interface KeptMatch {
  id: string;
  params: Record<string, string | undefined>;
  pathname: string;
  pathnameBase: string;
}
/** What matching reads of a tree, and its routes by id (null: ids missing or repeated, not kept). */
interface Tree {
  shape: string;
  byId: Map<string, MatchableRoute> | null;
}

/** Paths kept per tree shape; past it the oldest goes (paths carry ids, so they are unbounded). */
export const PATHS_PER_SHAPE = 1000;
const SHAPES_KEPT = 8;
const MAX_KEY_LENGTH = 2048;
const INSTALLED = Symbol.for("token-poker.route-match-cache");

export function rememberingMatchRoutes(original: MatchRoutes): MatchRoutes {
  const trees = new WeakMap<object, Tree>();
  const kept = new Map<string, Map<string, KeptMatch[] | null>>();

  const treeOf = (routes: MatchableRoute[]): Tree => {
    let tree = trees.get(routes);
    if (tree) return tree;
    const byId: Map<string, MatchableRoute> | null = new Map();
    let complete = true;
    const walk = (list: MatchableRoute[]): string =>
      list
        .map((r) => {
          if (typeof r.id !== "string" || byId.has(r.id)) complete = false;
          else byId.set(r.id, r);
          // Everything flattenRoutes and matchPath read of a route, and nothing else.
          const own = JSON.stringify([r.id, r.path, r.index === true, r.caseSensitive === true]);
          return r.children?.length ? `${own}[${walk(r.children)}]` : own;
        })
        .join(",");
    tree = { shape: walk(routes), byId: complete ? byId : null };
    trees.set(routes, tree);
    return tree;
  };

  const remembering: MatchRoutes = (routes, location, basename = "/") => {
    const path = typeof location === "string" ? location : location?.pathname;
    if (!Array.isArray(routes) || typeof path !== "string" || path.length > MAX_KEY_LENGTH)
      return original(routes, location, basename);
    const tree = treeOf(routes);
    if (!tree.byId) return original(routes, location, basename);
    // A string is a whole URL path (its ?query and #hash are ignored); an object gives its pathname.
    const key = `${basename}\u0000${typeof location === "string" ? "s" : "p"}${path}`;
    let paths = kept.get(tree.shape);
    if (!paths) {
      if (kept.size >= SHAPES_KEPT) kept.delete(kept.keys().next().value!);
      paths = new Map();
      kept.set(tree.shape, paths);
    }
    let found = paths.get(key);
    if (found === undefined) {
      const matches = original(routes, location, basename);
      found =
        matches?.map((m) => ({
          id: m.route.id!,
          params: { ...m.params },
          pathname: m.pathname,
          pathnameBase: m.pathnameBase,
        })) ?? null;
      if (paths.size >= PATHS_PER_SHAPE) paths.delete(paths.keys().next().value!);
      paths.set(key, found);
    }
    const byId = tree.byId;
    return (
      found?.map((m) => ({
        params: { ...m.params },
        pathname: m.pathname,
        pathnameBase: m.pathnameBase,
        route: byId.get(m.id) as (typeof routes)[number],
      })) ?? null
    );
  };
  Object.defineProperty(remembering, INSTALLED, { value: true });
  return remembering;
}

/** Replaces `router.matchRoutes` (the CJS exports every Remix package calls it through), once. */
export function rememberRouteMatches(router: { matchRoutes: MatchRoutes }): void {
  if ((router.matchRoutes as unknown as Record<symbol, unknown>)[INSTALLED]) return;
  router.matchRoutes = rememberingMatchRoutes(router.matchRoutes);
}
