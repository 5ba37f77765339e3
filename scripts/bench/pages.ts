// Page latency on the demo data, one client, one request at a time: the median of each page beside
// two floors measured in the same run — the app's /ping (the whole HTTP + Remix path, no database,
// no rendering) and a bare node:http server (nothing but the socket). Prints each page's ratio to
// /ping, and /ping's ratio to the bare floor (which must not grow: /ping stays free of cookies,
// sessions and I/O). Both engines; --quick: the embedded database and fewer requests.
//   npx tsx scripts/bench/pages.ts [--quick]
import { spawn } from "node:child_process";
import { buildIfStale } from "../lib/build";
import { HttpClient, spawnServer } from "../lib/spawn-server";
import { freshPostgresDatabase, percentile, printTable, QUICK, writeResult } from "./lib";

const ROUNDS = QUICK ? 25 : 200;
const WARMUP = QUICK ? 5 : 20;

/** A bare node:http server in a process of its own (the bench's own event loop is the client's). */
async function bareFloor(): Promise<{ url: string; stop: () => void }> {
  const code = `require("node:http").createServer((q, s) => { s.setHeader("Content-Type", "text/plain"); s.end("ok"); })
    .listen(0, "127.0.0.1", function () { console.log("port " + this.address().port); });`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** Median and p95 (ms) of `ROUNDS` sequential GETs, after a warm-up; null when the page does not answer 200. */
async function measure(client: HttpClient, url: string) {
  const probe = await client.request(url);
  await probe.arrayBuffer();
  if (probe.status !== 200) return null;
  for (let i = 0; i < WARMUP; i++) await (await client.request(url)).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    const res = await client.request(url);
    await res.arrayBuffer();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), p95: percentile(times, 95) };
}

async function benchEngine(engine: "pglite" | "postgres") {
  const pgdb = engine === "postgres" ? await freshPostgresDatabase() : null;
  if (engine === "postgres" && !pgdb) return [];
  const server = await spawnServer({
    env: { SEED_DEMO: "1", ...(pgdb ? { DATABASE_URL: pgdb.url, SESSION_SECRET: "bench-secret-bench-secret" } : {}) },
  });
  const bare = await bareFloor();
  const rows: Record<string, string | number>[] = [];
  try {
    const password = /^password: (\S+)$/m.exec(server.output())?.[1] ?? "";
    const client = new HttpClient(server.url);
    await client.post("/login", { email: "demo@example.com", password });
    const sprints = await (await client.request("/t/demo/sprints")).text();
    const sprintId = /\/t\/demo\/sprints\/(\d+)/.exec(sprints)?.[1];
    const pages: [string, string][] = [
      ["bare node:http", `${bare.url}/`],
      ["/ping", "/ping"],
      ["dashboard", "/t/demo"],
      ["poker list", "/t/demo/poker"],
      ["backlog", "/t/demo/backlog"],
      ["sprint page", sprintId ? `/t/demo/sprints/${sprintId}` : ""],
      ["spend inbox", "/t/demo/spend"],
      ["insights", "/t/demo/insights"],
      ["my spend", "/t/demo/me"],
      // The demo user is Acme's admin (issue 17: the speed goal holds for the organisation pages too).
      ["org overview", "/o/acme"],
      ["org pool", "/o/acme/pool"],
      ["org exceptions", "/o/acme/exceptions"],
      ["org reports", "/o/acme/reports"],
      ["org bill", "/o/acme/bill"],
    ];
    let ping = NaN;
    let floor = NaN;
    for (const [name, url] of pages) {
      if (!url) continue;
      const m = await measure(url.startsWith("http") ? new HttpClient(url) : client, url);
      if (!m) {
        rows.push({ engine, page: name, "median ms": "not 200", "p95 ms": "", "× /ping": "", "/ping ms": "" });
        continue;
      }
      if (name === "bare node:http") floor = m.median;
      if (name === "/ping") ping = m.median;
      rows.push({
        engine,
        page: name,
        "median ms": m.median.toFixed(2),
        "p95 ms": m.p95.toFixed(2),
        "× /ping": name === "bare node:http" ? "" : (m.median / ping).toFixed(1),
        "/ping ms": name === "bare node:http" ? "" : ping.toFixed(2),
        "× bare": (m.median / floor).toFixed(1),
      });
    }
  } finally {
    bare.stop();
    await server.stop();
    await pgdb?.drop();
  }
  return rows;
}

buildIfStale();
console.log(`${ROUNDS} sequential requests per page after ${WARMUP} to warm up, one client${QUICK ? " (quick)" : ""}`);
const rows = [
  ...(await benchEngine("pglite")),
  ...(QUICK && !process.env.BENCH_POSTGRES ? [] : await benchEngine("postgres")),
];
printTable(rows);
console.log(`written: ${writeResult("pages", { rounds: ROUNDS, rows })}`);
