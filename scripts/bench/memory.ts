// Server memory, idle after start (issue 15: the embedded server with the demo under 350 MB RSS).
// Memory is not noisy like time, so one start per scenario is enough; the floor is a bare
// node:http process. Scenarios:
//   floor: node:http, nothing else
//   app · embedded · demo — what `npm start` runs (node build/server.mjs): the goal
//   app · embedded · demo · tsx — the same server under tsx's loader (how tests and benchmarks start it)
//   app · embedded · empty database          app · PostgreSQL · demo (one process; when one answers)
// For each: RSS 5 s after "serving on", then the process's own breakdown after a forced garbage
// collection (V8 heap; external: Buffers, ArrayBuffers and PGlite's WebAssembly memory; the rest:
// native code, malloc, thread stacks). Prints a table, writes scripts/bench/results/memory.json.
//   npx tsx scripts/bench/memory.ts [--quick]
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { buildIfStale, bundleServerIfStale, SERVER_BUNDLE } from "../lib/build";
import { spawnServer } from "../lib/spawn-server";
import { freshPostgresDatabase, printTable, QUICK, writeResult } from "./lib";

const IDLE_MS = QUICK ? 3000 : 5000;
const GOAL_MB = 350;

// Loaded with --import into the measured process (plain JavaScript: no loader needed): on a line
// "probe" on stdin, collect garbage and print process.memoryUsage().
const PROBE = `data:text/javascript,${encodeURIComponent(`
import readline from "node:readline";
readline.createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line.trim() !== "probe") return;
  for (let i = 0; i < 3; i++) { globalThis.gc?.(); await new Promise((r) => setTimeout(r, 50)); }
  console.log("probe " + JSON.stringify(process.memoryUsage()));
});`)}`;
const FLOOR = `import http from "node:http";
http.createServer((_req, res) => res.end("pong")).listen(0, () => console.log("floor serving on"));`;

interface Usage {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

const MB = (bytes: number) => Math.round(bytes / 2 ** 20);
const rssBytes = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function probe(child: ChildProcess): Promise<Usage> {
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += d;
      const m = /probe (\{.*\})/.exec(out);
      if (m) {
        child.stdout!.off("data", onData);
        resolve(JSON.parse(m[1]!) as Usage);
      }
    };
    child.stdout!.on("data", onData);
    child.stdin!.write("probe\n");
    setTimeout(() => reject(new Error("no answer to the probe")), 30_000).unref();
  });
}

async function measure(scenario: string, child: ChildProcess, stop: () => Promise<unknown>) {
  try {
    await settle(IDLE_MS);
    const idleRss = rssBytes(child.pid!);
    const u = await probe(child);
    return {
      scenario,
      idleRssMB: MB(idleRss),
      afterGcRssMB: MB(u.rss),
      heapUsedMB: MB(u.heapUsed),
      heapTotalMB: MB(u.heapTotal),
      externalMB: MB(u.external),
      otherMB: MB(u.rss - u.heapTotal - u.external),
    };
  } finally {
    await stop();
  }
}

async function appScenario(scenario: string, options: { demo: boolean; engine: "pglite" | "postgres"; tsx?: boolean }) {
  const pgdb = options.engine === "postgres" ? await freshPostgresDatabase() : null;
  if (options.engine === "postgres" && !pgdb) return null;
  const server = await spawnServer({
    entry: options.tsx ? "scripts/server.ts" : SERVER_BUNDLE,
    nodeArgs: ["--expose-gc", "--import", PROBE],
    env: {
      SEED_DEMO: options.demo ? "1" : "0",
      ...(pgdb ? { DATABASE_URL: pgdb.url, SESSION_SECRET: "bench-secret-bench-secret" } : {}),
    },
  });
  try {
    return await measure(scenario, server.process, () => server.stop());
  } finally {
    await pgdb?.drop();
  }
}

async function floorScenario() {
  const child = spawn(process.execPath, ["--expose-gc", "--import", PROBE, "--input-type=module", "-e", FLOOR], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (/serving on/.test(out)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`floor exited with ${code}`)));
  });
  return measure("floor: bare node:http", child, async () => {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  });
}

buildIfStale();
bundleServerIfStale();
const results = [await floorScenario()];
results.push((await appScenario("app · embedded · demo", { demo: true, engine: "pglite" }))!);
if (!QUICK) {
  results.push((await appScenario("app · embedded · demo · tsx", { demo: true, engine: "pglite", tsx: true }))!);
  results.push((await appScenario("app · embedded · empty", { demo: false, engine: "pglite" }))!);
  const pg = await appScenario("app · PostgreSQL · demo", { demo: true, engine: "postgres" });
  if (pg) results.push(pg);
}
const floor = results[0]!;
printTable(
  results.map((r) => ({
    scenario: r.scenario,
    "idle RSS MB": r.idleRssMB,
    "× floor": (r.idleRssMB / floor.idleRssMB).toFixed(1),
    "RSS after GC": r.afterGcRssMB,
    "V8 heap used/total": `${r.heapUsedMB}/${r.heapTotalMB}`,
    "external (incl. wasm)": r.externalMB,
    "other (code, malloc)": r.otherMB,
    goal: r.scenario === "app · embedded · demo" ? `< ${GOAL_MB} MB: ${r.idleRssMB < GOAL_MB ? "met" : "NOT met"}` : "",
  })),
);
console.log(`written: ${writeResult("memory", { idleMs: IDLE_MS, results })}`);
