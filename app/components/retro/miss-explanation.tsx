// Which shape of work carries the sprint's drift: the sentence, and the excess credits (actual −
// expected) per group of the dimension that explains most of it, as a small bar chart.
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from "recharts";
import { ChartFrame, TOOLTIP_STYLE } from "~/components/charts/chart-frame";
import type { MissExplanation } from "~/domain/miss-explanation";
import { formatCredits } from "~/domain/credits";

const WIDTH = 480;
const HEIGHT = 260;

export function MissExplanationPanel({ explanation }: { explanation: MissExplanation | null }) {
  if (!explanation) {
    return (
      <section aria-labelledby="misses-title" className="retro-section">
        <h3 id="misses-title">Where the drift is</h3>
        <p className="muted">The sprint ran within 10 % of its estimates overall: no drift to explain.</p>
      </section>
    );
  }
  const e = explanation;
  const data = e.groups.map((g) => ({ label: g.label, excess: Math.round(g.excess), over: g.excess > 0 }));
  return (
    <section aria-labelledby="misses-title" className="retro-section">
      <h3 id="misses-title">Where the drift is</h3>
      <p className="headline-words" data-testid="miss-sentence">
        {e.sentence}
      </p>
      <p data-testid="miss-scheme-part">{e.schemePart}</p>
      <p className="muted">
        {formatCredits(e.actual)} credits spent against {formatCredits(e.expected)} expected on {e.stories} stories with
        both: a net {e.direction === "over" ? "overrun" : "underrun"} of {formatCredits(Math.abs(e.excess))}.
      </p>
      <ChartFrame
        title={`Actual − expected credits by ${e.groupingLabel.toLowerCase()}`}
        width={WIDTH}
        height={HEIGHT}
        className="chart-misses"
        description="Bars to the right spent more than estimated, to the left less. Groups of work, never people."
        summary={
          <table>
            <caption>Actual minus expected credits per group</caption>
            <tbody>
              {e.groups.map((g) => (
                <tr key={g.key}>
                  <th scope="row">{g.label}</th>
                  <td>{formatCredits(g.excess)}</td>
                  <td>{g.stories} stories</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      >
        <BarChart
          accessibilityLayer={false}
          layout="vertical"
          width={WIDTH}
          height={HEIGHT}
          data={data}
          margin={{ top: 8, right: 16, bottom: 8, left: 8 }}
        >
          <CartesianGrid stroke="var(--chart-grid)" horizontal={false} />
          <XAxis type="number" stroke="var(--chart-axis)" tick={{ fontSize: 11 }} />
          <YAxis type="category" dataKey="label" width={150} stroke="var(--chart-axis)" tick={{ fontSize: 11 }} />
          <Bar dataKey="excess" name="Actual − expected" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.label} fill={d.over ? "var(--chart-danger)" : "var(--chart-ok)"} />
            ))}
          </Bar>
          <Tooltip cursor={{ fill: "var(--chart-grid)" }} contentStyle={TOOLTIP_STYLE} />
        </BarChart>
      </ChartFrame>
    </section>
  );
}
