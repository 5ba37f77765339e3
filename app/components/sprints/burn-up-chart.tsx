// Burn-up of a sprint's actual spend against its capacity, on recharts, in the shared chart frame:
// the server (and a browser without JavaScript) shows a same-size SVG placeholder and the data as a
// table; after hydration the chart draws into the same box, so nothing on the page moves.
import { Bar, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { ChartFrame, TOOLTIP_STYLE } from "~/components/charts/chart-frame";
import { formatDay } from "~/domain/dates";
import { type BurnUp } from "~/domain/capacity";
import { formatCredits } from "~/domain/credits";

export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 340;

const WEEKDAY = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
function dayLabel(date: string): string {
  return `${WEEKDAY[new Date(`${date}T00:00:00Z`).getUTCDay()]} ${Number(date.slice(8, 10))}`;
}

export interface BurnUpChartProps {
  burn: BurnUp;
  today: string;
  title?: string;
}

export function BurnUpChart({ burn, today, title = "Burn-up" }: BurnUpChartProps) {
  const rows = burn.days.map((d) => ({
    date: d.date,
    label: dayLabel(d.date),
    spent: d.date <= today ? d.spent : null,
    actual: d.cumulative,
    projected: d.projected,
    weekend: !d.workingDay,
  }));
  const top = Math.max(burn.capacity, burn.available, burn.projectedTotal ?? 0, burn.spentToDate, 1);
  const yMax = niceCeiling(top * 1.08);
  const yTicks = [0, 1, 2, 3, 4].map((i) => (yMax * i) / 4);
  // Marker labels sit at the right edge; when spend dwarfs capacity the lines bunch up, so a label
  // closer than ~16 px to a more important one is left out (the line and the legend remain).
  const plotHeight = CHART_HEIGHT - 16 - 8 - 30;
  const placed: number[] = [];
  const showLabel = (credits: number) => {
    const y = (credits / yMax) * plotHeight;
    if (placed.some((p) => Math.abs(p - y) < 14)) return false;
    placed.push(y);
    return true;
  };
  const hundred = burn.markers.find((m) => m.threshold === 100)!;
  const labelled = new Set<string>();
  if (showLabel(hundred.credits)) labelled.add("100");
  if (burn.capacity !== burn.available && showLabel(burn.capacity)) labelled.add("capacity");
  for (const m of [...burn.markers].reverse())
    if (m.threshold !== 100 && showLabel(m.credits)) labelled.add(String(m.threshold));
  const summary =
    `${title}: ${formatCredits(burn.spentToDate)} of ${formatCredits(burn.available)} available credits spent` +
    (burn.projectedTotal !== null ? `, projected ${formatCredits(burn.projectedTotal)} by the end.` : ".");
  const todayInRange = rows.some((r) => r.date === today);

  const placeholder = (
    <svg
      viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`}
      width={CHART_WIDTH}
      height={CHART_HEIGHT}
      aria-hidden="true"
      className="burnup-placeholder"
    >
      <rect x="72" y="16" width={CHART_WIDTH - 192} height={CHART_HEIGHT - 56} fill="none" stroke="var(--border)" />
      <text x={CHART_WIDTH / 2} y={CHART_HEIGHT / 2} textAnchor="middle" fill="var(--text-muted)" fontSize="14">
        {summary}
      </text>
    </svg>
  );
  const footer = (
    <>
      <figcaption className="burnup-legend">
        <span>
          <span className="legend-line legend-line-actual" aria-hidden="true" /> Actual spend (cumulative)
        </span>
        <span>
          <span className="legend-line legend-line-projected" aria-hidden="true" /> Projection to the end
        </span>
        <span>
          <span className="legend-swatch legend-swatch-soft" aria-hidden="true" /> Spent per day
        </span>
        <span>Markers at 75 / 90 / 100 % of available credits</span>
      </figcaption>
      <details className="burnup-data">
        <summary>Burn-up as a table</summary>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Spend per day</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" className="num">
                  Spent
                </th>
                <th scope="col" className="num">
                  Cumulative
                </th>
                <th scope="col" className="num">
                  Projected
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.date}>
                  <th scope="row">
                    {formatDay(r.date)} {r.weekend ? <span className="muted">(weekend)</span> : null}
                  </th>
                  <td className="num">{r.spent === null ? "—" : formatCredits(r.spent)}</td>
                  <td className="num">{r.actual === null ? "—" : formatCredits(r.actual)}</td>
                  <td className="num">{r.projected === null ? "—" : formatCredits(r.projected)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );

  return (
    <ChartFrame
      className="burnup"
      width={CHART_WIDTH}
      height={CHART_HEIGHT}
      label={summary}
      placeholder={placeholder}
      footer={footer}
      fillWidth
    >
      <ComposedChart
        width={CHART_WIDTH}
        height={CHART_HEIGHT}
        data={rows}
        margin={{ top: 16, right: 128, bottom: 8, left: 8 }}
        accessibilityLayer={false}
      >
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
        <XAxis
          dataKey="label"
          tick={{ fill: "var(--text-muted)", fontSize: 13 }}
          stroke="var(--border-strong)"
          interval={0}
        />
        <YAxis
          domain={[0, yMax]}
          ticks={yTicks}
          tickFormatter={(v: number) => formatCredits(v)}
          tick={{ fill: "var(--text-muted)", fontSize: 13 }}
          stroke="var(--border-strong)"
          width={64}
        />
        <Tooltip
          formatter={(value, name) => [
            value === null || value === undefined ? "—" : formatCredits(Number(value)),
            String(name),
          ]}
          contentStyle={TOOLTIP_STYLE}
        />
        <Bar dataKey="spent" name="Spent that day" fill="var(--meter-fill-2)" barSize={18} isAnimationActive={false} />
        {burn.capacity !== burn.available ? (
          <ReferenceLine
            y={burn.capacity}
            stroke="var(--text-muted)"
            strokeDasharray="2 4"
            label={
              labelled.has("capacity")
                ? {
                    value: `Capacity ${formatCredits(Math.round(burn.capacity))}`,
                    position: "right",
                    fill: "var(--text-muted)",
                    fontSize: 13,
                  }
                : undefined
            }
          />
        ) : null}
        {burn.markers.map((m) => (
          <ReferenceLine
            key={m.threshold}
            y={m.credits}
            stroke={
              m.threshold === 100
                ? "var(--meter-danger)"
                : m.threshold === 90
                  ? "var(--meter-warn)"
                  : "var(--border-strong)"
            }
            strokeDasharray={m.threshold === 100 ? undefined : "6 4"}
            strokeWidth={m.threshold === 100 ? 2 : 1}
            label={
              labelled.has(String(m.threshold))
                ? {
                    value: m.threshold === 100 ? `100 % (${formatCredits(Math.round(m.credits))})` : `${m.threshold} %`,
                    position: "right",
                    fill: "var(--text-muted)",
                    fontSize: 13,
                  }
                : undefined
            }
          />
        ))}
        {todayInRange ? (
          <ReferenceLine
            x={dayLabel(today)}
            stroke="var(--accent)"
            strokeDasharray="2 3"
            label={{ value: "Today", position: "insideTopLeft", fill: "var(--accent)", fontSize: 13 }}
          />
        ) : null}
        <Line
          dataKey="projected"
          name="Projected"
          stroke="var(--meter-fill)"
          strokeOpacity={0.75}
          strokeWidth={2}
          strokeDasharray="6 5"
          dot={false}
          connectNulls
          isAnimationActive={false}
        />
        <Line
          dataKey="actual"
          name="Actual (cumulative)"
          stroke="var(--meter-fill)"
          strokeWidth={3}
          dot={{ r: 3 }}
          isAnimationActive={false}
        />
      </ComposedChart>
    </ChartFrame>
  );
}

/** A round axis maximum that splits into four round ticks: 1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6 or 8 × a power of ten. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
