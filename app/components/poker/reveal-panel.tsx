// A revealed round: every voter's cards, the spread per dimension, what each voter's cards imply,
// how much the room agrees, and the suggested consensus. Agreement is said in words and symbols,
// never by colour alone.
import type { RevealedRound } from "~/domain/poker";
import type { Agreement } from "~/domain/sizing";
import { DIMENSIONS, type SizingScheme } from "~/domain/sizing-scheme";
import { levelLabel } from "~/components/poker/format";
import { formatCredits } from "~/domain/credits";

const AGREEMENT: Record<Agreement, { label: string; icon: string; className: string }> = {
  unanimous: { label: "Unanimous", icon: "✓", className: "badge badge-ok" },
  close: { label: "Close", icon: "≈", className: "badge badge-info" },
  wide: { label: "Wide spread", icon: "↔", className: "badge badge-warn" },
};

export function AgreementBadge({ agreement }: { agreement: Agreement | null }) {
  if (!agreement) return <span className="badge">No cards</span>;
  const a = AGREEMENT[agreement];
  return (
    <span className={a.className}>
      <span aria-hidden="true">{a.icon}</span> {a.label}
    </span>
  );
}

/** The room's overall agreement: the widest of the three dimensions. */
export function overallAgreement(round: RevealedRound): Agreement | null {
  const order: Agreement[] = ["unanimous", "close", "wide"];
  let worst: Agreement | null = null;
  for (const d of DIMENSIONS) {
    const a = round.summary.dimensions[d.id].agreement;
    if (a && (worst === null || order.indexOf(a) > order.indexOf(worst))) worst = a;
  }
  return worst;
}

export function SuggestionLine({ round, scheme }: { round: RevealedRound; scheme: SizingScheme }) {
  const s = round.summary.suggestion;
  if (s.split) {
    return (
      <p className="poker-suggestion">
        <strong>Suggested: split the story</strong> — {round.summary.splitCount} of {round.summary.voters} voted split.
      </p>
    );
  }
  return (
    <p className="poker-suggestion">
      <strong>Suggested consensus:</strong> {levelLabel(scheme, "intensity", s.intensity)} ·{" "}
      {levelLabel(scheme, "autonomy", s.autonomy)} · {levelLabel(scheme, "risk", s.risk)}
      {s.estimate.size ? (
        <>
          {" "}
          → <span className="badge badge-info">{s.estimate.size}</span> {formatCredits(s.estimate.expected)} credits
          expected
          {s.estimate.p80 !== null ? <>, p80 {formatCredits(s.estimate.p80)}</> : null}
        </>
      ) : null}
    </p>
  );
}

export function RevealPanel({ round, scheme, title }: { round: RevealedRound; scheme: SizingScheme; title: string }) {
  const overall = overallAgreement(round);
  return (
    <section className="poker-reveal stack" aria-label={title} data-testid="revealed-round">
      <div className="row">
        <h3>{title}</h3>
        <span className="muted">
          {round.summary.voters} {round.summary.voters === 1 ? "vote" : "votes"}
        </span>
        <span>
          Agreement: <AgreementBadge agreement={overall} />
        </span>
      </div>
      <SuggestionLine round={round} scheme={scheme} />
      <div className="table-wrap table-wrap-sticky">
        <table>
          <caption className="sr-only">Every voter's cards in {title.toLowerCase()}</caption>
          <thead>
            <tr>
              <th scope="col">Voter</th>
              {DIMENSIONS.map((d) => (
                <th scope="col" key={d.id}>
                  {d.label}
                </th>
              ))}
              <th scope="col">Implied size</th>
              <th scope="col" className="num">
                Credits <span className="muted">(exp. · p80)</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {round.votes.map((v) => (
              <tr key={v.participantId}>
                <th scope="row">{v.name}</th>
                {v.split ? (
                  <td colSpan={3}>
                    <span className="badge badge-warn">✂ Split</span>
                  </td>
                ) : (
                  DIMENSIONS.map((d) => <td key={d.id}>{levelLabel(scheme, d.id, v[d.id])}</td>)
                )}
                <td>{v.implied.size ? <span className="badge">{v.implied.size}</span> : "—"}</td>
                <td className="num">
                  {formatCredits(v.implied.expected)} · {formatCredits(v.implied.p80)}
                </td>
              </tr>
            ))}
            {round.votes.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  Nobody voted in this round.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <div className="poker-distribution">
        {DIMENSIONS.map((d) => {
          const dim = round.summary.dimensions[d.id];
          const total = Object.values(dim.counts).reduce((a, b) => a + b, 0);
          const levels = [...scheme[d.id].map((l) => ({ id: l.id, label: l.label })), { id: "?", label: "?" }];
          return (
            <div key={d.id} className="poker-dist">
              <div className="row">
                <h4>{d.label}</h4>
                <AgreementBadge agreement={dim.agreement} />
              </div>
              <ul className="plain-list">
                {levels.map((l) => {
                  const n = dim.counts[l.id] ?? 0;
                  return (
                    <li
                      key={l.id}
                      className={l.id === dim.suggestion ? "poker-dist-row is-suggested" : "poker-dist-row"}
                    >
                      <span className="poker-dist-label">
                        {l.label}
                        {l.id === dim.suggestion ? <span className="sr-only"> (suggested)</span> : null}
                        {l.id === dim.suggestion ? <span aria-hidden="true"> ★</span> : null}
                      </span>
                      <span className="poker-dist-bar" aria-hidden="true">
                        <span style={{ width: `${total ? (n / total) * 100 : 0}%` }} />
                      </span>
                      <span className="num">{n}</span>
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        })}
      </div>
    </section>
  );
}
