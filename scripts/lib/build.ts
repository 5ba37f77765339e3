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
