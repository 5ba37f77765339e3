// Drift sprint by sprint, newest first.
import { Link } from "@remix-run/react";
import { shortRatio } from "~/components/retro/breakdown-table";
import { formatShare } from "~/domain/retro";
import type { InsightsData } from "./insights-data";
import { formatDay } from "~/domain/dates";

export function SprintTrendTable({ d }: { d: InsightsData }) {
  return (
    <section aria-labelledby="sprints-title" className="retro-section">
      <h2 id="sprints-title">Sprint by sprint</h2>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Drift per sprint</caption>
          <thead>
            <tr>
              <th scope="col">Sprint</th>
              <th scope="col" className="num">
                Finished
              </th>
              <th scope="col" className="num">
                Compared
              </th>
              <th scope="col" className="num">
                In band
              </th>
              <th scope="col" className="num">
                p80 coverage
              </th>
              <th scope="col">Bias</th>
            </tr>
          </thead>
          <tbody>
            {[...d.trends].reverse().map((t) => (
              <tr key={t.sprintId}>
                <th scope="row">
                  <Link to={`${d.base}/sprints/${t.sprintId}/retro`}>{t.name}</Link>{" "}
                  <span className="muted">{formatDay(t.end)}</span>
                </th>
                <td className="num">{t.stories}</td>
                <td className="num">{t.compared}</td>
                <td className="num">{formatShare(t.hitRate)}</td>
                <td className="num">{formatShare(t.p80Coverage)}</td>
                <td>{t.bias === null ? "—" : shortRatio(2 ** t.bias)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
