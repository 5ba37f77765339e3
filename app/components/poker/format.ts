// Small display helpers for the poker room (fixed locale: server and browser must render alike).
import type { DimensionId, SizingScheme } from "~/domain/sizing-scheme";

export function levelLabel(scheme: SizingScheme, dimension: DimensionId, id: string | null): string {
  if (id === null) return "—";
  if (id === "?") return "?";
  return scheme[dimension].find((l) => l.id === id)?.label ?? id;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, "0")}`;
}

export function formatAway(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return minutes < 1 ? "away" : `away ${minutes} min`;
}
