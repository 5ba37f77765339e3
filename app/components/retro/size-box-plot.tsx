// Actual credits per size as box plots on a log axis, with each size's band drawn behind it.
// Recharts has no box plot: a ComposedChart sets up the axes (and draws the medians as a scatter),
// and a layer of our own SVG draws boxes and whiskers with the chart's own scales.
import {
  CartesianGrid,
  ComposedChart,
  Layer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
  usePlotArea,
  useXAxisScale,
  useYAxisScale,
} from "recharts";
import type { SizeDistribution } from "~/domain/retro";
import { ChartFrame, formatTick, logDomain, TOOLTIP_STYLE } from "~/components/charts/chart-frame";
import { formatCredits } from "~/domain/credits";

const WIDTH = 640;
const HEIGHT = 320;

function BoxLayer({ data, domain }: { data: SizeDistribution[]; domain: [number, number] }) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  const plot = usePlotArea();
  if (!x || !y || !plot || data.length === 0) return null;
  // The category axis places each size at a point (the medians' scatter sits there too).
  const centers = data.map((d) => Number(x(d.size)));
  const step = data.length > 1 ? (centers[data.length - 1]! - centers[0]!) / (data.length - 1) : plot.width / 2;
  const clamp = (v: number) => Math.min(domain[1], Math.max(domain[0], v));
  const py = (v: number) => y(clamp(v)) as number;
  return (
    <Layer className="box-plot">
      {data.map((d, i) => {
        const cx = centers[i]!;
        const w = Math.min(56, step * 0.5);
        const band =
          d.bandLow !== null ? (
            <rect
              x={cx - step * 0.4}
              width={step * 0.8}
              y={py(d.bandHigh ?? domain[1])}
              height={Math.max(0, py(Math.max(d.bandLow, domain[0])) - py(d.bandHigh ?? domain[1]))}
              fill="var(--chart-band)"
              fillOpacity={0.5}
              stroke="var(--chart-band-edge)"
            />
          ) : null;
        if (d.n === 0 || d.min === null || d.q1 === null || d.median === null || d.q3 === null || d.max === null) {
          return <g key={d.size}>{band}</g>;
        }
        return (
          <g key={d.size}>
            {band}
            <line x1={cx} x2={cx} y1={py(d.max)} y2={py(d.q3)} stroke="var(--chart-axis)" />
            <line x1={cx} x2={cx} y1={py(d.q1)} y2={py(d.min)} stroke="var(--chart-axis)" />
            <line x1={cx - w / 4} x2={cx + w / 4} y1={py(d.max)} y2={py(d.max)} stroke="var(--chart-axis)" />
            <line x1={cx - w / 4} x2={cx + w / 4} y1={py(d.min)} y2={py(d.min)} stroke="var(--chart-axis)" />
            <rect
              x={cx - w / 2}
              width={w}
              y={py(d.q3)}
              height={Math.max(1, py(d.q1) - py(d.q3))}
              fill="var(--chart-box)"
              stroke="var(--chart-accent)"
            />
            <line
              x1={cx - w / 2}
              x2={cx + w / 2}
              y1={py(d.median)}
              y2={py(d.median)}
              stroke="var(--chart-accent)"
              strokeWidth={3}
            />
          </g>
        );
      })}
    </Layer>
  );
}

export function SizeBoxPlot({ data }: { data: SizeDistribution[] }) {
  const values = data.flatMap((d) =>
    [d.min, d.max, d.bandLow || null, d.bandHigh].filter((v): v is number => v !== null && v > 0),
  );
  const { domain, ticks } = logDomain(values);
  const points = data.map((d) => ({
    size: d.size,
    median: d.median === null ? null : Math.min(domain[1], Math.max(domain[0], d.median)),
    n: d.n,
  }));
  const any = data.some((d) => d.n > 0);
  return (
    <ChartFrame
      title="Actual credits per size"
      width={WIDTH}
      height={HEIGHT}
      className="chart-box-plot"
      empty={any ? undefined : "No finished story with spend yet."}
      description="Box: middle half of the stories; thick line: median; whiskers: lowest and highest. Shaded: the size's band. Log scale."
      summary={
        <table>
          <caption>Actual credits per size</caption>
          <thead>
            <tr>
              <th scope="col">Size</th>
              <th scope="col">Stories</th>
              <th scope="col">Lowest</th>
              <th scope="col">Lower quartile</th>
              <th scope="col">Median</th>
              <th scope="col">Upper quartile</th>
              <th scope="col">Highest</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.size}>
                <th scope="row">{d.size}</th>
                <td>{d.n}</td>
                {[d.min, d.q1, d.median, d.q3, d.max].map((v, i) => (
                  <td key={i}>{v === null ? "—" : formatCredits(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ComposedChart
        accessibilityLayer={false}
        width={WIDTH}
        height={HEIGHT}
        data={points}
        margin={{ top: 12, right: 16, bottom: 8, left: 8 }}
      >
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis dataKey="size" type="category" stroke="var(--chart-axis)" padding={{ left: 48, right: 48 }} />
        <YAxis
          type="number"
          scale="log"
          domain={domain}
          ticks={ticks}
          allowDataOverflow
          tickFormatter={formatTick}
          stroke="var(--chart-axis)"
          width={56}
        />
        <BoxLayer data={data} domain={domain} />
        <Scatter dataKey="median" name="Median" fill="var(--chart-accent)" isAnimationActive={false} />
        <Tooltip
          contentStyle={TOOLTIP_STYLE}
          formatter={(value) => (typeof value === "number" ? `${formatCredits(value)} credits` : String(value))}
        />
      </ComposedChart>
    </ChartFrame>
  );
}
