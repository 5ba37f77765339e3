// The sprint list: the generic DataTable with this feature's columns. Rows come sorted from the
// server (newest first); headline figures are capacity, committed (on the sprint's basis) and
// actual spend, with a small bar so a glance tells which sprints ran hot.
import { Link } from "@remix-run/react";
import { DataTable, defineColumns } from "~/components/ui/data-table";
import { POLICY_LABELS, type SprintSummary } from "~/domain/sprint";
import { formatDayRange } from "~/domain/dates";
import { SprintStatusBadge } from "~/components/sprints/sprint-status-badge";
import { formatCredits } from "~/domain/credits";

function Ratio({ value, of }: { value: number; of: number }) {
  if (of <= 0) return null;
  const pct = Math.round((value / of) * 100);
  return <span className={pct > 100 ? "ratio ratio-over" : pct >= 90 ? "ratio ratio-warn" : "ratio"}>{pct} %</span>;
}

const columns = defineColumns<SprintSummary>((col) => [
  col.accessor("name", {
    id: "name",
    header: "Sprint",
    cell: (info) => (
      <span className="sprint-name-cell">
        <Link to={String(info.row.original.id)}>{info.getValue()}</Link>
        {info.row.original.goal ? <span className="muted sprint-goal">{info.row.original.goal}</span> : null}
      </span>
    ),
    meta: { rowHeader: true },
  }),
  col.accessor("status", {
    id: "status",
    header: "Status",
    cell: (info) => <SprintStatusBadge status={info.getValue()} />,
  }),
  col.accessor("start", {
    id: "dates",
    header: "Dates",
    cell: (info) => <span className="nowrap">{formatDayRange(info.row.original.start, info.row.original.end)}</span>,
  }),
  col.accessor("capacity", {
    id: "capacity",
    header: "Capacity",
    cell: (info) => (
      <span title={`${formatCredits(info.row.original.available)} available after the reserve`}>
        {formatCredits(info.getValue())}
        <span className="muted cell-sub">{formatCredits(info.row.original.available)} available</span>
      </span>
    ),
    meta: { align: "end" },
  }),
  col.accessor("committed", {
    id: "committed",
    header: "Committed",
    cell: (info) => {
      const r = info.row.original;
      return (
        <span>
          {formatCredits(info.getValue())} <Ratio value={info.getValue()} of={r.available} />
          <span className="muted cell-sub">
            {r.storyCount} {r.storyCount === 1 ? "story" : "stories"}
            {r.basis === "p80" ? " · p80" : ""}
            {r.unestimatedCount ? ` · ${r.unestimatedCount} unknown` : ""}
          </span>
        </span>
      );
    },
    meta: { align: "end" },
  }),
  col.accessor("actual", {
    id: "actual",
    header: "Actual",
    cell: (info) => (
      // One line: the figure and its share of what was available read together.
      <span className="nowrap">
        {formatCredits(info.getValue())} <Ratio value={info.getValue()} of={info.row.original.available} />
      </span>
    ),
    meta: { align: "end" },
  }),
  col.accessor("policy", {
    id: "policy",
    header: "When full",
    cell: (info) => <span className="nowrap">{POLICY_LABELS[info.getValue() as SprintSummary["policy"]]}</span>,
  }),
]);

export function SprintTable({ sprints }: { sprints: SprintSummary[] }) {
  return (
    <div className="table-wrap">
      <DataTable
        columns={columns}
        data={sprints}
        getRowId={(r) => String(r.id)}
        caption="Sprints, newest first"
        className="sprint-table"
      />
    </div>
  );
}
