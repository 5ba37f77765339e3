/// <reference types="vitest/config" />
import fs from "node:fs";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Rollup } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

// Resource routes (no component: streams, CSV, JSON, redirects) have nothing for the browser, so
// their client chunks are empty by design; Rollup's "empty chunk" line for them is noise.
const RESOURCE_ROUTE_CHUNKS = new Set(
  fs
    .readdirSync("app/routes")
    .filter(
      (f) =>
        /\.tsx?$/.test(f) &&
        !f.includes(".test.") &&
        !/export default/.test(fs.readFileSync(`app/routes/${f}`, "utf8")),
    )
    .map((f) => f.replace(/\.tsx?$/, "").replace(/[^A-Za-z0-9_.-]/g, "_")),
);

/** Drops only the build warnings known to be harmless (see above and zod's comment below); all else is printed. */
function onwarn(warning: Rollup.RollupLog, print: (warning: Rollup.RollupLog) => void) {
  if (warning.code === "EMPTY_BUNDLE" && warning.names?.every((n) => RESOURCE_ROUTE_CHUNKS.has(n))) return;
  // zod 4 explains its own @__PURE__ annotations in comments Rollup cannot place; it removes them, nothing else.
  if (warning.code === "INVALID_ANNOTATION" && /[\\/]node_modules[\\/]zod[\\/]/.test(warning.id ?? "")) return;
  print(warning);
}

export default defineConfig(({ command }) => ({
  build: { rollupOptions: { onwarn } },
  // A built server is a production server. Vite leaves `process.env.NODE_ENV` in server bundles,
  // and bundled libraries check it on hot paths (TanStack Table once per memo, thousands of times a
  // page), where Node reads the real environment each time.
  ...(command === "build" ? { define: { "process.env.NODE_ENV": JSON.stringify("production") } } : {}),
  plugins: [
    // The Remix plugin builds the app; under vitest it is not wanted (tests import modules directly).
    !process.env.VITEST &&
      remix({
        ignoredRouteFiles: ["**/*"],
        future: {
          v3_fetcherPersist: true,
          v3_relativeSplatPath: true,
          v3_throwAbortReason: true,
          v3_singleFetch: true,
          v3_lazyRouteDiscovery: true,
          v3_routeConfig: true,
        },
      }),
    tsconfigPaths(),
  ],
  // PGlite ships WebAssembly and data files next to its JS; bundling it breaks their lookup.
  ssr: { external: ["@electric-sql/pglite", "pg", "kysely"], noExternal: [/^@tanstack\//] },
  server: { port: 3000 },
  // Four test projects: `unit` (pure domain, no I/O), `db` (each file against an in-memory PGlite
  // and, when DATABASE_URL is set, a PostgreSQL schema of its own), `e2e` (the built server + Chromium)
  // and `system` (slow whole-process tests).
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["app/**/*.test.{ts,tsx}", "tests/architecture.test.ts"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "db",
          include: ["tests/db/**/*.test.ts"],
          globalSetup: ["tests/setup/db-template.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/setup/build-server.ts"],
          environment: "node",
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // expect.poll waits for what a user would wait for: a page answering on a loaded machine
          // can take seconds, and vitest's default of one second failed tests that were right.
          expect: { poll: { timeout: 15_000 } },
          // One server and browser at a time: the machine has two cores.
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        // The slow system tests (many users, kill -9, a cut connection, backup, process lifecycle):
        // a lane of their own so `npm run test:unit`, `test:db` and `test:e2e` stay quick.
        extends: true,
        test: {
          name: "system",
          include: ["tests/system/**/*.test.ts"],
          // After the other projects, never beside the e2e browser tests on two cores.
          sequence: { groupOrder: 1 },
          globalSetup: ["tests/setup/build-server.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
}));
