// The team's rate card as a table: one row per model and price date, newest price first, marked
// with which price is in force today.
import { DataTable, defineColumns } from "~/components/ui/data-table";
import { formatUsd } from "~/domain/credits";

export interface RateRow {
  id: number;
  modelId: string;
  provider: string | null;
  tier: string | null;
  aliases: string[];
  inputUsdPerMtok: number;
  cacheReadUsdPerMtok: number | null;
  cacheWriteUsdPerMtok: number | null;
  outputUsdPerMtok: number;
  effectiveFrom: string | null;
  state: "in-force" | "upcoming" | "superseded";
}

const price = (v: number | null) =>
  v === null ? (
    <span className="muted" title="Priced as input">
      as input
    </span>
  ) : (
    formatUsd(v)
  );

const STATE: Record<RateRow["state"], { label: string; className: string }> = {
  "in-force": { label: "in force", className: "badge badge-ok" },
  upcoming: { label: "upcoming", className: "badge badge-info" },
  superseded: { label: "superseded", className: "badge" },
};

const columns = defineColumns<RateRow>((col) => [
  col.accessor("modelId", {
    header: "Model",
    cell: (info) => {
      const r = info.row.original;
      return (
        <div className="rate-model">
          <code>{r.modelId}</code>
          {r.provider || r.tier ? (
            <span className="muted"> {[r.provider, r.tier].filter(Boolean).join(" · ")}</span>
          ) : null}
          {r.aliases.length ? <div className="rate-aliases">{r.aliases.join(", ")}</div> : null}
        </div>
      );
    },
    meta: { rowHeader: true },
  }),
  col.accessor("inputUsdPerMtok", { header: "Input", cell: (i) => price(i.getValue()), meta: { align: "end" } }),
  col.accessor("cacheReadUsdPerMtok", {
    header: "Cached input",
    cell: (i) => price(i.getValue()),
    meta: { align: "end" },
  }),
  col.accessor("cacheWriteUsdPerMtok", {
    header: "Cache write",
    cell: (i) => price(i.getValue()),
    meta: { align: "end" },
  }),
  col.accessor("outputUsdPerMtok", { header: "Output", cell: (i) => price(i.getValue()), meta: { align: "end" } }),
  col.accessor("effectiveFrom", {
    header: "From",
    cell: (i) => i.getValue() ?? <span className="muted">the beginning</span>,
    meta: { className: "nowrap" },
  }),
  col.accessor("state", {
    header: "Status",
    cell: (i) => {
      const state = STATE[i.row.original.state];
      return <span className={state.className}>{state.label}</span>;
    },
  }),
]);

export function RatesTable({ rates }: { rates: RateRow[] }) {
  return (
    <div className="table-wrap">
      <DataTable
        caption="Rate card, USD per million tokens"
        columns={columns}
        data={rates}
        getRowId={(r) => String(r.id)}
        empty={<p>No models on the rate card yet.</p>}
        className="rates-table"
      />
    </div>
  );
}
