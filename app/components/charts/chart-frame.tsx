// Every chart's frame (retro, insights, the sprint burn-up). Recharts 3 draws nothing during server
// rendering (its layout lives in a store filled by effects), so the server sends this box with the
// chart's aspect ratio fixed (its width and height, scaled by CSS through the SVG's viewBox) and the
// chart fills it after hydration without moving anything around it; a `placeholder` of the same size
// can stand in until then. The caption and the `summary` (a short text or a small table), or a `label`
// naming the box as an image, carry the same facts for screen readers and for anyone reading the page
// before JavaScript runs. Otherwise the box is aria-hidden, so nothing in it may take focus: every
// chart in one sets `accessibilityLayer={false}` (Recharts 3 otherwise makes its SVG a tab stop).
import type { ReactNode } from "react";
import { useHydrated } from "~/components/ui/use-hydrated";

export interface ChartFrameProps {
  /** Shown above the chart; leave it out when the section's heading already names the chart. */
  title?: ReactNode;
  width: number;
  height: number;
  /** Plain-language reading of the chart, visible under it. */
  description?: ReactNode;
  /** The chart's data as text (e.g. a table); visually hidden, read by screen readers. */
  summary?: ReactNode;
  /** A one-line reading of the chart: the box becomes an image of that name instead of being hidden. */
  label?: string;
  /** Shown inside the frame instead of the chart when there is nothing to draw. */
  empty?: ReactNode;
  /** Drawn in the box on the server and until hydration, in place of the chart (same size). */
  placeholder?: ReactNode;
  /** Under the box: a legend, the data as a table one can open, … */
  footer?: ReactNode;
  /** Let the chart grow past its drawn width to fill a wide container (a page-wide chart). */
  fillWidth?: boolean;
  /**
   * The chart is an SVG drawn on the server at its own size (its viewBox gives the height), so the
   * box reserves no aspect ratio: it may hold one drawing per screen width, shown by CSS.
   */
  selfSized?: boolean;
  children: ReactNode;
  className?: string;
}

export function ChartFrame({
  title,
  width,
  height,
  description,
  summary,
  label,
  empty,
  placeholder,
  footer,
  fillWidth = false,
  selfSized = false,
  children,
  className,
}: ChartFrameProps) {
  const hydrated = useHydrated();
  const reading = label
    ? { role: "img", "aria-label": label }
    : { "aria-hidden": empty ? undefined : ("true" as const) };
  return (
    <figure className={["chart", className].filter(Boolean).join(" ")}>
      {title ? <figcaption className="chart-title">{title}</figcaption> : null}
      <div
        className="chart-box"
        style={{
          aspectRatio: selfSized ? undefined : `${width} / ${height}`,
          maxWidth: fillWidth ? undefined : width,
        }}
        {...reading}
      >
        {empty ? (
          <div className="chart-empty">{empty}</div>
        ) : placeholder !== undefined && !hydrated ? (
          placeholder
        ) : (
          children
        )}
      </div>
      {description ? <p className="chart-description">{description}</p> : null}
      {summary ? <div className="sr-only">{summary}</div> : null}
      {footer}
    </figure>
  );
}

/** Powers of ten covering [min, max] (both > 0), at least one decade wide: log-axis ticks. */
export function logDomain(values: readonly number[], floor = 1): { domain: [number, number]; ticks: number[] } {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = positive.length ? 10 ** Math.floor(Math.log10(Math.min(...positive))) : floor;
  let hi = positive.length ? 10 ** Math.ceil(Math.log10(Math.max(...positive))) : floor * 1000;
  if (hi <= lo) hi = lo * 10;
  const ticks: number[] = [];
  for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(Number(t.toPrecision(6)));
  return { domain: [lo, hi], ticks };
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Axis ticks: 1, 10, 100, 1K, 10K. */
export function formatTick(value: number): string {
  return compact.format(value);
}

/** Recharts' default tooltip in the page's colours (light and dark). */
export const TOOLTIP_STYLE = {
  background: "var(--surface)",
  border: "1px solid var(--border)",
  color: "var(--text)",
  borderRadius: 4,
};
