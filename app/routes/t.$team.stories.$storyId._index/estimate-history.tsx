import type { StoryPageData } from "./story.server";
import { formatDay } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export function EstimateHistory({ history }: { history: StoryPageData["history"] }) {
  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">Estimate history</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Levels</th>
              <th scope="col">Size</th>
              <th scope="col" className="num">
                Expected
              </th>
              <th scope="col" className="num">
                p80
              </th>
              <th scope="col">Scheme</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr key={h.id}>
                <td>{formatDay(h.createdAt)}</td>
                <td>
                  {h.intensity} · {h.autonomy} · {h.risk}
                </td>
                <td>{h.size}</td>
                <td className="num">{formatCredits(h.expectedCredits)}</td>
                <td className="num">{formatCredits(h.p80Credits)}</td>
                <td>v{h.schemeVersion}</td>
                <td>
                  {h.source === "solo" ? "Solo" : "Session"}
                  {h.createdByName ? <span className="muted"> · {h.createdByName}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
