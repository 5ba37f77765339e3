import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

function newestMtime(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** The server `npm start` runs with plain node (see bundleServer). */
export const SERVER_BUNDLE = "build/server.mjs";

/**
 * Bundles scripts/server.ts (the server entry, the cluster, the demo seed and the app modules they
 * import; packages stay in node_modules) into build/server.mjs when it is missing or older than its
 * sources. `npm start` runs the bundle with plain node: under tsx's loader the same server holds
 * ~170 MB more memory idle (issue 15: 555 → 385 MB RSS with the demo).
 */
export function bundleServerIfStale(root = process.cwd()): void {
  const bundle = path.join(root, SERVER_BUNDLE);
  const sources = ["app", "db", "scripts", "package.json"]
    .map((p) => path.join(root, p))
    .filter((p) => fs.existsSync(p));
  if (fs.existsSync(bundle) && fs.statSync(bundle).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  const result = spawnSync(
    "npx",
    [
      "esbuild",
      "scripts/server.ts",
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--target=node20",
      "--packages=external",
      "--alias:~=./app",
      // The production build unless told otherwise (Remix and React read it when they load).
      "--banner:js=process.env.NODE_ENV ??= 'production';",
      `--outfile=${SERVER_BUNDLE}`,
      "--log-level=warning",
    ],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"] },
  );
  if (result.status !== 0) throw new Error(`Bundling the server failed (exit ${result.status}).`);
}

/** Runs the Vite build when build/ is missing or older than any source it is made from. */
export function buildIfStale(root = process.cwd()): void {
  const serverBuild = path.join(root, "build/server/index.js");
  const sources = ["app", "db", "public", "vite.config.ts", "package.json"]
    .map((p) => path.join(root, p))
    .filter((p) => fs.existsSync(p));
  const newestSource = Math.max(...sources.map(newestMtime));
  if (fs.existsSync(serverBuild) && fs.statSync(serverBuild).mtimeMs >= newestSource) return;
  console.log("Building Token Poker…");
  // Under vitest, VITEST is set, and vite.config.ts leaves the Remix plugin out when it is; vitest
  // also sets NODE_ENV=test, which Vite would carry into the bundles (React's development build:
  // half again as much JavaScript, and slower pages) — the build is always a production one.
  const { VITEST: _vitest, VITEST_POOL_ID: _pool, VITEST_WORKER_ID: _worker, ...env } = process.env;
  const result = spawnSync("npx", ["remix", "vite:build"], {
    cwd: root,
    env: { ...env, NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (result.status !== 0) throw new Error(`The build failed (exit ${result.status}).`);
}
