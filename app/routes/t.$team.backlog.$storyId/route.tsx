import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import { z } from "zod";
import { Id, LineText } from "~/domain/form-fields";
import { EstimateSummary, type EstimateView } from "~/components/backlog/estimate-summary";
import { QuickEstimateForm } from "~/components/backlog/quick-estimate";
import { AgentSetupSnippets } from "~/components/agents/agent-setup";
import { BudgetCard } from "~/components/agents/budget-card";
import { useLiveSpend } from "~/components/agents/use-live-spend";
import { SpendCapCommands } from "~/components/backlog/spend-cap";
import { StoryFields } from "~/components/backlog/story-fields";
import { formatCredits, Labels, STATUS_LABELS, StatusBadge } from "~/components/backlog/story-bits";
import { FormError } from "~/components/ui/field";
import { agentSetup } from "~/domain/agent-setup";
import { withoutControlChars } from "~/domain/otlp/spend";
import { roleAtLeast } from "~/domain/roles";
import { levelIndex, UnknownLevelError } from "~/domain/sizing";
import { DIMENSIONS, type DimensionId } from "~/domain/sizing-scheme";
import { spendCap, taskText } from "~/domain/spend-cap";
import { storyFieldsSchema } from "~/domain/story-form";
import { BudgetExtensionError, extendStoryBudget, getStoryBudget, listStoryExtensions } from "~/models/budget.server";
import { getCreditValue } from "~/models/rate.server";
import { getCurrentScheme, getSchemeVersion } from "~/models/scheme.server";
import {
  DuplicateKeyError,
  findExistingKeys,
  getStory,
  listStoryEstimates,
  recordEstimate,
  setStoryArchived,
  STORY_STATUSES,
  updateStory,
  type StoryStatus,
} from "~/models/story.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid, notFound } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.story ? (data.story.key ? `${data.story.key} ${data.story.title}` : data.story.title) : "Story"} · Token Poker` },
];

const ParamsSchema = z.object({ storyId: Id });
const day = (d: Date | string | null) => (d ? new Date(d).toISOString().slice(0, 10) : "");

async function loadStory(request: Request, params: LoaderFunctionArgs["params"], minRole: "observer" | "member") {
  const ctx = await requireTeamRole(request, params.team, minRole);
  const parsed = ParamsSchema.safeParse(params);
  if (!parsed.success) notFound("Story not found");
  const story = await getStory(ctx.db, { teamId: ctx.team.id, storyId: parsed.data.storyId });
  if (!story) notFound("Story not found");
  return { ...ctx, story };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role, story } = await loadStory(request, params, "observer");
  const [current, history, creditValueUsd, budget, extensions] = await Promise.all([
    getCurrentScheme(db, team.id),
    listStoryEstimates(db, { teamId: team.id, storyId: story.id }),
    getCreditValue(db, team.id),
    getStoryBudget(db, { teamId: team.id, storyId: story.id }),
    listStoryExtensions(db, { teamId: team.id, storyId: story.id }),
  ]);
  let estimate: EstimateView | null = null;
  if (story.estimateId && story.schemeId) {
    const frozen = (await getSchemeVersion(db, { teamId: team.id, schemeId: story.schemeId }))!;
    const levels = { intensity: story.intensity!, autonomy: story.autonomy!, risk: story.risk! };
    estimate = {
      size: story.size!,
      expectedCredits: story.expectedCredits!,
      p80Credits: story.p80Credits!,
      bandLow: story.bandLow!,
      bandHigh: story.bandHigh ?? null,
      source: story.estimateSource!,
      schemeVersion: story.schemeVersion!,
      currentSchemeVersion: current.version,
      estimatedAt: day(story.estimatedAt),
      estimatedBy: history.find((h) => h.id === story.estimateId)?.createdByName ?? null,
      levels: DIMENSIONS.map((d) => {
        const level = frozen.scheme[d.id].find((l) => l.id === levels[d.id]);
        return { dimension: d.id, dimensionLabel: d.label, id: levels[d.id], label: level?.label ?? levels[d.id], description: level?.description ?? "" };
      }),
    };
  }
  // Pre-select the current levels in the quick estimate when the current scheme still has them.
  const initialLevels: Partial<Record<DimensionId, string>> = {};
  for (const d of DIMENSIONS) {
    const id = story[d.id];
    if (id && current.scheme[d.id].some((l) => l.id === id)) initialLevels[d.id] = id;
  }
  return {
    story: {
      id: story.id,
      key: story.key,
      title: story.title,
      link: story.link,
      labels: story.labels,
      description: story.description,
      status: story.status,
      archived: story.archivedAt !== null,
      createdAt: day(story.createdAt),
    },
    estimate,
    cap: estimate ? spendCap({ p80Credits: estimate.p80Credits + (budget?.extended ?? 0), creditValueUsd, task: taskText(story) }) : null,
    budget: budget
      ? {
          decision: budget.decision,
          reason: budget.reason,
          spent: budget.spent,
          extended: budget.extended,
          p80: budget.estimate?.p80 ?? null,
          leftToP80: budget.leftToP80,
          sprint: budget.sprint ? { name: budget.sprint.name, policy: budget.sprint.policy, remaining: budget.sprintRemaining } : null,
          extensions: extensions.map((x) => ({ id: x.id, credits: x.credits, reason: x.reason, createdAt: day(x.createdAt), byName: x.byName })),
        }
      : null,
    setup: agentSetup({ origin: new URL(request.url).origin, team: team.slug, storyKey: story.key }),
    teamSlug: team.slug,
    canExtend: roleAtLeast(role, "manager"),
    creditValueUsd,
    history: history.map((h) => ({ ...h, createdAt: day(h.createdAt) })),
    scheme: current.scheme,
    schemeVersion: current.version,
    initialLevels,
    keyPattern: team.keyPattern,
    backlog: `/t/${team.slug}/backlog`,
    canEdit: roleAtLeast(role, "member"),
  };
}

const LevelId = LineText.min(1, "Pick a level").max(60);
const StoryIntentSchema = (keyPattern: string) =>
  z.discriminatedUnion("intent", [
    storyFieldsSchema(keyPattern).extend({ intent: z.literal("update"), status: z.enum(STORY_STATUSES as [StoryStatus, ...StoryStatus[]]) }),
    z.object({
      intent: z.literal("estimate"),
      intensity: LevelId.optional().pipe(z.string({ error: "Pick a model intensity" })),
      autonomy: LevelId.optional().pipe(z.string({ error: "Pick an autonomy level" })),
      risk: LevelId.optional().pipe(z.string({ error: "Pick a budget risk" })),
    }),
    z.object({ intent: z.literal("archive") }),
    z.object({ intent: z.literal("restore") }),
    z.object({
      intent: z.literal("extend-budget"),
      credits: z.coerce.number({ error: "Give a number of credits" }).finite().positive("Give a positive number of credits").max(1_000_000_000),
      reason: z
        .string()
        .transform((v) => withoutControlChars(v).trim())
        .pipe(z.string().min(1, "Say why the story needs more").max(500, "Keep it under 500 characters")),
    }),
  ]);

type ActionResult = { ok: boolean; intent: string; errors: Record<string, string>; values: Record<string, string>; message?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user, role, story } = await loadStory(request, params, "member");
  const form = parseForm(await request.formData(), StoryIntentSchema(team.keyPattern));
  if (!form.ok) return data<ActionResult>({ ok: false, intent: form.values.intent ?? "", errors: form.errors, values: form.values }, { status: 400 });
  const input = form.data;
  const done = (message: string) => data<ActionResult>({ ok: true, intent: input.intent, errors: {}, values: {}, message });
  switch (input.intent) {
    case "update": {
      const { intent: _intent, ...values } = input;
      const fail = (errors: Record<string, string>) =>
        data<ActionResult>(
          {
            ok: false,
            intent: "update",
            errors,
            values: { ...values, key: values.key ?? "", link: values.link ?? "", labels: values.labels.join(", ") },
          },
          { status: 400 },
        );
      if (values.key && values.key !== story.key && (await findExistingKeys(db, { teamId: team.id, keys: [values.key] })).length) {
        return fail({ key: `${values.key} is already a story in this team` });
      }
      try {
        await updateStory(db, { teamId: team.id, storyId: story.id, ...values });
      } catch (error) {
        if (error instanceof DuplicateKeyError) return fail({ key: error.message });
        throw error;
      }
      // Finishing a story asks what the spend bought (and why it drifted, when it did).
      if (values.status === "done" && story.status !== "done") return redirect(`/t/${team.slug}/stories/${story.id}/outcome`);
      return done("Saved.");
    }
    case "estimate": {
      const scheme = await getCurrentScheme(db, team.id);
      const levels = { intensity: input.intensity, autonomy: input.autonomy, risk: input.risk };
      try {
        for (const d of DIMENSIONS) levelIndex(scheme.scheme, d.id, levels[d.id]);
      } catch (error) {
        if (error instanceof UnknownLevelError) return invalid({ [error.dimension]: "That level is not in the team's sizing scheme any more; pick again." });
        throw error;
      }
      await recordEstimate(db, { teamId: team.id, storyId: story.id, levels, source: "solo", createdBy: user.id });
      return done("Solo estimate saved.");
    }
    case "archive":
      await setStoryArchived(db, { teamId: team.id, storyId: story.id, archived: true });
      return redirect(`/t/${team.slug}/backlog`);
    case "restore":
      await setStoryArchived(db, { teamId: team.id, storyId: story.id, archived: false });
      return done("Restored to the backlog.");
    case "extend-budget": {
      if (!roleAtLeast(role, "manager")) throw new Response("Managers extend budgets.", { status: 403 });
      try {
        await extendStoryBudget(db, { teamId: team.id, storyId: story.id, credits: input.credits, reason: input.reason, userId: user.id });
      } catch (error) {
        if (error instanceof BudgetExtensionError) {
          return data<ActionResult>({ ok: false, intent: "extend-budget", errors: { form: error.message }, values: {} }, { status: 400 });
        }
        throw error;
      }
      return done(`Budget extended by ${formatCredits(input.credits)} credits: the agent's next call continues.`);
    }
  }
}

export default function StoryPage() {
  const { story, estimate, cap, creditValueUsd, history, scheme, schemeVersion, initialLevels, keyPattern, backlog, canEdit, budget, setup, teamSlug, canExtend } =
    useLoaderData<typeof loader>();
  useLiveSpend(teamSlug);
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state === "submitting";
  const storyBase = `/t/${useParams().team}/stories/${story.id}`;
  const editing = result && !result.ok && result.intent === "update" ? result : undefined;
  const estimateError = result && !result.ok && result.intent === "estimate" ? Object.values(result.errors)[0] : undefined;
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

          {budget ? <BudgetCard budget={budget} canExtend={canExtend && !story.archived} busy={busy} errors={extendErrors} /> : null}

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

          {history.length > 1 ? (
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
                        <td>{h.createdAt}</td>
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
          ) : null}
        </div>

        <section className="card stack" aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          {canEdit ? (
            <Form method="post" className="stack" key={result?.ok ? `saved-${result.message}` : "edit"}>
              <input type="hidden" name="intent" value="update" />
              <FormError message={editing?.errors.form} />
              <StoryFields
                keyPattern={keyPattern}
                errors={editing?.errors ?? {}}
                values={{
                  title: editing?.values.title ?? story.title,
                  key: editing?.values.key ?? story.key ?? "",
                  link: editing?.values.link ?? story.link ?? "",
                  labels: editing?.values.labels ?? story.labels.join(", "),
                  description: editing?.values.description ?? story.description,
                }}
              />
              <div className="field">
                <label htmlFor="status">Status</label>
                <select id="status" name="status" defaultValue={editing?.values.status ?? story.status}>
                  {(Object.keys(STATUS_LABELS) as (keyof typeof STATUS_LABELS)[]).map((s) => (
                    <option key={s} value={s}>
                      {STATUS_LABELS[s]}
                    </option>
                  ))}
                </select>
                <p className="field-hint">Backlog → estimated → committed → done. A quick estimate moves a backlog story to estimated.</p>
              </div>
              <div className="row">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  Save changes
                </button>
              </div>
            </Form>
          ) : (
            <div className="stack">
              {story.description ? <p className="story-description">{story.description}</p> : <p className="muted">No description.</p>}
            </div>
          )}
          <p className="muted">Added on {story.createdAt}.</p>
          {canEdit ? (
            <Form method="post" className="row">
              <input type="hidden" name="intent" value={story.archived ? "restore" : "archive"} />
              <button type="submit" className={story.archived ? "btn" : "btn btn-ghost btn-danger-text"}>
                {story.archived ? "Restore to the backlog" : "Archive story"}
              </button>
              {!story.archived ? <span className="muted">Archived stories leave the backlog; their key stays taken.</span> : null}
            </Form>
          ) : null}
        </section>
      </div>
    </>
  );
}
