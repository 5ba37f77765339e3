import { Link, useActionData, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import { AgentSetupSnippets } from "~/components/agents/agent-setup";
import { BudgetCard } from "~/components/agents/budget-card";
import { useLiveSpend } from "~/components/agents/use-live-spend";
import { EstimateSummary } from "~/components/backlog/estimate-summary";
import { QuickEstimateForm } from "~/components/backlog/quick-estimate";
import { SpendCapCommands } from "~/components/backlog/spend-cap";
import { Labels, StatusBadge } from "~/components/backlog/story-badges";
import { EstimateHistory } from "./estimate-history";
import type { ActionResult } from "./intents";
import type { action, loader } from "./route";
import { StoryDetails } from "./story-details";

export function StoryView() {
  const {
    story,
    estimate,
    cap,
    creditValueUsd,
    history,
    scheme,
    schemeVersion,
    initialLevels,
    keyPattern,
    backlog,
    canEdit,
    budget,
    setup,
    teamSlug,
    canExtend,
  } = useLoaderData<typeof loader>();
  useLiveSpend(teamSlug);
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state === "submitting";
  const storyBase = `/t/${useParams().team}/stories/${story.id}`;
  const editing = result && !result.ok && result.intent === "update" ? result : undefined;
  const estimateError =
    result && !result.ok && result.intent === "estimate" ? Object.values(result.errors)[0] : undefined;
  const extendErrors = result && !result.ok && result.intent === "extend-budget" ? result.errors : {};

  return (
    <>
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to={backlog}>Backlog</Link> /{story.key ? <> {story.key}</> : null}
          </p>
          <h1>
            {story.key ? <code className="story-key story-key-lg">{story.key}</code> : null} {story.title}
          </h1>
          <p className="row story-meta">
            <StatusBadge status={story.status} />
            {story.archived ? <span className="badge badge-danger">Archived</span> : null}
            <Labels labels={story.labels} />
            <Link to={`${storyBase}/spend`}>Spend</Link>
            <Link to={`${storyBase}/outcome`}>Outcome</Link>
            <Link to={`${storyBase}/tracker`}>Tracker</Link>
            {story.link ? (
              <a href={story.link} rel="noreferrer noopener" target="_blank">
                {story.link.replace(/^https?:\/\//, "")}
              </a>
            ) : null}
          </p>
        </div>
      </div>

      {result?.ok && result.message ? (
        <p className="alert alert-ok" role="status">
          {result.message}
        </p>
      ) : null}

      <div className="story-layout">
        <div className="stack">
          <section className="card stack" aria-labelledby="estimate-heading">
            <h2 id="estimate-heading">Estimate</h2>
            {estimate ? <EstimateSummary estimate={estimate} /> : <p className="muted">Not estimated yet.</p>}
            {canEdit && !story.archived ? (
              <details className="quick-estimate-details" open={!estimate || Boolean(estimateError)}>
                <summary>{estimate ? "Re-estimate on your own" : "Quick estimate"}</summary>
                <QuickEstimateForm scheme={scheme} initial={initialLevels} error={estimateError} busy={busy} />
                <p className="muted">Uses the team's current sizing scheme, v{schemeVersion}.</p>
              </details>
            ) : null}
          </section>

          {budget ? (
            <BudgetCard budget={budget} canExtend={canExtend && !story.archived} busy={busy} errors={extendErrors} />
          ) : null}

          {cap ? (
            <section className="card stack" aria-labelledby="cap-heading">
              <h2 id="cap-heading">Spend cap</h2>
              <SpendCapCommands cap={cap} creditValueUsd={creditValueUsd} />
            </section>
          ) : null}

          <section className="card stack" aria-labelledby="agents-heading">
            <h2 id="agents-heading">Agent setup</h2>
            <details>
              <summary>Hook, OpenTelemetry and CI snippets for this story</summary>
              <AgentSetupSnippets setup={setup} idPrefix="story-setup" />
            </details>
          </section>

          {history.length > 1 ? <EstimateHistory history={history} /> : null}
        </div>

        <StoryDetails
          story={story}
          keyPattern={keyPattern}
          canEdit={canEdit}
          busy={busy}
          result={result}
          editing={editing}
        />
      </div>
    </>
  );
}
