// Every committed story of the sprint in the generic DataTable. Sorting and filtering happen in the
// loader (the state lives in the URL); this file only defines the columns. Each cell that has a CSV
// column carries the CSV's exact text in `data-csv`, so a test can hold the table and the export
// to the same values.
import { Link, useParams } from "@remix-run/react";
import { SizeBadge } from "~/components/backlog/story-badges";
import { DataTable, defineColumns, type SortingState } from "~/components/ui/data-table";
import { csvText, causeTagLabel, retroCsvValues, type RetroNote, type RetroRow } from "~/domain/retro";
import { createContext, useContext, type ReactNode } from "react";
import { formatCredits } from "~/domain/credits";

/** The sizing scheme's card names by dimension and level id: the table shows names, the CSV ids. */
export type LevelLabels = Partial<Record<"intensity" | "autonomy" | "risk", Record<string, string>>>;
const LabelsContext = createContext<LevelLabels>({});

function LevelName({ dimension, id }: { dimension: "intensity" | "autonomy" | "risk"; id: string }) {
  return <>{useContext(LabelsContext)[dimension]?.[id] ?? id}</>;
}

export type RetroTableRow = RetroRow & { note: RetroNote | null };

const CSV_COLUMNS = [
  "key",
  "title",
  "size",
  "intensity",
  "autonomy",
  "risk",
  "expected_credits",
  "band_low",
  "band_high",
  "actual_credits",
  "ratio",
  "in_band",
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

function csvOf(row: RetroRow, column: CsvColumn): string {
  return csvText(retroCsvValues(row)[CSV_COLUMNS.indexOf(column)]!);
}

/** A cell's visible content with its CSV value attached. */
function Csv({ row, column, children }: { row: RetroRow; column: CsvColumn; children: ReactNode }) {
  return (
    <span data-csv={column} data-value={csvOf(row, column)}>
      {children}
    </span>
  );
}

function StoryTitle({ row }: { row: RetroTableRow }) {
  const { team } = useParams();
  return (
    <Csv row={row} column="title">
      <Link to={`/t/${team}/stories/${row.storyId}`}>{row.title}</Link>
    </Csv>
  );
}

export function formatRatioCell(ratio: number | null): string {
  if (ratio === null) return "—";
  return `${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(2)}×`;
}

export function bandText(low: number | null, high: number | null): string {
  if (low === null) return "—";
  return high === null ? `≥ ${formatCredits(low)}` : `${formatCredits(low)}–${formatCredits(high)}`;
}

const columns = defineColumns<RetroTableRow>((col) => [
  col.accessor("key", {
    id: "key",
    header: "Key",
    cell: ({ row }) => (
      <Csv row={row.original} column="key">
        {row.original.key ? <code className="story-key">{row.original.key}</code> : <span className="muted">—</span>}
      </Csv>
    ),
  }),
  col.accessor("title", {
    id: "title",
    header: "Title",
    cell: ({ row }) => <StoryTitle row={row.original} />,
    meta: { rowHeader: true, className: "col-title" },
  }),
  col.accessor("size", {
    id: "size",
    header: "Size",
    cell: ({ row }) => (
      <Csv row={row.original} column="size">
        <SizeBadge size={row.original.size} />
      </Csv>
    ),
  }),
  ...(["intensity", "autonomy", "risk"] as const).map((id) =>
    col.accessor((r) => r.levels?.[id] ?? null, {
      id,
      header: id === "intensity" ? "Intensity" : id === "autonomy" ? "Autonomy" : "Risk",
      cell: ({ row }) => (
        <Csv row={row.original} column={id}>
          {row.original.levels?.[id] ? (
            <LevelName dimension={id} id={row.original.levels[id]} />
          ) : (
            <span className="muted">—</span>
          )}
        </Csv>
      ),
    }),
  ),
  col.accessor("expected", {
    id: "expected",
    header: "Expected",
    sortDescFirst: true,
    cell: ({ row }) => (
      <Csv row={row.original} column="expected_credits">
        {formatCredits(row.original.expected)}
      </Csv>
    ),
    meta: { align: "end" },
  }),
  col.display({
    id: "band",
    header: "Band",
    cell: ({ row }) => (
      <span className="retro-band">
        <Csv row={row.original} column="band_low">
          {bandText(row.original.bandLow, row.original.bandHigh)}
        </Csv>
        <span hidden data-csv="band_high" data-value={csvOf(row.original, "band_high")} />
      </span>
    ),
    meta: { align: "end" },
  }),
  col.accessor("actual", {
    id: "actual",
    header: "Actual",
    sortDescFirst: true,
    cell: ({ row }) => (
      <Csv row={row.original} column="actual_credits">
        {formatCredits(row.original.actual)}
        {row.original.unpriced > 0 ? (
          <span
            className="unpriced-mark"
            title={`${row.original.unpriced} unpriced ${row.original.unpriced === 1 ? "entry" : "entries"} not counted`}
          >
            {" "}
            +{row.original.unpriced} unpriced
          </span>
        ) : null}
      </Csv>
    ),
    meta: { align: "end" },
  }),
  col.accessor((r) => r.drift.ratio, {
    id: "ratio",
    header: "Ratio",
    sortDescFirst: true,
    cell: ({ row }) => (
      <Csv row={row.original} column="ratio">
        <span className={row.original.drift.outlier ? "retro-ratio ratio-outlier" : "retro-ratio"}>
          {formatRatioCell(row.original.drift.ratio)}
        </span>
      </Csv>
    ),
    meta: { align: "end" },
  }),
  col.accessor((r) => r.drift.inBand, {
    id: "inBand",
    header: "In band",
    cell: ({ row }) => (
      <Csv row={row.original} column="in_band">
        <InBandBadge inBand={row.original.drift.inBand} />
      </Csv>
    ),
  }),
  col.display({
    id: "note",
    header: "Note",
    enableSorting: false,
    cell: ({ row }) => <NoteCell row={row.original} />,
    meta: { className: "col-note" },
  }),
]);

export function InBandBadge({ inBand }: { inBand: boolean | null }) {
  if (inBand === null) return <span className="muted">—</span>;
  return inBand ? <span className="badge badge-ok">in band</span> : <span className="badge badge-warn">out</span>;
}

function NoteCell({ row }: { row: RetroTableRow }) {
  if (!row.note) {
    return row.drift.outlier ? <a href={`#inspect-${row.storyId}`}>Inspect</a> : <span className="muted">—</span>;
  }
  return (
    <span className="note-cell">
      {row.note.causeTags.map((t) => (
        <span key={t} className="badge tag-badge">
          {causeTagLabel(t)}
        </span>
      ))}{" "}
      <span className="note-bought" title={row.note.bought}>
        {row.note.bought}
      </span>
    </span>
  );
}

export function RetroTable({
  rows,
  sorting,
  sortHref,
  empty,
  labels = {},
}: {
  rows: RetroTableRow[];
  sorting: SortingState;
  sortHref: (next: SortingState) => string;
  empty: ReactNode;
  labels?: LevelLabels;
}) {
  return (
    <LabelsContext.Provider value={labels}>
      <div className="table-wrap table-wrap-sticky">
        <DataTable
          caption="Committed stories"
          columns={columns}
          data={rows}
          getRowId={(r) => String(r.storyId)}
          sorting={sorting}
          sortHref={sortHref}
          empty={empty}
          className="retro-table"
        />
      </div>
    </LabelsContext.Provider>
  );
}
