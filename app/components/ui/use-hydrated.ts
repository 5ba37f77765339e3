import { useSyncExternalStore } from "react";

const subscribeNever = () => () => {};

/**
 * False on the server and during hydration, true afterwards. Lets components render markup that is
 * identical on both sides first (the form that works before JavaScript), then switch on browser-only
 * behaviour. Its own module so a component needing it does not pull in the drag-and-drop list.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeNever,
    () => true,
    () => false,
  );
}
