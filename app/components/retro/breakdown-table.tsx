// Drift by one shape of work (a dimension's levels, or sizes): which kinds of work drift, and which
// way. Groups, never people.
import type { DriftGroup } from "~/domain/drift";
import { describeRatio } from "~/domain/drift";
import { formatShare } from "~/domain/retro";

export function BreakdownTable({
  title,
  groups,
  labelOf,
}: {
  title: string;
  groups: DriftGroup[];
  labelOf: (key: string | null) => string;
}) {
  return (
    <div className="table-wrap breakdown">
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" className="num">
              Stories
            </th>
            <th scope="col" className="num">
              Compared
            </th>
            <th scope="col" className="num">
              In band
            </th>
            <th scope="col">Median drift</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.key ?? "none"}>
              <th scope="row">{labelOf(g.key)}</th>
              <td className="num">{g.stories}</td>
              <td className="num">{g.compared}</td>
              <td className="num">{formatShare(g.hitRate)}</td>
              <td
                className={g.direction === "over" ? "drift-over" : g.direction === "under" ? "drift-under" : undefined}
              >
                {g.medianRatio === null ? <span className="muted">—</span> : shortRatio(g.medianRatio)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "1.6× over", "0.5× under", "on estimate". */
export function shortRatio(ratio: number): string {
  const words = describeRatio(ratio);
  if (words.endsWith("on the estimate")) return "on estimate";
  const x = ratio >= 10 ? Math.round(ratio) : Number(ratio.toFixed(ratio >= 1 ? 1 : 2));
  return `${x}× ${ratio > 1 ? "over" : "under"}`;
}
