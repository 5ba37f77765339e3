// Two builds of the app on one PostgreSQL database, measured in the same run: for a change whose
// effect must be told apart from the shared machine's noise. Each round asks every page of both
// servers once, in turn, so load from elsewhere falls on both alike.
// It is a tool, not a benchmark: it lives outside scripts/bench/, whose every file `npm run bench` runs.
//   npx tsx scripts/side-by-side.ts --before <checkout with a build> --db <url> \
//     (--login <email>:<password> | --demo) [--samples 60] <path>…
// --demo: the current build seeds the demo into the (empty) database first and signs in as its owner.
// A kept retro bench database (BENCH_KEEP=1 npx tsx scripts/bench/retro.ts) has the login
// bench@example.com:bench password 123 and its pages under /t/bench. Both servers must share the
// session secret (they do here), so one sign-in serves both.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { HttpClient } from "./lib/spawn-server";
import { percentile, printTable } from "./bench/lib";

const { values, positionals } = parseArgs({
  options: {
    before: { type: "string" },
    db: { type: "string" },
    login: { type: "string" },
    demo: { type: "boolean", default: false },
    samples: { type: "string", default: "60" },
  },
  allowPositionals: true,
});
if (!values.before || !values.db || (!values.login && !values.demo) || !positionals.length) {
  console.error("usage: side-by-side.ts --before <dir> --db <url> (--login <email>:<password> | --demo) <path>…");
  process.exit(2);
}
const SECRET = "bench-secret-bench-secret-bench";

async function serve(cwd: string, seedDemo = false) {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/server.ts"], {
    cwd,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      SEED_DEMO: seedDemo ? "1" : "0",
      WEB_CONCURRENCY: "1",
      DATABASE_URL: values.db,
      SESSION_SECRET: SECRET,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    child.stdout.on("data", () => {
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { url, output: () => output, stop: () => child.kill("SIGTERM") };
}

// The current build first: it migrates (and seeds the demo) before the other one starts.
const after = await serve(process.cwd(), values.demo);
for (let i = 0; values.demo && i < 600 && !/^password: \S+$/m.test(after.output()); i++)
  await new Promise((r) => setTimeout(r, 100));
const servers = { before: await serve(path.resolve(values.before)), after };
try {
  const [email, password] = values.demo
    ? ["demo@example.com", /^password: (\S+)$/m.exec(after.output())?.[1] ?? ""]
    : (values.login!.split(/:(.*)/s) as [string, string]);
  const signIn = new HttpClient(servers.after.url);
  const res = await signIn.post("/login", { email, password, redirectTo: "/" });
  if (res.status !== 302) throw new Error(`login: ${res.status}`);
  const clients = Object.fromEntries(
    Object.entries(servers).map(([name, s]) => {
      const c = new HttpClient(s.url);
      c.cookie = signIn.cookie;
      return [name, c];
    }),
  ) as Record<keyof typeof servers, HttpClient>;
  const samples = Number(values.samples);
  const times = new Map<string, number[]>();
  const ask = async (name: keyof typeof servers, p: string) => {
    const t0 = performance.now();
    const r = await clients[name].request(p);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${name} ${p}: ${r.status}`);
    return performance.now() - t0;
  };
  for (const p of positionals)
    for (const name of ["before", "after"] as const) for (let i = 0; i < 3; i++) await ask(name, p);
  const loadBefore = os.loadavg();
  for (let i = 0; i < samples; i++) {
    for (const p of positionals) {
      for (const name of ["before", "after"] as const) {
        const key = `${name} ${p}`;
        times.set(key, [...(times.get(key) ?? []), await ask(name, p)]);
      }
    }
  }
  const loadAfter = os.loadavg();
  const stats = (key: string) => {
    const ts = [...times.get(key)!].sort((a, b) => a - b);
    return { p50: percentile(ts, 50), p95: percentile(ts, 95) };
  };
  const ping = { before: stats("before /ping"), after: stats("after /ping") };
  printTable(
    positionals.map((p) => {
      const b = stats(`before ${p}`);
      const a = stats(`after ${p}`);
      return {
        page: p,
        "before p50 ms": Number(b.p50.toFixed(1)),
        "after p50 ms": Number(a.p50.toFixed(1)),
        "before p95 ms": Number(b.p95.toFixed(1)),
        "after p95 ms": Number(a.p95.toFixed(1)),
        "before × ping p95": Number((b.p95 / ping.before.p95).toFixed(1)),
        "after × ping p95": Number((a.p95 / ping.after.p95).toFixed(1)),
      };
    }),
  );
  console.log(
    `${samples} samples a page a server; load average (1/5/15 min): before ${loadBefore.map((x) => x.toFixed(1)).join(" ")}, after ${loadAfter.map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores`,
  );
} finally {
  servers.before.stop();
  servers.after.stop();
}
