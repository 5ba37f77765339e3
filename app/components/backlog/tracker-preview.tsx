// What a tracker import would do, shown before anything is written: counts, then one row per item
// with what happens to it (new story, which fields change, nothing).
import { DataTable, defineColumns } from "~/components/ui/data-table";
import type { ImportPlan, PreviewRow } from "~/domain/trackers/import-plan";

const KIND_LABELS: Record<PreviewRow["kind"], string> = {
  create: "New story",
  update: "Updates",
  unchanged: "No change",
};
const KIND_BADGES: Record<PreviewRow["kind"], string> = {
  create: "badge badge-info",
  update: "badge badge-warn",
  unchanged: "badge",
};
const FIELD_LABELS: Record<PreviewRow["fields"][number], string> = {
  key: "key",
  title: "title",
  link: "link",
  labels: "labels",
  description: "description",
  trackerClosed: "closed state",
};

const columns = defineColumns<PreviewRow>((col) => [
  col.accessor("key", { header: "Key", cell: (i) => (i.getValue() ? <code>{i.getValue()}</code> : "—") }),
  col.accessor("title", { header: "Title", meta: { rowHeader: true } }),
  col.accessor("kind", {
    header: "What happens",
    cell: (i) => {
      const row = i.row.original;
      const what =
        row.kind === "update" ? `Updates ${row.fields.map((f) => FIELD_LABELS[f]).join(", ")}` : KIND_LABELS[row.kind];
      return <span className={KIND_BADGES[row.kind]}>{what}</span>;
    },
  }),
  col.accessor("closed", { header: "In the tracker", cell: (i) => (i.getValue() ? "closed" : "open") }),
]);

const SHOWN = 200;

export function TrackerPreview({
  formatLabel,
  counts,
  rows,
}: {
  formatLabel: string;
  counts: ImportPlan["counts"];
  rows: PreviewRow[];
}) {
  return (
    <div className="stack">
      <p>
        <strong>{formatLabel}</strong>: {rows.length} {rows.length === 1 ? "item" : "items"} — {counts.create} new,{" "}
        {counts.update} to update, {counts.unchanged} unchanged
        {counts.closed ? `; ${counts.closed} closed in the tracker (marked, not deleted)` : ""}.
      </p>
      {/* Scrolls inside itself on a phone instead of widening the page (a focusable region then: scroll-regions.ts). */}
      <div className="table-wrap tracker-preview-table">
        <DataTable
          caption="What the import would do"
          columns={columns}
          data={rows.slice(0, SHOWN)}
          getRowId={(r, i) => `${i}`}
        />
      </div>
      {rows.length > SHOWN ? <p className="muted">… and {rows.length - SHOWN} more.</p> : null}
    </div>
  );
}
