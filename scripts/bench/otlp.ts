// OpenTelemetry ingest into one instance, on the embedded database and on PostgreSQL:
//   - throughput: Claude Code api_request events per second through POST /otlp/v1/logs (OTLP/JSON
//     batches of BATCH events from CLIENTS concurrent exporters, each with its own ingest token);
//   - latency: from an export's POST to the `spend` event on the team's live stream, which is what
//     makes an open story page reload its figures (includes the stream's 250 ms coalescing).
// `npx tsx scripts/bench/otlp.ts [--quick]`; results in scripts/bench/results/otlp.json.
import { randomBytes } from "node:crypto";
import { HttpClient, spawnServer } from "../lib/spawn-server";
import { buildIfStale } from "../lib/build";
import { freshPostgresDatabase, percentile, printTable, QUICK, writeResult } from "./lib";

const CLIENTS = 4;
const BATCH = QUICK ? 50 : 200;
const BATCHES = QUICK ? 8 : 100;
const LATENCY_SAMPLES = QUICK ? 3 : 20;

let sequence = 0;
function batch(size: number, session: string) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [attr("service.name", "claude-code"), attr("story.id", "PAY-412")] },
        scopeLogs: [
          {
            logRecords: Array.from({ length: size }, () => ({
              timeUnixNano: String(now),
              body: { stringValue: "claude_code.api_request" },
              attributes: [
                attr("session.id", session),
                attr("event.sequence", String(++sequence)),
                attr("model", "claude-sonnet-4-6"),
                attr("input_tokens", "1200"),
                attr("output_tokens", "300"),
                attr("cost_usd", "0.0081"),
                attr("user.email", "dev@example.com"),
              ],
            })),
          },
        ],
      },
    ],
  });
}

async function token(owner: HttpClient, slug: string, name: string) {
  const res = await owner.post(`/t/${slug}/settings/tokens`, { intent: "create", name, scope: "ingest", userId: "" });
  return /tpk_[A-Za-z0-9_-]+/.exec(await res.text())![0];
}

async function benchEngine(engine: "pglite" | "postgres") {
  const pgdb = engine === "postgres" ? await freshPostgresDatabase() : null;
  if (engine === "postgres" && !pgdb) return null;
  const server = await spawnServer({
    env: pgdb ? { DATABASE_URL: pgdb.url, SESSION_SECRET: randomBytes(24).toString("hex") } : {},
  });
  try {
    const owner = new HttpClient(server.url);
    await owner.post("/signup", {
      name: "Bench",
      email: `bench-${Date.now()}@example.com`,
      password: "correct horse battery",
    });
    await owner.post("/teams/new", { name: "Bench", slug: "bench" });
    await owner.post("/t/bench/backlog/new", { intent: "create", key: "PAY-412", title: "Bench story" });
    const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => token(owner, "bench", `exporter ${i}`)));

    // Throughput: CLIENTS exporters, each sending its share of the batches one after another.
    const bodies = Array.from({ length: BATCHES }, (_, i) => batch(BATCH, `session-${i % 16}`));
    let failures = 0;
    const started = performance.now();
    await Promise.all(
      tokens.map(async (t, c) => {
        for (let i = c; i < BATCHES; i += CLIENTS) {
          const res = await fetch(`${server.url}/otlp/v1/logs`, {
            method: "POST",
            headers: { Authorization: `Bearer ${t}`, "Content-Type": "application/json" },
            body: bodies[i],
          });
          if (res.status !== 200) failures++;
          await res.arrayBuffer();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const events = BATCH * BATCHES;

    // Latency to the live stream.
    const latencies: number[] = [];
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/t/bench/spend-events`, {
      headers: { cookie: owner.cookie },
      signal: controller.signal,
    });
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    const nextSpendEvent = async () => {
      for (;;) {
        const at = buffered.indexOf("event: spend");
        if (at >= 0) {
          buffered = buffered.slice(at + 12);
          return;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffered += decoder.decode(value, { stream: true });
      }
    };
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const sent = performance.now();
      const arrived = nextSpendEvent();
      const res = await fetch(`${server.url}/otlp/v1/logs`, {
        method: "POST",
        headers: { Authorization: `Bearer ${tokens[0]}`, "Content-Type": "application/json" },
        body: batch(1, "latency"),
      });
      await res.arrayBuffer();
      await arrived;
      latencies.push(performance.now() - sent);
    }
    controller.abort();
    return {
      engine,
      events,
      batch: BATCH,
      clients: CLIENTS,
      "events/s": Math.round(events / seconds),
      failures,
      "live p50 ms": Math.round(
        percentile(
          latencies.sort((a, b) => a - b),
          50,
        ),
      ),
      "live p90 ms": Math.round(percentile(latencies, 90)),
    };
  } finally {
    await server.stop();
    await pgdb?.drop();
  }
}

buildIfStale();
const rows: Record<string, string | number>[] = [];
for (const engine of ["pglite", "postgres"] as const) {
  const row = await benchEngine(engine);
  if (row) rows.push(row);
}
printTable(rows);
console.log(`Results: ${writeResult("otlp", rows)}`);
