// 200 simulated users for 60 s (--quick: 100 for 3 s, embedded only) on the embedded database (one
// process) and on PostgreSQL (a worker per core, WEB_CONCURRENCY=BENCH_WORKERS or every core): poker
// guests voting on live streams, facilitators revealing, readers opening pages, writers changing the
// backlog, tools posting spend (see scripts/lib/mixed-workload.ts). The server is what `npm start`
// runs (build/server.mjs). Before the crowd arrives, one client opens the same pages one at a time
// on the same server: the floor. Prints p50/p95/max by kind of work, the page p95 under load ÷ the
// one-client page median (the goal: ≤ 5× on PostgreSQL, ≤ 10× embedded) and the count of server
// errors; writes scripts/bench/results/mixed-workload.json.
//   npx tsx scripts/bench/mixed-workload.ts [--quick]      (BENCH_USERS=… to try another crowd)
import os from "node:os";
import { buildIfStale, bundleServerIfStale, SERVER_BUNDLE } from "../lib/build";
import { onePageAtATime, runMixedWorkload, setUpWorkloadTeam } from "../lib/mixed-workload";
import { spawnServer } from "../lib/spawn-server";
import { freshPostgresDatabase, printTable, QUICK, writeResult } from "./lib";

const WORKERS = Number(process.env.BENCH_WORKERS) || os.availableParallelism();
const GOAL = { pglite: 10, postgres: 5 } as const;

const USERS = Number(process.env.BENCH_USERS ?? (QUICK ? 100 : 200));
const DURATION_MS = (QUICK ? 3 : 60) * 1000;

async function scenario(engine: "pglite" | "postgres") {
  const pgdb = engine === "postgres" ? await freshPostgresDatabase() : null;
  if (engine === "postgres" && !pgdb) return null;
  const server = await spawnServer({
    entry: SERVER_BUNDLE,
    env: pgdb
      ? { DATABASE_URL: pgdb.url, SESSION_SECRET: "bench-secret-bench-secret", WEB_CONCURRENCY: String(WORKERS) }
      : {},
  });
  try {
    const team = await setUpWorkloadTeam(server.url);
    const floor = await onePageAtATime(server.url, team, { rounds: QUICK ? 2 : 5 });
    const report = await runMixedWorkload(server.url, team, { users: USERS, durationMs: DURATION_MS });
    const pageP95 = report.byKind.page?.p95 ?? NaN;
    const ratio = Math.round((pageP95 / floor.median) * 10) / 10;
    return {
      engine,
      processes: engine === "postgres" ? WORKERS : 1,
      onePageAtATime: floor,
      pageP95VsOneClientMedian: ratio,
      goal: GOAL[engine],
      ...report,
    };
  } finally {
    await server.stop();
    await pgdb?.drop();
  }
}

buildIfStale();
bundleServerIfStale();
console.log(`${USERS} simulated users for ${DURATION_MS / 1000} s${QUICK ? " (quick)" : ""}`);
const results = [];
// --quick: the embedded database only (the suite runs both engines for 8 s each anyway).
for (const engine of QUICK ? (["pglite"] as const) : (["pglite", "postgres"] as const)) {
  process.stdout.write(`${engine} … `);
  const result = await scenario(engine);
  console.log(
    result
      ? `${result.processes} process(es): pages p95 ${result.byKind.page?.p95} ms vs one client's median ` +
          `${result.onePageAtATime.median} ms = ${result.pageP95VsOneClientMedian}× (goal ≤ ${result.goal}×: ` +
          `${result.pageP95VsOneClientMedian <= result.goal ? "met" : "NOT met"}); ${result.serverErrors.length} server errors`
      : "skipped (no PostgreSQL)",
  );
  if (result) results.push(result);
}
printTable(
  results.flatMap((r) => [
    {
      engine: r.engine,
      work: "pages, one client (floor)",
      count: r.onePageAtATime.count,
      "req/s": "",
      "p50 ms": r.onePageAtATime.median,
      "p95 ms": r.onePageAtATime.p95,
      "max ms": r.onePageAtATime.max,
      "5xx": "",
      failures: "",
    },
    {
      engine: r.engine,
      work: "all requests",
      count: r.summary.requests,
      "req/s": r.summary.perSecond,
      "p50 ms": r.summary.p50,
      "p95 ms": r.summary.p95,
      "max ms": r.summary.max,
      "5xx": r.serverErrors.length,
      failures: r.failures.length,
    },
    ...Object.entries(r.byKind).map(([kind, k]) => ({
      engine: r.engine,
      work: kind,
      count: k!.count,
      "req/s": "",
      "p50 ms": k!.p50,
      "p95 ms": k!.p95,
      "max ms": k!.max,
      "5xx": "",
      failures: "",
    })),
  ]),
);
for (const r of results)
  for (const line of [...r.serverErrors, ...r.failures].slice(0, 10)) console.log(`${r.engine}: ${line}`);
console.log(
  `written: ${writeResult("mixed-workload", { users: USERS, durationSeconds: DURATION_MS / 1000, results })}`,
);
if (results.some((r) => r.serverErrors.length || r.failures.length)) process.exit(1);
