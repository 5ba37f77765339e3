// The session summary: what was sized, the total expected credits, and which stories to split.
import type { SessionSummary } from "~/domain/poker";
import { formatCredits } from "~/domain/credits";

export function SummaryPanel({ summary }: { summary: SessionSummary }) {
  return (
    <section className="card stack" aria-labelledby="poker-summary-h">
      <h2 id="poker-summary-h">Session summary</h2>
      <p>
        <strong>{summary.finalized}</strong> of {summary.stories} {summary.stories === 1 ? "story" : "stories"}{" "}
        finalized
        {summary.skipped ? <> · {summary.skipped} skipped</> : null}
        {summary.pending ? <> · {summary.pending} to go</> : null} · total{" "}
        <strong>{formatCredits(summary.totalExpected)} credits</strong> expected (p80 {formatCredits(summary.totalP80)})
      </p>
      {summary.sized.length ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Story</th>
                <th scope="col">Size</th>
                <th scope="col" className="num">
                  Expected credits
                </th>
                <th scope="col" className="num">
                  p80
                </th>
              </tr>
            </thead>
            <tbody>
              {summary.sized.map((s) => (
                <tr key={s.itemId}>
                  <th scope="row">
                    {s.key ? <span className="muted">{s.key} </span> : null}
                    {s.title}
                  </th>
                  <td>
                    <span className="badge">{s.size}</span>
                  </td>
                  <td className="num">{formatCredits(s.expected)}</td>
                  <td className="num">{formatCredits(s.p80)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td />
                <td className="num">
                  <strong>{formatCredits(summary.totalExpected)}</strong>
                </td>
                <td className="num">{formatCredits(summary.totalP80)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      ) : (
        <p className="muted">No story has been finalized yet.</p>
      )}
      {summary.split.length ? (
        <div>
          <h3>Marked split</h3>
          <ul>
            {summary.split.map((s) => (
              <li key={s.itemId}>
                <span aria-hidden="true">✂ </span>
                {s.key ? <span className="muted">{s.key} </span> : null}
                {s.title}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
