import { createRequire } from "node:module";
import { describe, expect, it, vi } from "vitest";
import { type MatchableRoute, PATHS_PER_SHAPE, rememberingMatchRoutes } from "./route-match-cache.server";

const router = createRequire(import.meta.url)("@remix-run/router") as {
  matchRoutes: Parameters<typeof rememberingMatchRoutes>[0];
};

/** A tree like Remix's: a root, a pathless layout, index and dynamic and optional segments, a splat. */
function tree(): MatchableRoute[] {
  return [
    {
      id: "root",
      path: "",
      children: [
        { id: "home", index: true },
        {
          id: "team",
          path: "t/:team",
          children: [
            { id: "team-home", index: true },
            { id: "me", path: "me" },
            { id: "sprint", path: "sprints/:sprintId/:tab?" },
            { id: "Case", path: "CaseOnly", caseSensitive: true },
          ],
        },
        { id: "layout", children: [{ id: "login", path: "login" }] },
        { id: "splat", path: "*" },
      ],
    },
  ];
}

const paths = [
  "/",
  "/t",
  "/t/demo",
  "/t/demo/",
  "/t/demo/me",
  "/t/demo/sprints/12",
  "/t/demo/sprints/12/credits",
  "/t/demo/CaseOnly",
  "/t/demo/caseonly",
  "/login?next=/t/demo#top",
  "/nowhere/at/all",
  "/t/d%C3%A9mo/me",
];

describe("remembered route matching", () => {
  it("answers as matchRoutes does, with the caller's own route objects, for strings and locations", () => {
    const remembering = rememberingMatchRoutes(router.matchRoutes);
    for (const round of [1, 2]) {
      // A new tree of the same shape each round, as Remix builds for each render.
      const routes = tree();
      for (const path of paths) {
        for (const location of [path, { pathname: path.split(/[?#]/)[0] }]) {
          const expected = router.matchRoutes(routes, location);
          const got = remembering(routes, location);
          expect(got, `${path} round ${round}`).toEqual(expected);
          got?.forEach((m, i) => expect(m.route).toBe(expected![i]!.route));
        }
      }
      expect(remembering(routes, "/app/t/demo/me", "/app")).toEqual(
        router.matchRoutes(routes, "/app/t/demo/me", "/app"),
      );
      expect(remembering(routes, "/t/demo/me", "/app")).toBeNull();
    }
  });

  it("looks each path up once per tree shape, and a different shape afresh", () => {
    const original = vi.fn(router.matchRoutes) as unknown as typeof router.matchRoutes & ReturnType<typeof vi.fn>;
    const remembering = rememberingMatchRoutes(original);
    remembering(tree(), "/t/demo/me");
    remembering(tree(), "/t/demo/me");
    expect(original).toHaveBeenCalledTimes(1);
    const other = tree();
    other[0]!.children![1]!.path = "team/:team";
    expect(remembering(other, "/t/demo/me")?.map((m) => m.route.id)).toEqual(["root", "splat"]);
    expect(original).toHaveBeenCalledTimes(2);
  });

  it("hands out params a caller may change without changing the next answer", () => {
    const remembering = rememberingMatchRoutes(router.matchRoutes);
    const first = remembering(tree(), "/t/demo/me")!;
    first[1]!.params.team = "changed";
    expect(remembering(tree(), "/t/demo/me")![1]!.params.team).toBe("demo");
  });

  it("keeps a bounded number of paths, and does not keep trees whose routes lack unique ids", () => {
    const original = vi.fn(router.matchRoutes) as unknown as typeof router.matchRoutes & ReturnType<typeof vi.fn>;
    const remembering = rememberingMatchRoutes(original);
    const routes = tree();
    for (let i = 0; i <= PATHS_PER_SHAPE; i++) remembering(routes, `/t/demo/sprints/${i}`);
    original.mockClear();
    remembering(routes, "/t/demo/sprints/0"); // the oldest went
    remembering(routes, `/t/demo/sprints/${PATHS_PER_SHAPE}`);
    expect(original).toHaveBeenCalledTimes(1);

    const anonymous: MatchableRoute[] = [{ path: "a" }, { path: "b" }];
    remembering(anonymous, "/a");
    remembering(anonymous, "/a");
    expect(original).toHaveBeenCalledTimes(3);
  });
});
