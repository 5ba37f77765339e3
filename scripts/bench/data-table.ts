// The generic table's server render (app/components/ui/data-table.tsx) beside its floor: the same
// markup written out by hand, rendered by the same React in the same run. 3, 50 and 1,000 rows of
// five columns (an org overview table, an inbox page, a long backlog). Run under tsx, TanStack
// Table is not bundled here, so it reads process.env in each memo as the production bundle does
// not (vite.config.ts): these ratios are a little above the built server's.
//   npx tsx scripts/bench/data-table.ts [--quick]
import { percentile, printTable, QUICK, writeResult } from "./lib";

// React and TanStack Table pick their production code from NODE_ENV as they load.
process.env.NODE_ENV = "production";
const { createElement: h } = await import("react");
const { renderToString } = await import("react-dom/server");
const { DataTable, defineColumns } = await import("~/components/ui/data-table");

type Row = { id: number; key: string; title: string; status: string; size: string; credits: number };
const columns = defineColumns<Row>((col) => [
  col.accessor("key", { header: "Key", meta: { rowHeader: true } }),
  col.accessor("title", { header: "Title" }),
  col.accessor("status", { header: "Status" }),
  col.accessor("size", { header: "Size" }),
  col.accessor("credits", { header: "Credits", meta: { align: "end" } }),
]);
const HEADERS = ["Key", "Title", "Status", "Size", "Credits"];

/** The floor: the table's markup without the table library. */
function handWritten({ rows }: { rows: Row[] }) {
  return h(
    "table",
    { className: "data-table" },
    h("caption", { className: "sr-only" }, "Stories"),
    h("thead", null, h("tr", null, ...HEADERS.map((t) => h("th", { key: t, scope: "col" }, t)))),
    h(
      "tbody",
      null,
      ...rows.map((r) =>
        h(
          "tr",
          { key: r.id },
          h("th", { scope: "row" }, r.key),
          h("td", null, r.title),
          h("td", null, r.status),
          h("td", null, r.size),
          h("td", { className: "num" }, r.credits),
        ),
      ),
    ),
  );
}

function medianMs(render: () => string, rounds: number) {
  for (let i = 0; i < Math.max(5, rounds / 10); i++) render();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    render();
    times.push(performance.now() - started);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

const results: Record<string, string | number>[] = [];
for (const count of [3, 50, 1000]) {
  const rows: Row[] = Array.from({ length: count }, (_, i) => ({
    id: i,
    key: `PAY-${i}`,
    title: `Story ${i}`,
    status: "estimated",
    size: "M",
    credits: i * 3.5,
  }));
  const rounds = (QUICK ? 20 : 200) * (count >= 1000 ? 0.2 : 1);
  const floor = medianMs(() => renderToString(h(handWritten, { rows })), rounds);
  const table = medianMs(
    () =>
      renderToString(
        h(DataTable<Row>, {
          caption: "Stories",
          columns,
          data: rows,
          getRowId: (r) => String(r.id),
          sorting: [{ id: "key", desc: false }],
          sortHref: () => "?sort=key",
        }),
      ),
    rounds,
  );
  results.push({
    rows: count,
    "hand-written ms": floor.toFixed(3),
    "DataTable ms": table.toFixed(3),
    "× hand-written": (table / floor).toFixed(1),
  });
}
printTable(results);
console.log(`written: ${writeResult("data-table", results)}`);
