// 200 simulated users for 60 s (--quick: 100 for 3 s, embedded only) on the embedded database and on PostgreSQL:
// poker guests voting on live streams, facilitators revealing, readers opening pages, writers
// changing the backlog, tools posting spend (see scripts/lib/mixed-workload.ts). Prints p50/p95/max
// by kind of work and the count of server errors; writes scripts/bench/results/mixed-workload.json.
//   npx tsx scripts/bench/mixed-workload.ts [--quick]      (BENCH_USERS=… to try another crowd)
import { buildIfStale } from "../lib/build";
import { runMixedWorkload, setUpWorkloadTeam } from "../lib/mixed-workload";
import { spawnServer } from "../lib/spawn-server";
import { freshPostgresDatabase, printTable, QUICK, writeResult } from "./lib";

const USERS = Number(process.env.BENCH_USERS ?? (QUICK ? 100 : 200));
const DURATION_MS = (QUICK ? 3 : 60) * 1000;

async function scenario(engine: "pglite" | "postgres") {
  const pgdb = engine === "postgres" ? await freshPostgresDatabase() : null;
  if (engine === "postgres" && !pgdb) return null;
  const server = await spawnServer({
    env: pgdb ? { DATABASE_URL: pgdb.url, SESSION_SECRET: "bench-secret-bench-secret" } : {},
  });
  try {
    const team = await setUpWorkloadTeam(server.url);
    return { engine, ...(await runMixedWorkload(server.url, team, { users: USERS, durationMs: DURATION_MS })) };
  } finally {
    await server.stop();
    await pgdb?.drop();
  }
}

buildIfStale();
console.log(`${USERS} simulated users for ${DURATION_MS / 1000} s${QUICK ? " (quick)" : ""}`);
const results = [];
// --quick: the embedded database only (the suite runs both engines for 8 s each anyway).
for (const engine of QUICK ? (["pglite"] as const) : (["pglite", "postgres"] as const)) {
  process.stdout.write(`${engine} … `);
  const result = await scenario(engine);
  console.log(
    result ? `p95 ${result.summary.p95} ms, ${result.serverErrors.length} server errors` : "skipped (no PostgreSQL)",
  );
  if (result) results.push(result);
}
printTable(
  results.flatMap((r) => [
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
