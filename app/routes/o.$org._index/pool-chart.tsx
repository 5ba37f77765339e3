// The month's cumulative spend across the organisation against the pool (and the ceiling, when
// metered overage is allowed), with the projection at the current rate. Drawn in the shared
// ChartFrame, which reserves the box on the server and carries the figures as text.
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { ChartFrame, formatTick, TOOLTIP_STYLE } from "~/components/charts/chart-frame";
import { useHydrated } from "~/components/ui/use-hydrated";
import { formatCredits } from "~/domain/credits";

const WIDTH = 960;
const HEIGHT = 300;

export interface PoolChartProps {
  daily: { day: string; actual: number | null; projected: number | null }[];
  pool: number;
  ceiling: number;
  runOut: string;
}

export function PoolChart({ daily, pool, ceiling, runOut }: PoolChartProps) {
  const hydrated = useHydrated();
  const data = daily.map((d) => ({ ...d, label: String(Number(d.day.slice(8, 10))) }));
  const highest = Math.max(pool, ceiling, ...daily.map((d) => Math.max(d.actual ?? 0, d.projected ?? 0)), 1);
  return (
    <ChartFrame
      title="Pool burn this month"
      width={WIDTH}
      height={HEIGHT}
      description={
        <>
          Cumulative spend of every team (solid) and at the current rate to month end (dashed), against the pool
          {ceiling > pool ? " and the pool plus overage budget" : ""}. {runOut}
        </>
      }
      summary={
        <p>
          Pool {formatCredits(pool)} credits; spent so far{" "}
          {formatCredits(daily.reduce((m, d) => (d.actual === null ? m : d.actual), 0))}. {runOut}
        </p>
      }
    >
      {hydrated ? (
        <LineChart
          accessibilityLayer={false}
          width={WIDTH}
          height={HEIGHT}
          data={data}
          margin={{ top: 12, right: 16, bottom: 8, left: 0 }}
        >
          <CartesianGrid stroke="var(--chart-grid)" />
          <XAxis dataKey="label" stroke="var(--chart-axis)" tick={{ fontSize: 11 }} interval={1} />
          <YAxis
            domain={[0, Math.ceil(highest * 1.08)]}
            tickFormatter={formatTick}
            stroke="var(--chart-axis)"
            width={52}
          />
          <Tooltip contentStyle={TOOLTIP_STYLE} formatter={(v) => formatCredits(Number(v))} />
          <ReferenceLine
            y={pool}
            stroke="var(--danger, #b42318)"
            strokeDasharray="4 2"
            label={{ value: "pool", position: "insideTopLeft", fontSize: 11 }}
          />
          {ceiling > pool ? (
            <ReferenceLine
              y={ceiling}
              stroke="var(--chart-axis)"
              strokeDasharray="2 4"
              label={{ value: "+ overage", position: "insideTopLeft", fontSize: 11 }}
            />
          ) : null}
          <Line
            type="monotone"
            dataKey="actual"
            name="Spent"
            stroke="var(--accent)"
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
            connectNulls={false}
          />
          <Line
            type="monotone"
            dataKey="projected"
            name="Projected"
            stroke="var(--accent)"
            strokeDasharray="6 4"
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
        </LineChart>
      ) : (
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" aria-hidden="true" />
      )}
    </ChartFrame>
  );
}
