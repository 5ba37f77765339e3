// Per team: can it still spend this month? Allocation against actual spend, committed work from
// the sprint plans (expected and p80) and the projection to month end. Team totals only: there is
// no per-person column at organisation level.
//
// Both tables fit a 1280 px screen with every column (the team table was 1,206 px in 1,102 and hid
// "Lasts"): headers are short and may wrap to two lines, credits drop the decimal from 1,000 up.
// On a phone the tables scroll inside their region with the name column held.
import type { ColumnHelper } from "@tanstack/react-table";
import { DataTable, defineColumns, type DataTableColumn, type DataTableFeatures } from "~/components/ui/data-table";
import { formatCredits } from "~/domain/credits";
import type { CostCenterRow, TeamBurnRow } from "./queries.server";

const STATUS: Record<TeamBurnRow["status"], { label: string; badge: string }> = {
  ok: { label: "Can spend", badge: "badge badge-ok" },
  risk: { label: "Runs short", badge: "badge badge-warn" },
  over: { label: "Allocation used", badge: "badge badge-danger" },
};

/** Whole credits from 1,000 up: a tenth of a credit says nothing beside thousands. */
const credits = (v: number | null) =>
  v === null ? "—" : Math.abs(v) >= 1000 ? formatCredits(Math.round(v)) : formatCredits(v);

type Figures = Pick<
  TeamBurnRow,
  "allocation" | "spent" | "remaining" | "committedExpected" | "committedP80" | "projectedMonthEnd"
>;

/** The month's figures, the same for a team and a cost center. */
function figureColumns<T extends Figures>(
  col: ColumnHelper<DataTableFeatures, T>,
  allocationHeader: string,
): DataTableColumn<T>[] {
  const end = { align: "end" as const };
  return [
    col.accessor((r) => r.allocation, {
      id: "allocation",
      header: allocationHeader,
      cell: (i) => credits(i.getValue()),
      meta: end,
    }),
    col.accessor((r) => r.spent, { id: "spent", header: "Spent", cell: (i) => credits(i.getValue()), meta: end }),
    col.accessor((r) => r.remaining, {
      id: "remaining",
      header: "Left",
      cell: (i) => (
        <span style={i.getValue() < 0 ? { color: "var(--danger-text)" } : undefined}>{credits(i.getValue())}</span>
      ),
      meta: end,
    }),
    col.accessor((r) => r.committedExpected, {
      id: "expected",
      header: "Committed, expected",
      cell: (i) => credits(i.getValue()),
      meta: end,
    }),
    col.accessor((r) => r.committedP80, {
      id: "p80",
      header: "Committed, p80",
      cell: (i) => credits(i.getValue()),
      meta: end,
    }),
    col.accessor((r) => r.projectedMonthEnd, {
      id: "projected",
      header: "Projected month end",
      cell: (i) => credits(i.getValue()),
      meta: end,
    }),
  ];
}

const teamColumns = defineColumns<TeamBurnRow>((col) => [
  col.accessor("name", { id: "team", header: "Team", meta: { rowHeader: true } }),
  col.accessor("status", {
    id: "status",
    header: "This month",
    cell: (info) => {
      const s = STATUS[info.getValue() as TeamBurnRow["status"]];
      return (
        <span className="nowrap">
          <span className={s.badge}>{s.label}</span>
          {info.row.original.alert ? <span className="muted"> {info.row.original.alert} %</span> : null}
        </span>
      );
    },
  }),
  ...figureColumns(col, "Allocation"),
  col.accessor("runOutDate", {
    id: "runOut",
    header: "Allocation lasts",
    cell: (i) => (
      <span className="nowrap" title={i.row.original.runOut}>
        {i.getValue() === null ? "the month" : `to ${i.getValue()!.slice(5)}`}
      </span>
    ),
  }),
]);

export function TeamBurnTable({ rows }: { rows: TeamBurnRow[] }) {
  return (
    <div className="table-wrap table-wrap-sticky">
      <DataTable
        className="burn-table"
        columns={teamColumns}
        data={rows}
        getRowId={(r) => r.id}
        caption="Teams this month"
        empty={<p className="muted">No team has joined the organisation yet.</p>}
      />
    </div>
  );
}

const centerColumns = defineColumns<CostCenterRow>((col) => [
  col.accessor("name", { id: "name", header: "Cost center", meta: { rowHeader: true } }),
  col.accessor("cap", {
    id: "cap",
    header: "Cap",
    cell: (i) => (i.getValue() === null ? "none" : credits(i.getValue())),
    meta: { align: "end" },
  }),
  ...figureColumns(col, "Allocated"),
]);

export function CostCenterTable({ rows }: { rows: CostCenterRow[] }) {
  if (!rows.length) return null;
  return (
    <div className="table-wrap table-wrap-sticky">
      <DataTable
        className="burn-table"
        columns={centerColumns}
        data={rows}
        getRowId={(r) => r.id}
        caption="Cost centers this month"
      />
    </div>
  );
}
