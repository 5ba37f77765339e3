// How a drag starts, the same in every drag-and-drop list (the sortable list, the planning board):
// mouse and pen after 5 px (so a click on the handle stays a click), a finger after a short press
// (so the page still scrolls under it), and the keyboard with the caller's arrow-key moves.
import {
  KeyboardSensor,
  PointerSensor,
  TouchSensor,
  useSensor,
  useSensors,
  type KeyboardCoordinateGetter,
  type PointerSensorOptions,
} from "@dnd-kit/core";
import type { PointerEvent as ReactPointerEvent } from "react";

/**
 * PointerSensor also receives touch pointers and would start a drag on the first few pixels of a
 * scroll; leaving touch to TouchSensor (with its press delay) keeps phone scrolling intact.
 */
class NonTouchPointerSensor extends PointerSensor {
  static override activators = [
    {
      eventName: "onPointerDown" as const,
      handler: ({ nativeEvent: event }: ReactPointerEvent, { onActivation }: PointerSensorOptions) => {
        if (event.pointerType === "touch" || !event.isPrimary || event.button !== 0) return false;
        onActivation?.({ event });
        return true;
      },
    },
  ];
}

/** The sensors for a DndContext; `coordinateGetter` says where an arrow key moves the item. */
export function useDragSensors(coordinateGetter: KeyboardCoordinateGetter) {
  return useSensors(
    useSensor(NonTouchPointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter }),
  );
}
