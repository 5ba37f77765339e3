// Poker live fan-out: 200 server-sent-event clients in 20 rooms (30 in 3 with --quick), votes cast at a steady rate, and
// the time from cast (just before the vote's POST leaves) to delivery (the first snapshot carrying
// that vote's change counter) on every client in the room. Scenarios:
//   app  · 1 instance · embedded database      app  · 1 instance · PostgreSQL
//   app  · 2 instances · PostgreSQL (clients and votes split across both; LISTEN/NOTIFY between)
//   floor: a bare node:http SSE broadcast doing one equal INSERT per vote, on each engine
// plus server memory per connected client. Prints a table, writes scripts/bench/results/poker-fanout.json.
//   npx tsx scripts/bench/poker-fanout.ts [--quick]
// Not a test: the figures depend on the machine. The goals (p95 < 50 ms on one instance, < 100 ms
// across two, within 2.5× of the floor) are printed next to them.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { buildIfStale } from "../lib/build";
import { HttpClient, spawnServer, type SpawnedServer } from "../lib/spawn-server";
import { freshPostgresDatabase, percentile, printTable, QUICK, writeResult } from "./lib";

// --quick: a quarter of the rooms and a few seconds, to see that it works, not to quote.
const ROOMS = QUICK ? 3 : 20;
const PER_ROOM = 10;
/** Votes per second over all rooms (each room votes once a second, rooms staggered). */
const RATE = ROOMS;
const DURATION_S = QUICK ? 3 : 30;
const WARMUP_VOTES = ROOMS; // one per room, not measured
/** Issue 15's goal: vote → every client in the room, p95, within this many times the floor's. */
const MAX_VS_FLOOR = 2.5;
const DIMENSIONS = {
  intensity: ["light", "standard", "frontier", "frontier-max"],
  autonomy: ["assist", "pair", "delegate", "autonomous"],
  risk: ["low", "medium", "high"],
};
type Dimension = keyof typeof DIMENSIONS;

// ---------------------------------------------------------------------------------------------------
// The floor: node:http, one INSERT per vote, broadcast a tiny event to the room. Runs as a child
// process (like the app) when this file is started with --floor-server.

async function floorServer(engine: "pglite" | "postgres", target: string) {
  let query: (text: string, params: unknown[]) => Promise<unknown>;
  if (engine === "postgres") {
    const pg = (await import("pg")).default;
    const pool = new pg.Pool({ connectionString: target, max: 10 });
    query = (text, params) => pool.query(text, params);
  } else {
    const { PGlite } = await import("@electric-sql/pglite");
    const db = new PGlite(target);
    await db.waitReady;
    query = (text, params) => db.query(text, params);
  }
  // The same row the app writes for a vote.
  await query(
    "create table if not exists floor_votes (round_id bigint, participant_id bigint, dimension text, value text, client_ts bigint, session_id bigint, team_id bigint, updated_at timestamptz default now(), primary key (round_id, participant_id, dimension))",
    [],
  );
  const rooms = new Map<number, Set<http.ServerResponse>>();
  const seqs = new Map<number, number>();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const room = Number(url.searchParams.get("room"));
    if (req.method === "GET" && url.pathname === "/events") {
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      res.write(`id: ${seqs.get(room) ?? 0}\nevent: snapshot\ndata: {}\n\n`);
      if (!rooms.has(room)) rooms.set(room, new Set());
      rooms.get(room)!.add(res);
      req.on("close", () => rooms.get(room)?.delete(res));
      return;
    }
    if (req.method === "POST" && url.pathname === "/vote") {
      const voter = Number(url.searchParams.get("voter"));
      await query(
        "insert into floor_votes (round_id, participant_id, dimension, value, client_ts, session_id, team_id) values ($1, $2, $3, $4, $5, $1, 1) on conflict (round_id, participant_id, dimension) do update set value = excluded.value, client_ts = excluded.client_ts",
        [room, voter, url.searchParams.get("dimension"), url.searchParams.get("value"), Date.now()],
      );
      const seq = (seqs.get(room) ?? 0) + 1;
      seqs.set(room, seq);
      const event = `id: ${seq}\nevent: snapshot\ndata: {"seq":${seq},"voted":${voter}}\n\n`;
      for (const client of rooms.get(room) ?? []) client.write(event);
      res.writeHead(200, { "Content-Type": "application/json" }).end(`{"seq":${seq}}`);
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(0, () => {
    const address = server.address();
    console.log(`floor serving on http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
  });
  process.on("SIGTERM", () => process.exit(0));
}

async function spawnFloor(engine: "pglite" | "postgres", target: string) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--floor-server", engine, target],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /serving on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`floor server exited with ${code}`)));
  });
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((r) =>
        child.exitCode !== null ? r() : (child.once("exit", () => r()), child.kill("SIGTERM")),
      ),
  };
}

// ---------------------------------------------------------------------------------------------------
// Clients

interface Client {
  room: number;
  /** Arrival time (performance.now) of each snapshot, by its change counter. */
  arrivals: Map<number, number>;
  firstSnapshot: Promise<string>;
  close(): void;
}

function openStream(url: string, cookie: string, room: number): Client {
  const arrivals = new Map<number, number>();
  let resolveFirst!: (data: string) => void;
  const firstSnapshot = new Promise<string>((r) => (resolveFirst = r));
  let first = true;
  let buffer = "";
  const req = http.get(url, { headers: { Cookie: cookie, Accept: "text/event-stream" }, agent: false }, (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      const at = performance.now();
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!frame.includes("event: snapshot")) continue;
        const id = Number(/^id: (\d+)/m.exec(frame)?.[1]);
        if (!arrivals.has(id)) arrivals.set(id, at);
        if (first) {
          first = false;
          resolveFirst(/^data: (.*)$/m.exec(frame)?.[1] ?? "{}");
        }
      }
    });
  });
  let closing = false;
  req.on("error", (error) => {
    if (!closing) console.error(`stream of room ${room} failed: ${error.message}`);
  });
  return {
    room,
    arrivals,
    firstSnapshot,
    close: () => {
      closing = true;
      req.destroy();
    },
  };
}

function rssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pickCard = (d: Dimension, n: number) => DIMENSIONS[d][n % DIMENSIONS[d].length]!;

interface Vote {
  room: number;
  castAt: number;
  /** When the POST's response arrived. */
  answeredAt: number;
  seq: number | null;
}

interface Target {
  /** Opens client `i` of `room` (0-based). */
  open(room: number, i: number): Client;
  /** Casts vote number `n` in `room` by client `i`; resolves with the change counter it produced. */
  cast(room: number, i: number, n: number): Promise<number | null>;
  pids: number[];
}

async function measure(name: string, target: Target) {
  const before = target.pids.map(rssKiB);
  const clients: Client[][] = [];
  for (let room = 0; room < ROOMS; room++) {
    clients.push([]);
    for (let i = 0; i < PER_ROOM; i++) clients[room]!.push(target.open(room, i));
  }
  const connected = Promise.all(clients.flat().map((c) => c.firstSnapshot));
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("clients did not all connect within 60 s")), 60_000).unref(),
  );
  await Promise.race([connected, timeout]);
  await settle(1500);
  const after = target.pids.map(rssKiB);
  const perClientKiB = (after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)) / (ROOMS * PER_ROOM);

  // Warm-up: one vote per room, not measured.
  await Promise.all(Array.from({ length: WARMUP_VOTES }, (_, r) => target.cast(r % ROOMS, 0, 0)));
  await settle(500);

  const votes: Vote[] = [];
  const total = RATE * DURATION_S;
  const interval = 1000 / RATE;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + n * interval;
    const wait = due - performance.now();
    if (wait > 0) await settle(wait);
    const room = n % ROOMS;
    const voter = Math.floor(n / ROOMS) % PER_ROOM;
    const vote: Vote = { room, castAt: performance.now(), answeredAt: NaN, seq: null };
    votes.push(vote);
    pending.push(
      target.cast(room, voter, n + 1).then(
        (seq) => {
          vote.seq = seq;
          vote.answeredAt = performance.now();
        },
        () => void (vote.seq = null),
      ),
    );
  }
  await Promise.all(pending);
  await settle(2000);

  const latencies: number[] = [];
  let missing = 0;
  let failed = 0;
  for (const vote of votes) {
    if (vote.seq === null) {
      failed++;
      continue;
    }
    for (const client of clients[vote.room]!) {
      // The first snapshot at or after the vote's change (a later one also carries it).
      let at = Infinity;
      for (const [id, t] of client.arrivals) if (id >= vote.seq && t < at) at = t;
      if (at === Infinity) missing++;
      else latencies.push(Math.max(0, at - vote.castAt));
    }
  }
  for (const c of clients.flat()) c.close();
  latencies.sort((a, b) => a - b);
  const answers = votes
    .filter((v) => v.seq !== null)
    .map((v) => v.answeredAt - v.castAt)
    .sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    scenario: name,
    clients: ROOMS * PER_ROOM,
    votes: votes.length,
    deliveries: latencies.length,
    missing,
    failedVotes: failed,
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies[latencies.length - 1] ?? NaN),
    memoryPerClientKiB: Math.round(perClientKiB),
    /** The vote's own request, cast to response (the delivery to the voter's room can come first). */
    castResponseP50: round(percentile(answers, 50)),
    castResponseP95: round(percentile(answers, 95)),
  };
}

// ---------------------------------------------------------------------------------------------------
// The app

async function setUpApp(servers: SpawnedServer[]) {
  const [first] = servers;
  const owner = new HttpClient(first!.url);
  const signup = await owner.post("/signup", {
    name: "Bench Owner",
    email: `bench-${Date.now()}@example.com`,
    password: "bench password 123",
    redirectTo: "/teams/new",
  });
  if (signup.status !== 302) throw new Error(`signup failed: ${signup.status}`);
  await owner.post("/teams/new", { name: "Bench", slug: "bench" });
  await owner.post("/t/bench/backlog/new", { intent: "paste", titles: "Benchmark story" });
  const picker = await (await owner.request("/t/bench/poker")).text();
  const storyId = /name="storyId" value="(\d+)"/.exec(picker)?.[1];
  if (!storyId) throw new Error("no story to put in the sessions");

  const rooms: { path: string; guests: { cookie: string; server: number }[]; roundId: number }[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const res = await owner.request("/t/bench/poker", {
      method: "POST",
      body: new URLSearchParams({ intent: "create", name: `Room ${r + 1}`, storyId, allowGuests: "on" }),
    });
    const location = res.headers.get("location") ?? "";
    const key = /\/poker\/join\/([\w-]+)/.exec(await (await owner.request(location)).text())?.[1];
    if (!key) throw new Error("no guest link");
    const guests = [];
    for (let i = 0; i < PER_ROOM; i++) {
      const server = i % servers.length; // two instances: half the room on each
      const guest = new HttpClient(servers[server]!.url);
      const joined = await guest.post(`/poker/join/${key}`, { name: `Guest ${r + 1}.${i + 1}` });
      if (joined.status !== 302) throw new Error(`guest join failed: ${joined.status}`);
      guests.push({ cookie: guest.cookie, server });
    }
    rooms.push({ path: location, guests, roundId: 0 });
  }
  return rooms;
}

function appTarget(servers: SpawnedServer[], rooms: Awaited<ReturnType<typeof setUpApp>>): Target {
  return {
    pids: servers.map((s) => s.process.pid!),
    open(room, i) {
      const g = rooms[room]!.guests[i]!;
      const client = openStream(`${servers[g.server]!.url}${rooms[room]!.path}/events`, g.cookie, room);
      if (i === 0)
        void client.firstSnapshot.then((data) => (rooms[room]!.roundId = JSON.parse(data).room.current.round.id));
      return client;
    },
    async cast(room, i, n) {
      const g = rooms[room]!.guests[i]!;
      // What the browser's fetcher sends: the single-fetch action endpoint, the whole card set.
      const body = new URLSearchParams({
        intent: "vote",
        roundId: String(rooms[room]!.roundId),
        intensity: pickCard("intensity", n),
        autonomy: pickCard("autonomy", n + 1),
        risk: pickCard("risk", n + 2),
        split: "",
        splitShown: "1",
        ts: String(Date.now() * 1000 + n),
      });
      const res = await fetch(`${servers[n % servers.length]!.url}${rooms[room]!.path}.data`, {
        method: "POST",
        body,
        headers: { Cookie: g.cookie },
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`vote failed: ${res.status} ${text.slice(0, 200)}`);
      // turbo-stream: [..., "seq", 123, ...]
      const seq = /"seq",(\d+)/.exec(text)?.[1];
      return seq ? Number(seq) : null;
    },
  };
}

async function appScenario(name: string, instances: 1 | 2, engine: "pglite" | "postgres") {
  const pgdb = engine === "postgres" ? await freshPostgresDatabase() : null;
  if (engine === "postgres" && !pgdb) return null;
  const env: Record<string, string> = pgdb
    ? { DATABASE_URL: pgdb.url, SESSION_SECRET: "bench-secret-bench-secret" }
    : {};
  const servers: SpawnedServer[] = [];
  try {
    for (let i = 0; i < instances; i++) servers.push(await spawnServer({ env }));
    const rooms = await setUpApp(servers);
    return await measure(name, appTarget(servers, rooms));
  } finally {
    for (const s of servers) await s.stop();
    await pgdb?.drop();
  }
}

async function floorScenario(name: string, engine: "pglite" | "postgres") {
  const pgdb = engine === "postgres" ? await freshPostgresDatabase() : null;
  if (engine === "postgres" && !pgdb) return null;
  const dir = engine === "pglite" ? fs.mkdtempSync(path.join(os.tmpdir(), "poker-floor-")) : "";
  const floor = await spawnFloor(engine, pgdb?.url ?? path.join(dir, "pglite"));
  try {
    return await measure(name, {
      pids: [floor.process.pid!],
      open: (room) => openStream(`${floor.url}/events?room=${room}`, "", room),
      async cast(room, i, n) {
        const res = await fetch(
          `${floor.url}/vote?room=${room}&voter=${i}&dimension=intensity&value=${pickCard("intensity", n)}`,
          { method: "POST" },
        );
        return ((await res.json()) as { seq: number }).seq;
      },
    });
  } finally {
    await floor.stop();
    await pgdb?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  buildIfStale();
  console.log(
    `${ROOMS * PER_ROOM} clients in ${ROOMS} rooms, ${RATE} votes/s for ${DURATION_S} s${QUICK ? " (quick)" : ""}`,
  );
  const scenarios: [string, () => Promise<Awaited<ReturnType<typeof measure>> | null>][] = [
    ["floor · pglite", () => floorScenario("floor · pglite", "pglite")],
    ["app · 1 instance · pglite", () => appScenario("app · 1 instance · pglite", 1, "pglite")],
    ["floor · postgres", () => floorScenario("floor · postgres", "postgres")],
    ["app · 1 instance · postgres", () => appScenario("app · 1 instance · postgres", 1, "postgres")],
    ["app · 2 instances · postgres", () => appScenario("app · 2 instances · postgres", 2, "postgres")],
  ];
  const results: NonNullable<Awaited<ReturnType<typeof measure>>>[] = [];
  const only = process.env.BENCH_ONLY; // e.g. BENCH_ONLY="2 instances" while investigating
  for (const [label, run] of scenarios) {
    if (only && !label.includes(only)) continue;
    // --quick checks that the app delivers on both engines; the floors and two instances wait for a full run.
    if (QUICK && !label.startsWith("app · 1 instance")) continue;
    process.stdout.write(`${label} … `);
    const result = await run();
    console.log(result ? `p95 ${result.p95} ms` : "skipped (no PostgreSQL)");
    if (result) results.push(result);
  }
  const floorOf = (scenario: string) =>
    results.find((r) => r.scenario === `floor · ${scenario.endsWith("postgres") ? "postgres" : "pglite"}`);
  const rows = results.map((r) => {
    const floor = floorOf(r.scenario);
    const goal = r.scenario.startsWith("floor") ? null : r.scenario.includes("2 instances") ? 100 : 50;
    const ratio = floor && !r.scenario.startsWith("floor") ? r.p95 / Math.max(floor.p95, 0.1) : null;
    return {
      ...r,
      goalP95: goal,
      vsFloorP95: ratio === null ? null : Math.round(ratio * 10) / 10,
      vsFloorP50: floor && ratio !== null ? Math.round((r.p50 / Math.max(floor.p50, 0.1)) * 10) / 10 : null,
      meetsGoal:
        goal === null
          ? null
          : r.p95 < goal && r.missing === 0 && r.failedVotes === 0 && (ratio === null || ratio <= MAX_VS_FLOOR),
    };
  });
  console.log();
  printTable(
    rows.map((r) => ({
      scenario: r.scenario,
      votes: r.votes,
      deliveries: r.deliveries,
      missing: r.missing,
      "p50 ms": r.p50,
      "p95 ms": r.p95,
      "p99 ms": r.p99,
      "max ms": r.max,
      "KiB/client": r.memoryPerClientKiB,
      "POST p50/p95 ms": `${r.castResponseP50}/${r.castResponseP95}`,
      "p50 / p95 vs floor": r.vsFloorP95 === null ? "" : `${r.vsFloorP50}× / ${r.vsFloorP95}×`,
      goal:
        r.goalP95 === null ? "" : `p95 < ${r.goalP95} ms, ≤ ${MAX_VS_FLOOR}× floor: ${r.meetsGoal ? "met" : "NOT met"}`,
    })),
  );
  const file = writeResult("poker-fanout", {
    rooms: ROOMS,
    perRoom: PER_ROOM,
    votesPerSecond: RATE,
    durationSeconds: DURATION_S,
    scenarios: rows,
  });
  console.log(`\nWrote ${path.relative(process.cwd(), file)}`);
  finished = true;
}

// A promise that can never settle (a stream that never answered) would let Node exit quietly with 0.
process.on("beforeExit", () => {
  if (process.argv[2] !== "--floor-server" && !finished) {
    console.error("The benchmark stopped without finishing.");
    process.exit(1);
  }
});
let finished = false;

if (process.argv[2] === "--floor-server") {
  void floorServer(process.argv[3] as "pglite" | "postgres", process.argv[4]!);
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
