// A long first line arriving in tiny chunks (a slow upload, a pipe) must cost about what the same
// line costs in one piece: the spend parser keeps no quadratic re-scan of its buffer. The floor is
// the same text parsed as one chunk, in the same run. (This timing used to be a limit in a unit
// test; timing goals live here.)
import fs from "node:fs";
import { collectSpend } from "../../app/domain/spend/parse";
import { rateCardFromJson } from "../../app/domain/spend/rate-card";
import { printTable, QUICK, writeResult } from "./lib";

const rateCard = rateCardFromJson(JSON.parse(fs.readFileSync("app/data/rate-card.json", "utf8")));
const length = QUICK ? 100_000 : 300_000;
const line = JSON.stringify({ type: "user", message: { content: "x".repeat(length) } });

async function median(run: () => Promise<unknown>, times = 5): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

const whole = await median(() => collectSpend([line], { rateCard }));
const tiny = await median(() => collectSpend(line.match(/[^]{1,3}/g) ?? [], { rateCard }));
const rows = [
  {
    case: `one ${length.toLocaleString("en-US")}-character line, one chunk (floor)`,
    "median ms": whole.toFixed(1),
    "× floor": "1.0",
  },
  { case: "the same line in 3-character chunks", "median ms": tiny.toFixed(1), "× floor": (tiny / whole).toFixed(1) },
];
printTable(rows);
writeResult("parse-chunks", { length, wholeMs: whole, tinyChunksMs: tiny, ratio: tiny / whole });
