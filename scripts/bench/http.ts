// HTTP throughput of the main pages against a trivial route (the floor), with autocannon, on the
// embedded database and on PostgreSQL. `npx tsx scripts/bench/http.ts [--quick]`
import autocannon from "autocannon";
import { HttpClient, spawnServer } from "../lib/spawn-server";
import { buildIfStale } from "../lib/build";
import { freshPostgresDatabase, printTable, QUICK, writeResult } from "./lib";

const PAGES = ["/ping", "/t/demo", "/t/demo/backlog", "/t/demo/poker", "/t/demo/sprints"];
const DURATION = QUICK ? 1 : 10;

async function benchEngine(engine: "pglite" | "postgres") {
  const pgdb = engine === "postgres" ? await freshPostgresDatabase() : null;
  if (engine === "postgres" && !pgdb) return [];
  const server = await spawnServer({
    env: { SEED_DEMO: "1", ...(pgdb ? { DATABASE_URL: pgdb.url, SESSION_SECRET: "bench-secret-bench-secret" } : {}) },
  });
  const rows: Record<string, string | number>[] = [];
  try {
    const password = /^password: (\S+)$/m.exec(server.output())?.[1] ?? "";
    const client = new HttpClient(server.url);
    await client.post("/login", { email: "demo@example.com", password });
    for (const page of PAGES) {
      const probe = await client.request(page);
      if (probe.status !== 200) continue;
      const result = await autocannon({
        url: server.url + page,
        connections: 10,
        duration: DURATION,
        headers: { cookie: client.cookie },
      });
      rows.push({
        engine,
        page,
        "req/s": Math.round(result.requests.average),
        "p50 ms": result.latency.p50,
        "p90 ms": result.latency.p90,
        "p99 ms": result.latency.p99,
        non2xx: result.non2xx,
      });
    }
  } finally {
    await server.stop();
    await pgdb?.drop();
  }
  const floor = rows.find((r) => r.page === "/ping")?.["req/s"] as number | undefined;
  for (const r of rows) r["× floor"] = floor ? (floor / (r["req/s"] as number)).toFixed(1) : "";
  return rows;
}

buildIfStale();
// --quick: the embedded database only, a second a page — enough to see every page answer.
const rows = [...(await benchEngine("pglite")), ...(QUICK ? [] : await benchEngine("postgres"))];
printTable(rows);
console.log(`written: ${writeResult("http", rows)}`);
