import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface SpawnedServer {
  url: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** kill -9: no shutdown code runs, as in a crash; resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * A fresh embedded database folder costs PGlite's initdb and every migration: seconds of CPU at
 * each start. Tests and benchmarks start dozens of servers, so the first one makes a migrated
 * folder once (per migration set and PGlite version) and the others start on a copy of it.
 */
async function migratedTemplate(): Promise<string> {
  const hash = createHash("sha256");
  for (const file of fs.readdirSync("db/migrations").sort())
    hash.update(file).update(fs.readFileSync(path.join("db/migrations", file)));
  hash.update(fs.readFileSync("node_modules/@electric-sql/pglite/package.json"));
  const template = path.join(os.tmpdir(), `token-poker-template-${hash.digest("hex").slice(0, 16)}`);
  const folder = path.join(template, "pglite");
  if (fs.existsSync(path.join(folder, "PG_VERSION"))) return folder;
  const work = fs.mkdtempSync(`${template}-making-`);
  const server = await spawnServer({ dataDir: work });
  await server.stop();
  fs.rmSync(path.join(work, "pglite.lock"), { force: true });
  try {
    fs.renameSync(work, template);
  } catch {
    fs.rmSync(work, { recursive: true, force: true }); // another process made it meanwhile
  }
  return folder;
}

/** Starts the built server on a fresh embedded database (or `env.DATABASE_URL`) on a free port. */
export async function spawnServer(
  options: { env?: Record<string, string>; dataDir?: string; nodeArgs?: string[]; entry?: string } = {},
): Promise<SpawnedServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "token-poker-"));
  if (!options.dataDir && !options.env?.DATABASE_URL)
    fs.cpSync(await migratedTemplate(), path.join(dataDir, "pglite"), { recursive: true });
  const entry = options.entry ?? "scripts/server.ts";
  // A bundle (build/server.mjs, what `npm start` runs) needs no TypeScript loader.
  const loader = entry.endsWith(".mjs") ? [] : ["--import", "tsx"];
  const args = [...(options.nodeArgs ?? []), ...loader, entry];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      DATABASE_URL: "",
      NODE_ENV: "production",
      PORT: "0",
      SEED_DEMO: "0",
      // One process unless a test asks for a cluster (scripts/cluster.ts): kill -9 and restarts
      // in the system tests mean one process.
      WEB_CONCURRENCY: "1",
      PGLITE_DIR: path.join(dataDir, "pglite"),
      ...options.env,
    },
    stdio: [options.entry ? "pipe" : "ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = () => {
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    dataDir,
    process: child,
    output: () => output,
    stop: (signal = "SIGTERM") =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill(signal);
      }),
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

/** A tiny cookie-keeping HTTP client for tests that talk to the server without a browser. */
export class HttpClient {
  cookie = "";
  constructor(readonly baseUrl: string) {}

  async request(pathname: string, init: RequestInit & { form?: Record<string, string> } = {}) {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set("Cookie", this.cookie);
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form);
      headers.set("Content-Type", "application/x-www-form-urlencoded");
    }
    const res = await fetch(new URL(pathname, this.baseUrl), { ...init, body, headers, redirect: "manual" });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0]!;
    return res;
  }

  post(pathname: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.request(pathname, { method: "POST", form, headers });
  }
}
