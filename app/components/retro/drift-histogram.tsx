// How far off the stories were, as a histogram of actual/expected on fixed log2 bins (1/8× … 8×)
// so sprints compare at a glance. Bars within 2× either way are neutral; beyond, outliers.
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from "recharts";
import type { HistogramBin } from "~/domain/drift";
import { ChartFrame, TOOLTIP_STYLE } from "~/components/charts/chart-frame";

const WIDTH = 480;
const HEIGHT = 340;

/** Within 2× either way: accent; beyond (an outlier): danger. */
function binFill(b: HistogramBin): string {
  const lo = b.lowLog2 ?? -Infinity;
  const hi = b.highLog2 ?? Infinity;
  return lo >= 1 || hi <= -1 ? "var(--chart-danger)" : "var(--chart-accent)";
}

export function DriftHistogram({ bins }: { bins: HistogramBin[] }) {
  const total = bins.reduce((a, b) => a + b.count, 0);
  const data = bins.map((b) => ({ ...b, fill: binFill(b) }));
  return (
    <ChartFrame
      title="Drift: actual ÷ expected"
      width={WIDTH}
      height={HEIGHT}
      className="chart-histogram"
      empty={total === 0 ? "No story has both an estimate and a spend yet." : undefined}
      description="Stories per ratio bin. Left of 1× the spend came in under the estimate, right of it over; red bars are more than 2× off either way."
      summary={
        <table>
          <caption>Stories per ratio bin</caption>
          <tbody>
            {bins
              .filter((b) => b.count > 0)
              .map((b) => (
                <tr key={b.label}>
                  <th scope="row">{b.label}</th>
                  <td>{b.count}</td>
                </tr>
              ))}
          </tbody>
        </table>
      }
    >
      <BarChart
        accessibilityLayer={false}
        width={WIDTH}
        height={HEIGHT}
        data={data}
        margin={{ top: 12, right: 16, bottom: 44, left: 0 }}
        barCategoryGap={2}
      >
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis
          dataKey="label"
          interval={0}
          angle={-40}
          textAnchor="end"
          height={56}
          tick={{ fontSize: 11 }}
          stroke="var(--chart-axis)"
        />
        <YAxis allowDecimals={false} stroke="var(--chart-axis)" width={36} />
        <Bar dataKey="count" name="Stories" isAnimationActive={false}>
          {data.map((b) => (
            <Cell key={b.label} fill={b.fill} />
          ))}
        </Bar>
        <Tooltip cursor={{ fill: "var(--chart-grid)" }} contentStyle={TOOLTIP_STYLE} />
      </BarChart>
    </ChartFrame>
  );
}
