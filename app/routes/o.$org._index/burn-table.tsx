// Per team: can it still spend this month? Allocation against actual spend, committed work from
// the sprint plans (expected and p80) and the projection to month end. Team totals only: there is
// no per-person column at organisation level.
import { DataTable, defineColumns } from "~/components/ui/data-table";
import { formatCredits } from "~/domain/capacity";
import type { CostCenterRow, TeamBurnRow } from "./queries.server";

const STATUS: Record<TeamBurnRow["status"], { label: string; badge: string }> = {
  ok: { label: "Can spend", badge: "badge badge-ok" },
  risk: { label: "Runs short", badge: "badge badge-warn" },
  over: { label: "Allocation used", badge: "badge badge-danger" },
};

const credits = (v: number | null) => (v === null ? "—" : formatCredits(v));

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
  col.accessor("allocation", {
    id: "allocation",
    header: "Allocation",
    cell: (i) => credits(i.getValue()),
    meta: { align: "end" },
  }),
  col.accessor("spent", { id: "spent", header: "Spent", cell: (i) => credits(i.getValue()), meta: { align: "end" } }),
  col.accessor("remaining", {
    id: "remaining",
    header: "Remaining",
    cell: (i) => (
      <span style={i.getValue() < 0 ? { color: "var(--danger-text)" } : undefined}>{credits(i.getValue())}</span>
    ),
    meta: { align: "end" },
  }),
  col.accessor("committedExpected", {
    id: "expected",
    header: "Committed (expected)",
    cell: (i) => credits(i.getValue()),
    meta: { align: "end" },
  }),
  col.accessor("committedP80", {
    id: "p80",
    header: "Committed (p80)",
    cell: (i) => credits(i.getValue()),
    meta: { align: "end" },
  }),
  col.accessor("projectedMonthEnd", {
    id: "projected",
    header: "Projected month end",
    cell: (i) => credits(i.getValue()),
    meta: { align: "end" },
  }),
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
    <div className="table-wrap">
      <DataTable
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
  col.accessor("allocation", {
    id: "allocation",
    header: "Allocated",
    cell: (i) => credits(i.getValue()),
    meta: { align: "end" },
  }),
  col.accessor("spent", { id: "spent", header: "Spent", cell: (i) => credits(i.getValue()), meta: { align: "end" } }),
  col.accessor("remaining", {
    id: "remaining",
    header: "Remaining",
    cell: (i) => credits(i.getValue()),
    meta: { align: "end" },
  }),
  col.accessor("committedExpected", {
    id: "expected",
    header: "Committed (expected)",
    cell: (i) => credits(i.getValue()),
    meta: { align: "end" },
  }),
  col.accessor("committedP80", {
    id: "p80",
    header: "Committed (p80)",
    cell: (i) => credits(i.getValue()),
    meta: { align: "end" },
  }),
  col.accessor("projectedMonthEnd", {
    id: "projected",
    header: "Projected month end",
    cell: (i) => credits(i.getValue()),
    meta: { align: "end" },
  }),
]);

export function CostCenterTable({ rows }: { rows: CostCenterRow[] }) {
  if (!rows.length) return null;
  return (
    <div className="table-wrap">
      <DataTable columns={centerColumns} data={rows} getRowId={(r) => r.id} caption="Cost centers this month" />
    </div>
  );
}
