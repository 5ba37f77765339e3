import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const QUICK = process.argv.includes("--quick");
export const RESULTS_DIR = path.resolve("scripts/bench/results");

/** The machine the figures came from, printed and stored with every result. */
export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
  };
}

export function writeResult(name: string, result: unknown) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  // A quick run's figures are for seeing that it works; they never replace a full run's.
  const file = path.join(RESULTS_DIR, QUICK ? `${name}.quick.json` : `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ machine: machine(), quick: QUICK, result }, null, 2) + "\n");
  return file;
}

export { percentile } from "../lib/percentile";

export function printTable(rows: Record<string, string | number>[]) {
  if (!rows.length) return;
  const headers = Object.keys(rows[0]!);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(line(headers));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(headers.map((h) => String(r[h] ?? ""))));
}

export { freshPostgresDatabase } from "../lib/fresh-database";
