// JavaScript each page makes the browser download (gzip), from the production build; the poker room
// has a budget of 150 KB. `npx tsx scripts/bench/client-size.ts`
import { buildIfStale } from "../lib/build";
import { pageJavaScript } from "../lib/client-size";
import { printTable, writeResult } from "./lib";

const POKER_ROOM_BUDGET_KB = 150;

buildIfStale();
const pages = await pageJavaScript();
const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;
printTable(
  pages.map((p) => ({
    page: p.routeId.replace(/^routes\//, ""),
    files: p.files,
    KB: kb(p.rawBytes),
    "KB gzip": kb(p.gzipBytes),
  })),
);
const poker = pages.find((p) => p.routeId === "routes/t.$team_.poker.$id");
console.log(`\nPoker room: ${poker ? kb(poker.gzipBytes) : "?"} KB gzip (budget ${POKER_ROOM_BUDGET_KB} KB)`);
console.log(
  `written: ${writeResult("client-size", { budgetKB: POKER_ROOM_BUDGET_KB, pages: pages.map((p) => ({ ...p, gzipKB: kb(p.gzipBytes) })) })}`,
);
if (!poker || poker.gzipBytes > POKER_ROOM_BUDGET_KB * 1024) process.exit(1);
