// My own spend: the entries whose tool user name maps to me (the team's identity mapping), by story
// and by tool. Only ever the signed-in person's own figures — the URL names no one, so nobody can
// look at anyone else's spend here, and nothing is ranked.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getMySpend } from "~/models/retro.server";
import { requireTeamRole } from "~/server/auth.server";
import { formatCredits } from "~/domain/credits";

export const meta: MetaFunction = () => [{ title: "My spend · Token Poker" }];

const SOURCE_LABELS: Record<string, string> = {
  "copilot-usage": "GitHub Copilot",
  "copilot-premium": "Copilot premium requests",
  "claude-jsonl": "Claude Code",
  ccusage: "ccusage",
  litellm: "LiteLLM",
  "generic-csv": "CSV import",
  api: "API",
  manual: "By hand",
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "observer");
  const spend = await getMySpend(db, { teamId: team.id, userId: user.id });
  return { spend, base: `/t/${team.slug}`, name: user.name };
}

export default function MySpendPage() {
  const { spend, base, name } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>My spend</h1>
          <p className="muted page-subtitle">
            {name}, this page is yours alone: nobody else sees it, and it compares you with no one.
          </p>
        </div>
      </div>
      {spend.identities.length === 0 ? (
        <div className="card empty-state">
          <h2>No tool identity is mapped to you yet</h2>
          <p>
            Spend entries carry the user name or e-mail each tool writes. Once someone maps yours to you on the{" "}
            <Link to={`${base}/spend`}>Spend</Link> page, your own spend shows here.
          </p>
        </div>
      ) : (
        <>
          <section className="cards" aria-label="Totals">
            <article className="card">
              <h2>Total</h2>
              <p className="big-number">{formatCredits(spend.total.credits)}</p>
              <p className="muted">
                credits over {spend.total.entries} {spend.total.entries === 1 ? "entry" : "entries"}
                {spend.total.unpriced ? `, ${spend.total.unpriced} unpriced` : ""}
              </p>
            </article>
            <article className="card">
              <h2>Identities</h2>
              <p className="row">
                {spend.identities.map((i) => (
                  <code key={i}>{i}</code>
                ))}
              </p>
            </article>
          </section>
          <div className="breakdown-grid">
            <div className="table-wrap">
              <table>
                <caption>By story</caption>
                <thead>
                  <tr>
                    <th scope="col">Story</th>
                    <th scope="col" className="num">
                      Entries
                    </th>
                    <th scope="col" className="num">
                      Credits
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {spend.byStory.map((r) => (
                    <tr key={r.storyId ?? "none"}>
                      <th scope="row">
                        {r.storyId === null ? (
                          <span className="muted">Not attributed to a story</span>
                        ) : (
                          <Link to={`${base}/stories/${r.storyId}`}>
                            {r.key ? <code className="story-key">{r.key}</code> : null} {r.title}
                          </Link>
                        )}
                      </th>
                      <td className="num">{r.entries}</td>
                      <td className="num">
                        {formatCredits(r.credits)}
                        {r.unpriced ? <span className="muted"> +{r.unpriced} unpriced</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="table-wrap">
              <table>
                <caption>By tool and model</caption>
                <thead>
                  <tr>
                    <th scope="col">Tool</th>
                    <th scope="col">Model</th>
                    <th scope="col" className="num">
                      Entries
                    </th>
                    <th scope="col" className="num">
                      Credits
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {spend.byTool.map((r) => (
                    <tr key={`${r.source}:${r.model}`}>
                      <th scope="row">{SOURCE_LABELS[r.source] ?? r.source}</th>
                      <td>{r.model ?? <span className="muted">—</span>}</td>
                      <td className="num">{r.entries}</td>
                      <td className="num">
                        {formatCredits(r.credits)}
                        {r.unpriced ? <span className="muted"> +{r.unpriced} unpriced</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      )}
    </>
  );
}
