/**
 * The one generic table (see STYLE.md: "one generic table component, each feature defines its
 * columns, table state in the URL"). Built on @tanstack/react-table v9.
 *
 * Ownership: the table renders; routes own state. Sorting, filtering and selection are controlled
 * props because routes keep them in the URL and usually sort/filter in SQL. By default the table
 * trusts the order of `data` (`processing="server"`); pass `processing="client"` for small lists the
 * loader returns whole, and the same controlled state then sorts/filters in the browser.
 *
 * Usage:
 *   const columns = defineColumns<Story>((col) => [
 *     col.accessor("title", { header: "Title", meta: { rowHeader: true } }),
 *     col.accessor("credits", { header: "Credits", meta: { align: "end" } }),
 *   ]);                                                  // module scope: columns must be stable
 *   <DataTable caption="Backlog" columns={columns} data={stories} getRowId={(s) => s.id}
 *     sorting={sorting} sortHref={(next) => `?sort=${encodeSort(next)}`} empty={<p>No stories</p>} />
 */
import {
  columnFilteringFeature,
  createColumnHelper,
  createFilteredRowModel,
  createSortedRowModel,
  flexRender,
  filterFn_arrIncludes,
  filterFn_arrIncludesSome,
  filterFn_equals,
  filterFn_equalsString,
  filterFn_inNumberRange,
  filterFn_includesString,
  filterFn_weakEquals,
  functionalUpdate,
  globalFilteringFeature,
  metaHelper,
  rowSelectionFeature,
  rowSortingFeature,
  sortFn_alphanumeric,
  sortFn_datetime,
  sortFn_text,
  tableFeatures,
  useTable,
  type Cell,
  type Column,
  type ColumnDef,
  type ColumnFiltersState,
  type ColumnHelper,
  type Header,
  type RowData,
  type RowSelectionState,
  type SortingState,
  type Updater,
} from "@tanstack/react-table";
import type { MouseEvent, ReactNode } from "react";

export type { ColumnFiltersState, RowSelectionState, SortingState };

/** Per-column presentation hints, typed through the feature registry instead of a global merge. */
export interface DataTableColumnMeta {
  /** Numbers read best right-aligned ("end"). */
  align?: "start" | "center" | "end";
  /** Render this column's cells as `<th scope="row">` so screen readers announce the row by it. */
  rowHeader?: boolean;
  /** Extra class on this column's `th` and `td`. */
  className?: string;
}

/**
 * One registry for every table in the app: a stable module-level object (v9 requires it) that
 * also carries the column-meta type. Filter/sort functions are registered by name so column defs
 * can say `filterFn: "includesString"`, and so "auto" resolves for strings, numbers and dates.
 */
export const dataTableFeatures = tableFeatures({
  columnFilteringFeature,
  globalFilteringFeature,
  rowSortingFeature,
  rowSelectionFeature,
  filteredRowModel: createFilteredRowModel(),
  sortedRowModel: createSortedRowModel(),
  filterFns: {
    includesString: filterFn_includesString,
    equalsString: filterFn_equalsString,
    equals: filterFn_equals,
    weakEquals: filterFn_weakEquals,
    arrIncludes: filterFn_arrIncludes,
    arrIncludesSome: filterFn_arrIncludesSome,
    inNumberRange: filterFn_inNumberRange,
  },
  sortFns: { alphanumeric: sortFn_alphanumeric, text: sortFn_text, datetime: sortFn_datetime },
  columnMeta: metaHelper<DataTableColumnMeta>(),
});

export type DataTableFeatures = typeof dataTableFeatures;

// `any` value type: a column list mixes value types; `defineColumns` keeps each one precise
// while it is being written, then the list widens to this for the component.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DataTableColumn<TData extends RowData> = ColumnDef<DataTableFeatures, TData, any>;

/**
 * Build a column list with full inference (accessor keys checked against `TData`, `getValue()`
 * typed per column, `meta` typed as `DataTableColumnMeta`). Call it at module scope or in a
 * `useMemo`: v9 recomputes every model when the `columns` reference changes.
 */
export function defineColumns<TData extends RowData>(
  build: (col: ColumnHelper<DataTableFeatures, TData>) => Array<DataTableColumn<TData>>,
): Array<DataTableColumn<TData>> {
  return build(createColumnHelper<DataTableFeatures, TData>());
}

export interface DataTableProps<TData extends RowData> {
  /** Stable column list from `defineColumns`. */
  columns: Array<DataTableColumn<TData>>;
  /** Rows in display order (already sorted/filtered unless `processing="client"`). Keep stable. */
  data: ReadonlyArray<TData>;
  /** Stable ids (database ids), never indexes: selection and React keys depend on them. */
  getRowId: (row: TData, index: number) => string;
  /** Names the table for screen readers; hidden visually unless `captionVisible`. */
  caption: ReactNode;
  captionVisible?: boolean;
  /** Shown in place of the body when there are no rows (after client filtering). */
  empty?: ReactNode;

  /** Current sort (controlled). Single-column: headers produce `[]` or `[{ id, desc }]`. */
  sorting?: SortingState;
  /** Called with the next sort when a header is activated (e.g. `setSearchParams`). */
  onSortingChange?: (next: SortingState) => void;
  /**
   * URL for the next sort. Headers become real links, so sorting works before hydration and
   * without JS; with `onSortingChange` too, plain clicks call it and skip the navigation.
   */
  sortHref?: (next: SortingState) => string;

  /** Where sorting/filtering happen. "server" (default): `data` is already processed. */
  processing?: "server" | "client";
  /** Column filters (controlled); only applied with `processing="client"`. */
  columnFilters?: ColumnFiltersState;
  /** Free-text filter across columns (controlled); only applied with `processing="client"`. */
  globalFilter?: string;

  /** Selected row ids (controlled). Passing it turns on the checkbox column. */
  rowSelection?: RowSelectionState;
  onRowSelectionChange?: (next: RowSelectionState) => void;
  /** Rows that may not be selected get a disabled checkbox. */
  canSelectRow?: (row: TData) => boolean;
  /** Names a row in its checkbox label ("Select PAY-412 Fix login"); defaults to the row id. */
  getRowLabel?: (row: TData) => string;
  /**
   * Form field name for the row checkboxes (value = row id), so a bulk-action form submits the
   * selection even before hydration. `selectionForm` is that form's id when it sits outside.
   */
  selectionName?: string;
  selectionForm?: string;

  className?: string;
}

/**
 * What a cell's renderer gets, as `cell.getContext()` builds it — without its memo. TanStack Table
 * keeps a memo (closures and a dependency list) on every cell the first time its context is asked
 * for, and a render asks for every cell's: on a 1,000-row table that was most of the render's time
 * and garbage. A context is used once per render here, so there is nothing to remember.
 */
function cellContext<TData extends RowData>(
  cell: Cell<DataTableFeatures, TData, unknown>,
): ReturnType<Cell<DataTableFeatures, TData, unknown>["getContext"]> {
  return {
    table: cell.table,
    column: cell.column,
    row: cell.row,
    cell,
    getValue: () => cell.getValue(),
    renderValue: () => cell.renderValue(),
  } as ReturnType<Cell<DataTableFeatures, TData, unknown>["getContext"]>;
}

// Stable fallbacks: a fresh `[]` per render would invalidate the table's models every time.
const NO_SORTING: SortingState = [];
const NO_FILTERS: ColumnFiltersState = [];
const NO_SELECTION: RowSelectionState = {};

export function DataTable<TData extends RowData>(props: DataTableProps<TData>) {
  const {
    columns,
    data,
    getRowId,
    caption,
    captionVisible = false,
    empty,
    sorting = NO_SORTING,
    onSortingChange,
    sortHref,
    processing = "server",
    columnFilters = NO_FILTERS,
    globalFilter = "",
    rowSelection,
    onRowSelectionChange,
    canSelectRow,
    getRowLabel,
    selectionName,
    selectionForm,
    className,
  } = props;
  const selectable = rowSelection !== undefined;
  const selection = rowSelection ?? NO_SELECTION;
  const clientSide = processing === "client";

  const table = useTable({
    features: dataTableFeatures,
    columns,
    data,
    getRowId,
    state: { sorting, columnFilters, globalFilter, rowSelection: selection },
    manualSorting: !clientSide,
    manualFiltering: !clientSide,
    enableRowSelection: canSelectRow ? (row) => canSelectRow(row.original) : selectable,
    // The table hands us updater functions; resolve them against the controlled value so
    // callers get plain values they can put in a URL or state.
    onSortingChange: (updater: Updater<SortingState>) => onSortingChange?.(functionalUpdate(updater, sorting)),
    onRowSelectionChange: (updater: Updater<RowSelectionState>) =>
      onRowSelectionChange?.(functionalUpdate(updater, selection)),
  });

  const rows = table.getRowModel().rows;
  const columnCount = table.getAllLeafColumns().length + (selectable ? 1 : 0);
  const headerGroups = table.getHeaderGroups();
  const sortInteractive = Boolean(onSortingChange || sortHref);

  function renderHeaderContent(header: Header<DataTableFeatures, TData, unknown>) {
    const { column } = header;
    const content = <table.FlexRender header={header} />;
    if (!sortInteractive || !column.getCanSort()) return content;

    const next = nextSorting(column);
    const indicator = (
      <span className="sort-indicator" aria-hidden="true">
        {sortGlyph(column.getIsSorted())}
      </span>
    );
    if (sortHref) {
      const onClick = onSortingChange
        ? (event: MouseEvent<HTMLAnchorElement>) => {
            // Let modified clicks (new tab, etc.) behave like links.
            if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
            event.preventDefault();
            onSortingChange(next);
          }
        : undefined;
      return (
        <a className="sort-button" href={sortHref(next)} onClick={onClick}>
          {content}
          {indicator}
        </a>
      );
    }
    return (
      <button type="button" className="sort-button" onClick={() => onSortingChange?.(next)}>
        {content}
        {indicator}
      </button>
    );
  }

  return (
    <table className={["data-table", className].filter(Boolean).join(" ")}>
      <caption className={captionVisible ? undefined : "sr-only"}>{caption}</caption>
      <thead>
        {headerGroups.map((group, groupIndex) => (
          <tr key={group.id}>
            {selectable &&
              (groupIndex === headerGroups.length - 1 ? (
                <th scope="col" className="col-select">
                  <input
                    type="checkbox"
                    aria-label="Select all rows"
                    checked={rows.length > 0 && table.getIsAllRowsSelected()}
                    disabled={rows.length === 0}
                    ref={(el) => {
                      // `indeterminate` has no HTML attribute; set it once we have a node.
                      if (el) el.indeterminate = table.getIsSomeRowsSelected();
                    }}
                    onChange={table.getToggleAllRowsSelectedHandler()}
                  />
                </th>
              ) : (
                <td />
              ))}
            {group.headers.map((header) => {
              const meta = header.column.columnDef.meta;
              const isLeaf = header.subHeaders.length === 0;
              const sortable = sortInteractive && isLeaf && header.column.getCanSort();
              return (
                <th
                  key={header.id}
                  scope={isLeaf ? "col" : "colgroup"}
                  colSpan={header.colSpan > 1 ? header.colSpan : undefined}
                  aria-sort={sortable ? ariaSort(header.column.getIsSorted()) : undefined}
                  className={cellClass(meta)}
                >
                  {header.isPlaceholder ? null : renderHeaderContent(header)}
                </th>
              );
            })}
          </tr>
        ))}
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr className="data-table-empty">
            <td colSpan={columnCount}>{empty ?? <p className="muted">Nothing to show.</p>}</td>
          </tr>
        ) : (
          rows.map((row) => {
            const selected = selectable && row.getIsSelected();
            return (
              // Not aria-selected: that belongs to grids; the checked checkbox already says it.
              <tr key={row.id} className={selected ? "is-selected" : undefined}>
                {selectable && (
                  <td className="col-select">
                    <input
                      type="checkbox"
                      aria-label={`Select ${getRowLabel ? getRowLabel(row.original) : row.id}`}
                      name={selectionName}
                      form={selectionForm}
                      value={row.id}
                      checked={selected}
                      disabled={!row.getCanSelect()}
                      // React's checkbox onChange carries the click, so Shift-click ranges work.
                      onChange={row.getToggleSelectedHandler()}
                    />
                  </td>
                )}
                {row.getAllCells().map((cell) => {
                  const meta = cell.column.columnDef.meta;
                  const content = flexRender(cell.column.columnDef.cell, cellContext(cell));
                  return meta?.rowHeader ? (
                    <th key={cell.id} scope="row" className={cellClass(meta)}>
                      {content}
                    </th>
                  ) : (
                    <td key={cell.id} className={cellClass(meta)}>
                      {content}
                    </td>
                  );
                })}
              </tr>
            );
          })
        )}
      </tbody>
    </table>
  );
}

/**
 * The state one click on this header leads to. Single-column on purpose: it keeps URLs short
 * and predictable (`?sort=credits.desc`). The cycle (first direction → other → off) is the
 * table's own, so `sortDescFirst` and `enableSorting` on column defs still apply.
 */
function nextSorting<TData extends RowData>(column: Column<DataTableFeatures, TData, unknown>): SortingState {
  const order = column.getNextSortingOrder();
  return order === false ? [] : [{ id: column.id, desc: order === "desc" }];
}

function ariaSort(sorted: false | "asc" | "desc"): "ascending" | "descending" | "none" {
  return sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none";
}

function sortGlyph(sorted: false | "asc" | "desc"): string {
  return sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕";
}

function cellClass(meta: DataTableColumnMeta | undefined): string | undefined {
  if (!meta) return undefined;
  const classes = [meta.align && meta.align !== "start" ? `align-${meta.align}` : "", meta.className];
  return classes.filter(Boolean).join(" ") || undefined;
}
