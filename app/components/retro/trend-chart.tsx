// Per sprint: in-band hit rate and p80 coverage (left axis, %), and bias — the median
// log2(actual/expected) — on the right axis, labelled as a factor (1× = unbiased).
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import type { SprintTrend } from "~/domain/retro";
import { describeBias, formatShare } from "~/domain/retro";
import { ChartFrame, TOOLTIP_STYLE } from "~/components/charts/chart-frame";

const WIDTH = 640;
const HEIGHT = 320;

function factorLabel(log2: number): string {
  const f = 2 ** log2;
  return f >= 1 ? `${Number(f.toFixed(1))}×` : `${Number(f.toPrecision(2))}×`;
}

export function TrendChart({ trends }: { trends: SprintTrend[] }) {
  const data = trends.map((t) => ({
    name: t.name,
    hitRate: t.hitRate === null ? null : Math.round(t.hitRate * 100),
    p80: t.p80Coverage === null ? null : Math.round(t.p80Coverage * 100),
    bias: t.bias === null ? null : Number(t.bias.toFixed(3)),
  }));
  const maxBias = Math.max(1, ...trends.map((t) => Math.ceil(Math.abs(t.bias ?? 0))));
  const biasTicks = Array.from({ length: 2 * maxBias + 1 }, (_, i) => i - maxBias);
  return (
    <ChartFrame
      title="Trends per sprint"
      width={WIDTH}
      height={HEIGHT}
      className="chart-trend"
      empty={trends.length === 0 ? "No closed sprint yet." : undefined}
      description={
        <>
          <span className="retro-line retro-line-ok" /> in band and <span className="retro-line retro-line-accent" />{" "}
          p80 coverage in % (left axis; dashed at 80 %); <span className="retro-line retro-line-bias" /> bias, the
          median factor actual ÷ expected (right axis, 1× = on the estimate). Finished stories only.
        </>
      }
      summary={
        <table>
          <caption>Trends per sprint</caption>
          <thead>
            <tr>
              <th scope="col">Sprint</th>
              <th scope="col">In band</th>
              <th scope="col">p80 coverage</th>
              <th scope="col">Bias</th>
            </tr>
          </thead>
          <tbody>
            {trends.map((t) => (
              <tr key={t.sprintId}>
                <th scope="row">{t.name}</th>
                <td>{formatShare(t.hitRate)}</td>
                <td>{formatShare(t.p80Coverage)}</td>
                <td>{describeBias(t.bias)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <LineChart
        accessibilityLayer={false}
        width={WIDTH}
        height={HEIGHT}
        data={data}
        margin={{ top: 12, right: 8, bottom: 8, left: 0 }}
      >
        <CartesianGrid stroke="var(--chart-grid)" />
        <XAxis dataKey="name" stroke="var(--chart-axis)" tick={{ fontSize: 11 }} padding={{ left: 24, right: 24 }} />
        <YAxis
          yAxisId="pct"
          domain={[0, 100]}
          ticks={[0, 20, 40, 60, 80, 100]}
          unit=" %"
          stroke="var(--chart-axis)"
          width={52}
        />
        <YAxis
          yAxisId="bias"
          orientation="right"
          domain={[-maxBias, maxBias]}
          ticks={biasTicks}
          tickFormatter={factorLabel}
          stroke="var(--chart-axis)"
          width={48}
        />
        <ReferenceLine yAxisId="pct" y={80} stroke="var(--chart-axis)" strokeDasharray="4 4" />
        <ReferenceLine yAxisId="bias" y={0} stroke="var(--chart-bias)" strokeOpacity={0.4} />
        <Line
          yAxisId="pct"
          type="linear"
          dataKey="hitRate"
          name="In band"
          stroke="var(--chart-ok)"
          strokeWidth={2}
          dot
          connectNulls
          isAnimationActive={false}
        />
        <Line
          yAxisId="pct"
          type="linear"
          dataKey="p80"
          name="p80 coverage"
          stroke="var(--chart-accent)"
          strokeWidth={2}
          dot
          connectNulls
          isAnimationActive={false}
        />
        <Line
          yAxisId="bias"
          type="linear"
          dataKey="bias"
          name="Bias"
          stroke="var(--chart-bias)"
          strokeWidth={2}
          strokeDasharray="6 3"
          dot
          connectNulls
          isAnimationActive={false}
        />
        <Tooltip
          contentStyle={TOOLTIP_STYLE}
          formatter={(value, name) =>
            name === "Bias" && typeof value === "number" ? factorLabel(value) : `${value} %`
          }
        />
      </LineChart>
    </ChartFrame>
  );
}
