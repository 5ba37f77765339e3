// The Unattributed inbox: spend entries no story claims yet, in the generic DataTable with row
// selection. The checkboxes belong to the assign form (by id), so a bulk assignment works before
// JavaScript loads; with it, the selection is kept in state and counted on the button.
import { DataTable, defineColumns, type RowSelectionState, type SortingState } from "~/components/ui/data-table";
import { formatDay } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export interface InboxEntry {
  id: number;
  day: string;
  source: string;
  model: string | null;
  externalUser: string | null;
  memberName: string | null;
  sessionId: string | null;
  repository: string | null;
  tokens: number;
  credits: number | null;
}

const columns = defineColumns<InboxEntry>((col) => [
  col.accessor("day", {
    id: "day",
    header: "Date",
    cell: (info) => formatDay(info.getValue()),
    sortDescFirst: true,
    meta: { rowHeader: true, className: "nowrap" },
  }),
  col.accessor("source", {
    id: "source",
    header: "Source",
    enableSorting: false,
    cell: (i) => <span className="badge">{i.getValue()}</span>,
    meta: { className: "nowrap" },
  }),
  col.accessor("model", {
    id: "model",
    header: "Model",
    cell: (i) => i.getValue() ?? <span className="muted">—</span>,
  }),
  // Who, as context for finding the right story; never a sort key (no ranking of people).
  col.accessor((e) => e.memberName ?? e.externalUser, {
    id: "who",
    header: "Who",
    enableSorting: false,
    cell: (i) => {
      const e = i.row.original;
      if (e.memberName) return e.memberName;
      if (e.externalUser) return <span title="Not mapped to a member yet (Identities tab)">{e.externalUser}</span>;
      return <span className="muted">—</span>;
    },
  }),
  col.accessor("repository", {
    id: "repository",
    header: "Repository",
    cell: (i) => i.getValue() ?? <span className="muted">—</span>,
  }),
  col.accessor("sessionId", {
    id: "session",
    header: "Session",
    enableSorting: false,
    cell: (i) => {
      const s = i.getValue();
      return s ? <code title={s}>{s.length > 10 ? `${s.slice(0, 8)}…` : s}</code> : <span className="muted">—</span>;
    },
    meta: { className: "nowrap" },
  }),
  col.accessor("tokens", {
    id: "tokens",
    header: "Tokens",
    enableSorting: false,
    cell: (i) => (i.getValue() ? i.getValue().toLocaleString("en-US") : <span className="muted">—</span>),
    meta: { align: "end", className: "nowrap" },
  }),
  col.accessor("credits", {
    id: "credits",
    header: "Credits",
    sortDescFirst: true,
    cell: (i) =>
      i.getValue() === null ? <span className="badge badge-warn">unpriced</span> : formatCredits(i.getValue()),
    meta: { align: "end", className: "nowrap" },
  }),
]);

export function InboxTable(props: {
  entries: InboxEntry[];
  sorting: SortingState;
  sortHref: (next: SortingState) => string;
  selection?: RowSelectionState;
  onSelectionChange?: (next: RowSelectionState) => void;
  formId?: string;
  empty: React.ReactNode;
}) {
  return (
    <DataTable
      caption="Unattributed spend entries"
      columns={columns}
      data={props.entries}
      getRowId={(e) => String(e.id)}
      sorting={props.sorting}
      sortHref={props.sortHref}
      rowSelection={props.selection}
      onRowSelectionChange={props.onSelectionChange}
      getRowLabel={(e) => `${formatDay(e.day)} ${e.model ?? ""} ${formatCredits(e.credits)} credits`}
      selectionName={props.formId ? "entryId" : undefined}
      selectionForm={props.formId}
      empty={props.empty}
      className="inbox-table"
    />
  );
}
