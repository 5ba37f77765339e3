/**
 * A vertical drag-and-drop list (backlog order, poker queue) on dnd-kit, usable by mouse, touch,
 * keyboard and screen reader.
 *
 * The list only reports moves: `onMove` gets the moved id and its new neighbours, and the server
 * computes a sort key between them (STYLE.md: sortable text keys, never floats or indexes). The
 * list shows the new order at once and snaps to whatever `items` the next loader run returns.
 *
 *   <SortableList
 *     label="Backlog order"
 *     items={stories}
 *     getId={(s) => s.id}
 *     getLabel={(s) => s.title}
 *     onMove={({ id, beforeId, afterId }) =>
 *       fetcher.submit({ intent: "move", id, beforeId: beforeId ?? "", afterId: afterId ?? "" }, { method: "post" })}
 *     renderItem={(story, { handleProps }) => (
 *       <div className="row"><DragHandle {...handleProps} /> {story.title}</div>
 *     )}
 *   />
 */
import {
  closestCenter,
  DndContext,
  type Announcements,
  type DragEndEvent,
  type Modifier,
  type UniqueIdentifier,
} from "@dnd-kit/core";
import {
  arrayMove,
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { forwardRef, useId, useRef, useState, type ButtonHTMLAttributes, type ReactNode, type Ref } from "react";
import { useDragSensors } from "~/components/ui/drag-sensors";
import { useHydrated } from "~/components/ui/use-hydrated";

export interface SortableMove {
  id: string;
  fromIndex: number;
  toIndex: number;
  /** The item now directly above the moved one; null when it moved to the top. */
  beforeId: string | null;
  /** The item now directly below the moved one; null when it moved to the bottom. */
  afterId: string | null;
}

/** Spread on the drag handle `<button>` (or use `<DragHandle {...handleProps} />`). */
export type SortableHandleProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  ref: Ref<HTMLButtonElement>;
  "aria-label": string;
};

export interface SortableListProps<T> {
  items: readonly T[];
  getId: (item: T) => string;
  /** Human name of an item, used in the handle label and screen-reader announcements. */
  getLabel: (item: T) => string;
  renderItem: (item: T, state: { handleProps: SortableHandleProps; isDragging: boolean }) => ReactNode;
  onMove: (move: SortableMove) => void;
  /** Accessible name of the list ("Backlog order"). */
  label?: string;
  /** Read-only (e.g. observers): handles render disabled. */
  disabled?: boolean;
  className?: string;
}

export function SortableList<T>({
  items,
  getId,
  getLabel,
  renderItem,
  onMove,
  label,
  disabled = false,
  className,
}: SortableListProps<T>) {
  // useId is identical on server and client; dnd-kit's own id counter is not, and it puts the id
  // in `aria-describedby`, so without a fixed DndContext id hydration would mismatch.
  const baseId = useId();
  const instructionsId = `${baseId}-instructions`;
  const hydrated = useHydrated();

  // Optimistic order: shown until the parent passes a new `items` (the revalidated loader data),
  // which always wins. Compared element by element so a parent re-deriving an equal array
  // (`.filter()` in render) does not throw the local order away.
  const [state, setState] = useState({ source: items, order: items });
  let order = state.order;
  if (!sameItems(state.source, items)) {
    order = items;
    setState({ source: items, order: items });
  }

  const ids = order.map(getId);
  const labelOf = (id: UniqueIdentifier) => {
    const item = order.find((it) => getId(it) === String(id));
    return item === undefined ? String(id) : getLabel(item);
  };
  const positionOf = (id: UniqueIdentifier) => ids.indexOf(String(id)) + 1;

  const sensors = useDragSensors(sortableKeyboardCoordinates);

  // dnd-kit reports "over" right after pick-up (over itself) and again on every pointer move;
  // announce only real changes so "Picked up …" is not overwritten before it is read.
  const lastOverId = useRef<UniqueIdentifier | null>(null);
  const announcements: Announcements = {
    onDragStart: ({ active }) => {
      lastOverId.current = active.id;
      return `Picked up ${labelOf(active.id)}. Position ${positionOf(active.id)} of ${ids.length}.`;
    },
    onDragOver: ({ active, over }) => {
      const overId = over?.id ?? null;
      if (overId === lastOverId.current) return undefined;
      lastOverId.current = overId;
      return over
        ? `${labelOf(active.id)} moved to position ${positionOf(over.id)} of ${ids.length}.`
        : `${labelOf(active.id)} is no longer over the list.`;
    },
    onDragEnd: ({ active, over }) =>
      over
        ? `${labelOf(active.id)} dropped at position ${positionOf(over.id)} of ${ids.length}.`
        : `${labelOf(active.id)} dropped. Order unchanged.`,
    onDragCancel: ({ active }) =>
      `Moving cancelled. ${labelOf(active.id)} returned to position ${positionOf(active.id)} of ${ids.length}.`,
  };

  function handleDragEnd({ active, over }: DragEndEvent) {
    if (!over || active.id === over.id) return;
    const fromIndex = ids.indexOf(String(active.id));
    const toIndex = ids.indexOf(String(over.id));
    if (fromIndex < 0 || toIndex < 0) return;
    const next = arrayMove([...order], fromIndex, toIndex);
    setState((s) => ({ ...s, order: next }));
    onMove({
      id: String(active.id),
      fromIndex,
      toIndex,
      beforeId: toIndex > 0 ? getId(next[toIndex - 1] as T) : null,
      afterId: toIndex < next.length - 1 ? getId(next[toIndex + 1] as T) : null,
    });
  }

  return (
    <DndContext
      id={`${baseId}-dnd`}
      sensors={sensors}
      collisionDetection={closestCenter}
      modifiers={MODIFIERS}
      accessibility={{ announcements, screenReaderInstructions: { draggable: INSTRUCTIONS } }}
      onDragEnd={handleDragEnd}
    >
      {/* Rendered on the server too (dnd-kit's copy only appears after mount); `hidden` text is
          still read when referenced by aria-describedby. */}
      <p id={instructionsId} hidden>
        {INSTRUCTIONS}
      </p>
      <SortableContext id={`${baseId}-items`} items={ids} strategy={verticalListSortingStrategy}>
        <ol className={["sortable-list", className].filter(Boolean).join(" ")} aria-label={label}>
          {order.map((item) => (
            <SortableRow
              key={getId(item)}
              id={getId(item)}
              label={getLabel(item)}
              instructionsId={instructionsId}
              // Before hydration a handle could only be pressed to no effect; say so honestly.
              disabled={disabled || !hydrated}
              render={(state) => renderItem(item, state)}
            />
          ))}
        </ol>
      </SortableContext>
    </DndContext>
  );
}

function SortableRow({
  id,
  label,
  instructionsId,
  disabled,
  render,
}: {
  id: string;
  label: string;
  instructionsId: string;
  disabled: boolean;
  render: (state: { handleProps: SortableHandleProps; isDragging: boolean }) => ReactNode;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id,
    disabled,
  });

  // `role` dropped: the handle is a real <button> already.
  const { role: _role, ...handleAttributes } = attributes;
  const handleProps: SortableHandleProps = {
    ...handleAttributes,
    ...listeners,
    ref: setActivatorNodeRef,
    type: "button",
    disabled,
    "aria-label": `Move ${label}`,
    "aria-describedby": instructionsId,
    // dnd-kit's default "sortable" role description replaces "button" in some screen readers.
    "aria-roledescription": undefined,
  };

  return (
    <li
      ref={setNodeRef}
      className={isDragging ? "sortable-item is-dragging" : "sortable-item"}
      style={{ transform: CSS.Translate.toString(transform), transition }}
    >
      {render({ handleProps, isDragging })}
    </li>
  );
}

/**
 * A grip button for `handleProps`; use your own `<button {...handleProps}>` for another look.
 * forwardRef because dnd-kit needs the handle's node (focus returns to it after a drop).
 */
export const DragHandle = forwardRef<HTMLButtonElement, Omit<SortableHandleProps, "ref">>(
  function DragHandle(props, ref) {
    return (
      <button className="drag-handle" {...props} ref={ref}>
        <span aria-hidden="true">⠿</span>
      </button>
    );
  },
);

const INSTRUCTIONS =
  "To pick up an item, press Space or Enter. Use the arrow keys to move it. " +
  "Press Space or Enter again to drop it in its new place, or Escape to cancel.";

const lockToVerticalAxis: Modifier = ({ transform }) => ({ ...transform, x: 0 });
const MODIFIERS = [lockToVerticalAxis];

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((item, i) => item === b[i]));
}
