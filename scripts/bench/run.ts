// npm run bench [-- --quick] — runs every benchmark in scripts/bench/ one after another (each on
// the embedded database and on PostgreSQL when one answers), then prints where the figures went.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildIfStale } from "../lib/build";
import { machine, QUICK, RESULTS_DIR } from "./lib";

const here = path.resolve("scripts/bench");
const benches = fs
  .readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !["run.ts", "lib.ts"].includes(f))
  .sort();

console.log(`Machine: ${JSON.stringify(machine())}`);
// One build for all of them (each benchmark would otherwise check, and the first would build).
buildIfStale();
const allStarted = Date.now();
const failed: string[] = [];
for (const bench of benches) {
  console.log(`\n=== ${bench}${QUICK ? " (quick)" : ""}`);
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(here, bench), ...(QUICK ? ["--quick"] : [])],
    {
      stdio: "inherit",
    },
  );
  console.log(
    `--- ${bench}: ${result.status === 0 ? "ok" : `failed (${result.status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (result.status !== 0) failed.push(bench);
}
console.log(`\nJSON results in ${RESULTS_DIR}; all benchmarks took ${((Date.now() - allStarted) / 1000).toFixed(0)} s`);
if (failed.length) {
  console.error(`Failed: ${failed.join(", ")}`);
  process.exit(1);
}
