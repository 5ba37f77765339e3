/**
 * The planning board: backlog and sprint side by side. A story moves between them by dragging its
 * handle (mouse, touch, or keyboard: Space to pick up, arrow keys to the other column, Space to
 * drop) or by its "Commit" / "Remove" button, which is a plain form and works before JavaScript.
 *
 * The board only reports moves (`onMove`); the route posts them to its action, where the sprint's
 * exhaustion policy decides. Until the server answers, the moved card shows in its new column
 * (`pending`), then the loader's data wins — a refused commit snaps back.
 */
import {
  closestCorners,
  DndContext,
  useDroppable,
  type Announcements,
  type DragEndEvent,
  type DragOverEvent,
  type KeyboardCoordinateGetter,
  type UniqueIdentifier,
} from "@dnd-kit/core";
import { SortableContext, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { useId, useRef, useState, type ReactNode } from "react";
import { useDragSensors } from "~/components/ui/drag-sensors";
import { useHydrated } from "~/components/ui/use-hydrated";
import { formatCredits } from "~/domain/credits";

export type BoardColumnId = "backlog" | "sprint";

export interface BoardCard {
  id: number;
  key: string | null;
  title: string;
  status: string;
  size: string | null;
  expected: number | null;
  p80: number | null;
}

export interface PlanningBoardProps {
  backlog: readonly BoardCard[];
  sprint: readonly BoardCard[];
  /** Story id → the column it is moving to, while the server has not answered. */
  pending: ReadonlyMap<number, BoardColumnId>;
  onMove: (storyId: number, to: BoardColumnId) => void;
  /** Read-only (observers, closed sprints): no handles, no buttons. */
  readOnly?: boolean;
  /** The per-card forms (Commit / Remove / Done), rendered by the route so they post to its action. */
  renderActions: (card: BoardCard, column: BoardColumnId) => ReactNode;
  /** Link target for a card's title. */
  storyHref?: (card: BoardCard) => string;
  sprintName: string;
}

const COLUMN_TITLE: Record<BoardColumnId, string> = { backlog: "Backlog", sprint: "Sprint" };
const containerId = (column: BoardColumnId) => `column-${column}`;
const cardId = (id: number) => `story-${id}`;

export function storyLabel(card: Pick<BoardCard, "key" | "title">): string {
  return card.key ? `${card.key} ${card.title}` : card.title;
}

export function PlanningBoard(props: PlanningBoardProps) {
  const { backlog, sprint, pending, onMove, readOnly = false, sprintName } = props;
  const baseId = useId();
  const instructionsId = `${baseId}-instructions`;
  const hydrated = useHydrated();
  const [overColumn, setOverColumn] = useState<BoardColumnId | null>(null);
  const [filter, setFilter] = useState("");
  const needle = filter.trim().toLowerCase();
  const shown = (card: BoardCard) => !needle || storyLabel(card).toLowerCase().includes(needle);

  // Cards where they will be once pending moves land.
  const columns: Record<BoardColumnId, BoardCard[]> = { backlog: [], sprint: [] };
  for (const card of backlog) columns[pending.get(card.id) ?? "backlog"].push(card);
  for (const card of sprint) columns[pending.get(card.id) ?? "sprint"].push(card);
  const columnOf = (id: UniqueIdentifier | null | undefined): BoardColumnId | null => {
    if (id === null || id === undefined) return null;
    const text = String(id);
    if (text === containerId("backlog")) return "backlog";
    if (text === containerId("sprint")) return "sprint";
    if (columns.backlog.some((c) => cardId(c.id) === text)) return "backlog";
    if (columns.sprint.some((c) => cardId(c.id) === text)) return "sprint";
    return null;
  };
  const cardOf = (id: UniqueIdentifier) =>
    [...columns.backlog, ...columns.sprint].find((c) => cardId(c.id) === String(id));
  const nameOf = (id: UniqueIdentifier) => {
    const card = cardOf(id);
    return card ? storyLabel(card) : String(id);
  };
  const place = (column: BoardColumnId | null) =>
    column === "sprint" ? `the sprint ${sprintName}` : column === "backlog" ? "the backlog" : "no column";

  const sensors = useDragSensors(columnKeyboardCoordinates);

  const lastOver = useRef<BoardColumnId | null>(null);
  const announcements: Announcements = {
    onDragStart: ({ active }) => {
      lastOver.current = columnOf(active.id);
      return `Picked up ${nameOf(active.id)} from ${place(lastOver.current)}.`;
    },
    onDragOver: ({ active, over }) => {
      const column = columnOf(over?.id);
      if (column === lastOver.current) return undefined;
      lastOver.current = column;
      return column ? `${nameOf(active.id)} is over ${place(column)}.` : `${nameOf(active.id)} is not over a column.`;
    },
    onDragEnd: ({ active, over }) => {
      const from = columnOf(active.id);
      const to = columnOf(over?.id);
      if (!to || to === from) return `${nameOf(active.id)} dropped back in ${place(from)}. Nothing changed.`;
      return to === "sprint"
        ? `${nameOf(active.id)} dropped into ${place(to)}: committing.`
        : `${nameOf(active.id)} dropped into the backlog: removing it from the sprint.`;
    },
    onDragCancel: ({ active }) => `Moving cancelled. ${nameOf(active.id)} stays in ${place(columnOf(active.id))}.`,
  };

  function handleDragOver({ over }: DragOverEvent) {
    setOverColumn(columnOf(over?.id));
  }

  function handleDragEnd({ active, over }: DragEndEvent) {
    setOverColumn(null);
    const from = columnOf(active.id);
    const to = columnOf(over?.id);
    const card = cardOf(active.id);
    if (!card || !from || !to || from === to) return;
    onMove(card.id, to);
  }

  const canDrag = hydrated && !readOnly;
  return (
    <DndContext
      id={`${baseId}-dnd`}
      sensors={sensors}
      collisionDetection={closestCorners}
      accessibility={{ announcements, screenReaderInstructions: { draggable: INSTRUCTIONS } }}
      onDragOver={handleDragOver}
      onDragEnd={handleDragEnd}
      onDragCancel={() => setOverColumn(null)}
    >
      <p id={instructionsId} hidden>
        {INSTRUCTIONS}
      </p>
      <div className="board-filter field">
        <label htmlFor={`${baseId}-filter`}>Filter stories</label>
        <input
          id={`${baseId}-filter`}
          type="search"
          value={filter}
          maxLength={200}
          onChange={(e) => setFilter(e.currentTarget.value)}
        />
      </div>
      <div className="planning-board">
        {(["backlog", "sprint"] as const).map((column) => (
          <BoardColumn
            key={column}
            column={column}
            title={column === "sprint" ? `${COLUMN_TITLE.sprint}: ${sprintName}` : COLUMN_TITLE.backlog}
            cards={columns[column]}
            highlighted={overColumn === column}
          >
            {columns[column].filter(shown).map((card) => (
              <BoardItem
                key={card.id}
                card={card}
                column={column}
                instructionsId={instructionsId}
                disabled={!canDrag || pending.has(card.id)}
                hideHandle={readOnly}
                pending={pending.has(card.id)}
                actions={readOnly ? null : props.renderActions(card, column)}
                href={props.storyHref?.(card)}
              />
            ))}
          </BoardColumn>
        ))}
      </div>
    </DndContext>
  );
}

function BoardColumn({
  column,
  title,
  cards,
  highlighted,
  children,
}: {
  column: BoardColumnId;
  title: string;
  cards: BoardCard[];
  highlighted: boolean;
  children: ReactNode;
}) {
  const { setNodeRef } = useDroppable({ id: containerId(column) });
  const headingId = `board-${column}-heading`;
  const unestimated = cards.filter((c) => c.expected === null).length;
  const expected = cards.reduce((sum, c) => sum + (c.expected ?? 0), 0);
  return (
    <section
      ref={setNodeRef}
      className={highlighted ? "board-column is-over" : "board-column"}
      aria-labelledby={headingId}
      data-column={column}
    >
      <header className="board-column-head">
        <h3 id={headingId}>{title}</h3>
        <span className="muted">
          {cards.length} {cards.length === 1 ? "story" : "stories"} · {formatCredits(expected)} expected
          {unestimated ? ` · ${unestimated} unestimated` : ""}
        </span>
      </header>
      <SortableContext
        id={`sortable-${column}`}
        items={cards.map((c) => cardId(c.id))}
        strategy={verticalListSortingStrategy}
      >
        <ul className="board-list" aria-labelledby={headingId}>
          {children}
        </ul>
      </SortableContext>
      {cards.length === 0 ? (
        <p className="board-empty muted">
          {column === "sprint"
            ? "Nothing committed yet. Drag estimated stories here."
            : "No stories waiting in the backlog."}
        </p>
      ) : null}
    </section>
  );
}

function BoardItem({
  card,
  column,
  instructionsId,
  disabled,
  hideHandle,
  pending,
  actions,
  href,
}: {
  card: BoardCard;
  column: BoardColumnId;
  instructionsId: string;
  disabled: boolean;
  hideHandle: boolean;
  pending: boolean;
  actions: ReactNode;
  href?: string;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: cardId(card.id),
    disabled,
    data: { column },
  });
  const { role: _role, ...handleAttributes } = attributes;
  const label = storyLabel(card);
  const className = [
    "board-card",
    isDragging ? "is-dragging" : "",
    pending ? "is-pending" : "",
    card.expected === null ? "is-unestimated" : "",
  ]
    .filter(Boolean)
    .join(" ");
  return (
    <li
      ref={setNodeRef}
      className={className}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      data-story-id={card.id}
    >
      {hideHandle ? null : (
        <button
          {...handleAttributes}
          {...listeners}
          ref={setActivatorNodeRef}
          type="button"
          className="drag-handle"
          disabled={disabled}
          aria-label={`Move ${label}`}
          aria-describedby={instructionsId}
          aria-roledescription={undefined}
        >
          <span aria-hidden="true">⠿</span>
        </button>
      )}
      <div className="board-card-body">
        <div className="board-card-title">
          {card.key ? <code className="story-key">{card.key}</code> : null}{" "}
          {href ? <a href={href}>{card.title}</a> : <span>{card.title}</span>}
        </div>
        <div className="board-card-meta">
          {card.size ? (
            <span className="badge size-badge">{card.size}</span>
          ) : (
            <span className="badge badge-warn">No estimate · unknown</span>
          )}
          {card.expected !== null ? (
            <span className="muted">
              {formatCredits(card.expected)} expected · {formatCredits(card.p80 ?? card.expected)} p80
            </span>
          ) : null}
          {card.status === "done" ? <span className="badge badge-ok">Done</span> : null}
          {pending ? <span className="muted">Saving…</span> : null}
        </div>
      </div>
      {actions ? <div className="board-card-actions">{actions}</div> : null}
    </li>
  );
}

const INSTRUCTIONS =
  "To pick up a story, press Space or Enter on its handle. Use the arrow keys to move it to the other column " +
  "(right for the sprint, left for the backlog). Press Space or Enter again to drop it, or Escape to cancel.";

/**
 * Keyboard moves go between columns, not within one (the order inside a column is the backlog's
 * rank, changed on the backlog page): Right jumps to the sprint, Left to the backlog. The generic
 * sortable getter would pick the nearest droppable to the left, which is the card's own column edge.
 */
const columnKeyboardCoordinates: KeyboardCoordinateGetter = (event, { context }) => {
  if (event.code !== "ArrowRight" && event.code !== "ArrowLeft") return undefined;
  event.preventDefault();
  const rect = context.droppableRects.get(containerId(event.code === "ArrowRight" ? "sprint" : "backlog"));
  if (!rect) return undefined;
  // Just inside the column's top-left corner, where its heading is: closest to the column itself.
  return { x: rect.left + 8, y: rect.top + 8 };
};
