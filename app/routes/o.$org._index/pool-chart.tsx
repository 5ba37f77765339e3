// The month's cumulative spend across the organisation (solid, with today's point marked) and the
// projection at the current rate to month end (dashed), against the pool and, when metered overage
// is allowed, the pool plus overage budget. The axis is scaled to the spend and the projection
// (pool-chart-scale.ts): a pool far above them is drawn over a break in the axis, labelled.
//
// Drawn here as plain SVG, on the server: the chart reads without JavaScript, and a phone gets its
// own narrower, taller drawing (CSS shows one of the two) instead of the wide one shrunk to 3 px
// text. The figures are in the description, the screen-reader summary and a table one can open.
import { ChartFrame, formatTick } from "~/components/charts/chart-frame";
import { formatCredits } from "~/domain/credits";
import { poolChartScale, type PoolChartScale } from "./pool-chart-scale";

export interface PoolChartProps {
  daily: { day: string; actual: number | null; projected: number | null }[];
  pool: number;
  ceiling: number;
  runOut: string;
}

interface Layout {
  width: number;
  height: number;
  font: number;
  /** Label every n-th day on the x axis. */
  dayEvery: number;
  className: string;
}

const WIDE: Layout = { width: 960, height: 300, font: 13, dayEvery: 2, className: "pool-chart-wide" };
const NARROW: Layout = { width: 400, height: 300, font: 14, dayEvery: 7, className: "pool-chart-narrow" };

/** Labels keep a ring of the card's colour, so a line running under one does not cross its letters. */
const HALO = { stroke: "var(--surface)", strokeWidth: 4, strokeLinejoin: "round", paintOrder: "stroke" } as const;

const weekday = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", timeZone: "UTC" });
/** "Tue 1": the month is in the chart's title; a phone has room for three short columns. */
const dayLabel = (day: string) => weekday.format(new Date(`${day}T00:00:00Z`));

const credits = (v: number) => formatCredits(Math.abs(v) >= 1000 ? Math.round(v) : v);

export function PoolChart({ daily, pool, ceiling, runOut }: PoolChartProps) {
  const spent = daily.reduce((m, d) => (d.actual === null ? m : d.actual), 0);
  const projectedEnd = daily.length ? daily[daily.length - 1]!.projected : null;
  const burnTop = Math.max(spent, projectedEnd ?? 0);
  const scale = poolChartScale({ burnTop, pool, ceiling });
  const share = pool > 0 && projectedEnd !== null ? Math.round((projectedEnd / pool) * 100) : null;
  return (
    <ChartFrame
      className="pool-chart"
      title="Pool burn this month"
      width={WIDE.width}
      height={WIDE.height}
      selfSized
      description={
        <>
          Cumulative spend of every team (solid, today marked) and at the current rate to month end (dashed), against
          the pool{ceiling > pool ? " and the pool plus overage budget" : ""}.{" "}
          {share !== null ? `The projection ends at ${share} % of the pool. ` : ""}
          {scale.offScale.length ? "The axis is scaled to the spend; what is far above it is drawn over a break. " : ""}
          {runOut}
        </>
      }
      summary={
        <p>
          Pool {formatCredits(pool)} credits
          {ceiling > pool ? `, ${formatCredits(ceiling)} with the overage budget` : ""}; spent so far{" "}
          {formatCredits(spent)}
          {projectedEnd !== null ? `; projected month end ${formatCredits(projectedEnd)}` : ""}. {runOut}
        </p>
      }
      footer={
        <details className="pool-chart-data">
          <summary>Pool burn as a table</summary>
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Cumulative spend per day this month</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col" className="num">
                    Spent
                  </th>
                  <th scope="col" className="num">
                    Projected
                  </th>
                </tr>
              </thead>
              <tbody>
                {daily.map((d) => (
                  <tr key={d.day}>
                    <th scope="row">{dayLabel(d.day)}</th>
                    <td className="num">{d.actual === null ? "—" : formatCredits(d.actual)}</td>
                    <td className="num">
                      {d.projected === null || d.actual !== null ? "—" : formatCredits(d.projected)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      }
    >
      <PoolDrawing layout={WIDE} daily={daily} scale={scale} spent={spent} projectedEnd={projectedEnd} />
      <PoolDrawing layout={NARROW} daily={daily} scale={scale} spent={spent} projectedEnd={projectedEnd} />
    </ChartFrame>
  );
}

function PoolDrawing({
  layout,
  daily,
  scale,
  spent,
  projectedEnd,
}: {
  layout: Layout;
  daily: PoolChartProps["daily"];
  scale: PoolChartScale;
  spent: number;
  projectedEnd: number | null;
}) {
  const { width, height, font } = layout;
  const left = Math.round(font * 3.6);
  const right = Math.round(font * 0.9);
  const top = 8;
  const bottom = Math.round(font * 1.9);
  // The band above the break: a row per off-scale line, then the gap where the axis breaks.
  const bandRow = Math.round(font * 1.7);
  const band = scale.offScale.length ? scale.offScale.length * bandRow + Math.round(font * 0.8) : 0;
  const plotTop = top + band;
  const plotBottom = height - bottom;
  const plotHeight = plotBottom - plotTop;
  const plotRight = width - right;
  const n = Math.max(daily.length, 2);
  const x = (i: number) => left + (i / (n - 1)) * (plotRight - left);
  const y = (v: number) => plotBottom - (v / scale.max) * plotHeight;
  const bandY = (i: number) => top + (scale.offScale.length - 1 - i) * bandRow + bandRow / 2;

  const actual = daily.flatMap((d, i) => (d.actual === null ? [] : [[x(i), y(d.actual)] as const]));
  const todayIndex = daily.reduce((last, d, i) => (d.actual === null ? last : i), -1);
  const projected = daily.flatMap((d, i) =>
    d.projected === null || i < todayIndex ? [] : [[x(i), y(d.projected)] as const],
  );
  const points = (p: readonly (readonly [number, number])[]) =>
    p.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(" ");
  const today = todayIndex >= 0 ? actual[actual.length - 1]! : null;
  const todayOnRight = today !== null && today[0] > left + (plotRight - left) * 0.6;
  const end = projected.length > 1 ? projected[projected.length - 1]! : null;

  return (
    <svg
      className={`pool-chart-drawing ${layout.className}`}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      aria-hidden="true"
      fontSize={font}
    >
      <g className="pool-chart-plot" data-top={plotTop} data-bottom={plotBottom}>
        <rect x={left} y={plotTop} width={plotRight - left} height={plotHeight} fill="none" />
        {scale.ticks.map((t) => (
          <g key={t}>
            <line x1={left} x2={plotRight} y1={y(t)} y2={y(t)} stroke="var(--chart-grid)" />
            <text x={left - 6} y={y(t)} dy="0.35em" textAnchor="end" fill="var(--chart-axis)">
              {formatTick(t)}
            </text>
          </g>
        ))}
      </g>
      <line x1={left} x2={left} y1={plotTop} y2={plotBottom} stroke="var(--chart-axis)" />
      <line x1={left} x2={plotRight} y1={plotBottom} y2={plotBottom} stroke="var(--chart-axis)" />
      {daily.map((d, i) =>
        i % layout.dayEvery === 0 ? (
          <text key={d.day} x={x(i)} y={plotBottom + font * 1.3} textAnchor="middle" fill="var(--chart-axis)">
            {Number(d.day.slice(8, 10))}
          </text>
        ) : null,
      )}

      {scale.offScale.length ? (
        <g className="pool-chart-break">
          {/* The axis stops below the band and picks up again in it: two slanted strokes. */}
          <line x1={left} x2={left} y1={top} y2={plotTop - font * 0.8} stroke="var(--chart-axis)" />
          {[0, 1].map((k) => (
            <line
              key={k}
              x1={left - 6}
              x2={left + 6}
              y1={plotTop - font * 0.2 - k * 5}
              y2={plotTop - font * 0.2 - k * 5 - 5}
              stroke="var(--chart-axis)"
              strokeWidth={1.5}
            />
          ))}
        </g>
      ) : null}
      {[
        ...scale.onScale.map((r) => ({ r, at: y(r.value) })),
        ...scale.offScale.map((r, i) => ({ r, at: bandY(i) })),
      ].map(({ r, at }) => (
        <g key={r.key} className={`pool-chart-ref pool-chart-ref-${r.key}`}>
          <line
            x1={left}
            x2={plotRight}
            y1={at}
            y2={at}
            stroke={r.key === "pool" ? "var(--chart-danger)" : "var(--chart-axis)"}
            strokeDasharray={r.key === "pool" ? "6 3" : "2 4"}
            strokeWidth={r.key === "pool" ? 1.5 : 1}
          />
          <text x={left + 6} y={at - 4} fill="var(--text)" fontWeight={600} {...HALO}>
            {r.label} {credits(r.value)}
          </text>
        </g>
      ))}

      {projected.length > 1 ? (
        <polyline
          className="pool-chart-line pool-chart-projected"
          points={points(projected)}
          fill="none"
          stroke="var(--accent)"
          strokeWidth={2}
          strokeDasharray="7 5"
        />
      ) : null}
      {actual.length > 1 ? (
        <polyline
          className="pool-chart-line pool-chart-actual"
          points={points(actual)}
          fill="none"
          stroke="var(--accent)"
          strokeWidth={3}
        />
      ) : null}
      {today ? (
        <g className="pool-chart-line pool-chart-today">
          <circle cx={today[0]} cy={today[1]} r={4.5} fill="var(--accent)" />
          <text
            x={today[0] + (todayOnRight ? -8 : 8)}
            y={today[1] - 8}
            textAnchor={todayOnRight ? "end" : "start"}
            fill="var(--text)"
            fontWeight={600}
            {...HALO}
          >
            Spent {credits(spent)}
          </text>
        </g>
      ) : null}
      {end && projectedEnd !== null ? (
        <text x={end[0] - 4} y={end[1] - 8} textAnchor="end" fill="var(--text)" fontWeight={600} {...HALO}>
          Projected {credits(projectedEnd)}
        </text>
      ) : null}
    </svg>
  );
}
