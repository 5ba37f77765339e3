// Expected against actual credits on log-log axes: the diagonal is "spent what we said", the
// dashed lines are 2× either way (beyond them a story is an outlier), and the shaded squares are
// the size bands (a point inside its band's square landed in band).
import { CartesianGrid, ReferenceArea, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";
import { ChartFrame, formatTick, logDomain } from "~/components/charts/chart-frame";
import { formatRatioCell } from "~/components/retro/retro-table";
import { formatCredits } from "~/domain/credits";

export interface ScatterPoint {
  id: number;
  label: string;
  expected: number;
  actual: number;
  kind: "in" | "out" | "outlier";
  ratio: number | null;
}

export interface ScatterBand {
  label: string;
  low: number;
  high: number | null;
}

const WIDTH = 480;
const HEIGHT = 340;
const KINDS = [
  { kind: "in", name: "In band", fill: "var(--chart-ok)" },
  { kind: "out", name: "Out of band", fill: "var(--chart-neutral)" },
  { kind: "outlier", name: "More than 2× off", fill: "var(--chart-danger)" },
] as const;

export function CalibrationScatter({ points, bands }: { points: ScatterPoint[]; bands: ScatterBand[] }) {
  const { domain, ticks } = logDomain(points.flatMap((p) => [p.expected, p.actual]));
  const [lo, hi] = domain;
  // A zero actual has no place on a log axis: it is drawn on the bottom edge.
  const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
  const data = (kind: ScatterPoint["kind"]) =>
    points.filter((p) => p.kind === kind).map((p) => ({ ...p, x: clamp(p.expected), y: clamp(p.actual) }));
  const counts = KINDS.map((k) => `${points.filter((p) => p.kind === k.kind).length} ${k.name.toLowerCase()}`).join(
    ", ",
  );
  return (
    <ChartFrame
      title="Calibration: expected vs actual credits"
      width={WIDTH}
      height={HEIGHT}
      className="chart-calibration"
      empty={points.length === 0 ? "No story has both an estimate and a spend yet." : undefined}
      description={
        <>
          <span className="retro-swatch retro-swatch-ok" /> in band ·{" "}
          <span className="retro-swatch retro-swatch-neutral" /> out of band ·{" "}
          <span className="retro-swatch retro-swatch-danger" /> more than 2× off. Diagonal: spent as estimated; dashed:
          2× either way; squares: size bands. Log scales.
        </>
      }
      summary={<p>{`${points.length} stories plotted: ${counts}.`}</p>}
    >
      <ScatterChart
        accessibilityLayer={false}
        width={WIDTH}
        height={HEIGHT}
        margin={{ top: 12, right: 16, bottom: 28, left: 8 }}
      >
        <CartesianGrid stroke="var(--chart-grid)" />
        <XAxis
          type="number"
          dataKey="x"
          name="Expected"
          scale="log"
          domain={domain}
          ticks={ticks}
          allowDataOverflow
          tickFormatter={formatTick}
          stroke="var(--chart-axis)"
          label={{ value: "Expected credits", position: "insideBottom", offset: -16, fill: "var(--chart-axis)" }}
        />
        <YAxis
          type="number"
          dataKey="y"
          name="Actual"
          scale="log"
          domain={domain}
          ticks={ticks}
          allowDataOverflow
          tickFormatter={formatTick}
          stroke="var(--chart-axis)"
          width={56}
          label={{ value: "Actual credits", angle: -90, position: "insideLeft", offset: 4, fill: "var(--chart-axis)" }}
        />
        {bands.map((b) => {
          const x1 = Math.max(lo, b.low);
          const x2 = Math.min(hi, b.high ?? hi);
          if (x2 <= x1) return null;
          return (
            <ReferenceArea
              key={`${b.label}-${b.low}`}
              x1={x1}
              x2={x2}
              y1={x1}
              y2={x2}
              fill="var(--chart-band)"
              fillOpacity={0.5}
              stroke="var(--chart-band-edge)"
              ifOverflow="hidden"
              label={{ value: b.label, position: "insideTopLeft", fill: "var(--chart-axis)", fontSize: 11 }}
            />
          );
        })}
        <ReferenceLine
          segment={[
            { x: lo, y: lo },
            { x: hi, y: hi },
          ]}
          stroke="var(--chart-axis)"
          ifOverflow="hidden"
        />
        <ReferenceLine
          segment={[
            { x: lo, y: lo * 2 },
            { x: hi / 2, y: hi },
          ]}
          stroke="var(--chart-axis)"
          strokeDasharray="4 4"
          ifOverflow="hidden"
        />
        <ReferenceLine
          segment={[
            { x: lo * 2, y: lo },
            { x: hi, y: hi / 2 },
          ]}
          stroke="var(--chart-axis)"
          strokeDasharray="4 4"
          ifOverflow="hidden"
        />
        {KINDS.map((k) => (
          <Scatter key={k.kind} name={k.name} data={data(k.kind)} fill={k.fill} isAnimationActive={false} />
        ))}
        <Tooltip cursor={false} content={<PointTooltip />} />
      </ScatterChart>
    </ChartFrame>
  );
}

function PointTooltip({ active, payload }: { active?: boolean; payload?: readonly { payload?: ScatterPoint }[] }) {
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  return (
    <div className="chart-tooltip">
      <strong>{p.label}</strong>
      <div>
        expected {formatCredits(p.expected)} · actual {formatCredits(p.actual)}
        {p.ratio !== null ? ` · ${formatRatioCell(p.ratio)}` : ""}
      </div>
    </div>
  );
}
