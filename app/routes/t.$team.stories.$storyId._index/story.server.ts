import { data, redirect } from "@remix-run/node";
import type { EstimateView } from "~/components/backlog/estimate-summary";
import { agentSetup } from "~/domain/agent-setup";
import { roleAtLeast } from "~/domain/roles";
import { levelIndex, UnknownLevelError } from "~/domain/sizing";
import { DIMENSIONS, type DimensionId } from "~/domain/sizing-scheme";
import { spendCap, taskText } from "~/domain/spend-cap";
import { BudgetExtensionError, extendStoryBudget, getStoryBudget, listStoryExtensions } from "~/models/budget.server";
import { getCreditValue } from "~/models/rate.server";
import { getCurrentScheme, getSchemeVersion } from "~/models/scheme.server";
import {
  DuplicateKeyError,
  findExistingKeys,
  listStoryEstimates,
  recordEstimate,
  setStoryArchived,
  updateStory,
} from "~/models/story.server";
import type { requireStory } from "~/server/story-route.server";
import { invalid } from "~/utils/http.server";
import type { ActionResult, StoryIntent } from "./intents";
import { formatCredits } from "~/domain/credits";

const day = (d: Date | string | null) => (d ? new Date(d).toISOString().slice(0, 10) : "");

type StoryContext = Awaited<ReturnType<typeof requireStory>>;
export type StoryPageData = Awaited<ReturnType<typeof storyPageData>>;

/** Everything the story page shows, for the loader. */
export async function storyPageData(request: Request, { db, team, role, story }: StoryContext) {
  const [current, history, creditValueUsd, budget, extensions] = await Promise.all([
    getCurrentScheme(db, team.id),
    listStoryEstimates(db, { teamId: team.id, storyId: story.id }),
    getCreditValue(db, team.id),
    getStoryBudget(db, { teamId: team.id, storyId: story.id }),
    listStoryExtensions(db, { teamId: team.id, storyId: story.id }),
  ]);
  const sessionHref = (id: number | null) => (id === null ? null : `/t/${team.slug}/poker/${id}`);
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
      sessionHref: sessionHref(history.find((h) => h.id === story.estimateId)?.sessionId ?? null),
      schemeVersion: story.schemeVersion!,
      currentSchemeVersion: current.version,
      estimatedAt: day(story.estimatedAt),
      estimatedBy: history.find((h) => h.id === story.estimateId)?.createdByName ?? null,
      levels: DIMENSIONS.map((d) => {
        const level = frozen.scheme[d.id].find((l) => l.id === levels[d.id]);
        return {
          dimension: d.id,
          dimensionLabel: d.label,
          id: levels[d.id],
          label: level?.label ?? levels[d.id],
          description: level?.description ?? "",
        };
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
    cap: estimate
      ? spendCap({ p80Credits: estimate.p80Credits + (budget?.extended ?? 0), creditValueUsd, task: taskText(story) })
      : null,
    budget: budget
      ? {
          decision: budget.decision,
          reason: budget.reason,
          spent: budget.spent,
          extended: budget.extended,
          p80: budget.estimate?.p80 ?? null,
          leftToP80: budget.leftToP80,
          sprint: budget.sprint
            ? { name: budget.sprint.name, policy: budget.sprint.policy, remaining: budget.sprintRemaining }
            : null,
          extensions: extensions.map((x) => ({
            id: x.id,
            credits: x.credits,
            reason: x.reason,
            createdAt: day(x.createdAt),
            byName: x.byName,
          })),
        }
      : null,
    setup: agentSetup({ origin: new URL(request.url).origin, team: team.slug, storyKey: story.key }),
    teamSlug: team.slug,
    canExtend: roleAtLeast(role, "manager"),
    creditValueUsd,
    history: history.map((h) => ({ ...h, createdAt: day(h.createdAt), sessionHref: sessionHref(h.sessionId) })),
    scheme: current.scheme,
    schemeVersion: current.version,
    initialLevels,
    keyPattern: team.keyPattern,
    backlog: `/t/${team.slug}/backlog`,
    canEdit: roleAtLeast(role, "member"),
  };
}

/** Runs one parsed intent against the story, for the action. */
export async function runStoryIntent({ db, team, user, role, story }: StoryContext, input: StoryIntent) {
  const done = (message: string) =>
    data<ActionResult>({ ok: true, intent: input.intent, errors: {}, values: {}, message });
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
      if (
        values.key &&
        values.key !== story.key &&
        (await findExistingKeys(db, { teamId: team.id, keys: [values.key] })).length
      ) {
        return fail({ key: `${values.key} is already a story in this team` });
      }
      try {
        await updateStory(db, { teamId: team.id, storyId: story.id, ...values });
      } catch (error) {
        if (error instanceof DuplicateKeyError) return fail({ key: error.message });
        throw error;
      }
      // Finishing a story asks what the spend bought (and why it drifted, when it did).
      if (values.status === "done" && story.status !== "done")
        return redirect(`/t/${team.slug}/stories/${story.id}/outcome`);
      return done("Saved.");
    }
    case "estimate": {
      const scheme = await getCurrentScheme(db, team.id);
      const levels = { intensity: input.intensity, autonomy: input.autonomy, risk: input.risk };
      try {
        for (const d of DIMENSIONS) levelIndex(scheme.scheme, d.id, levels[d.id]);
      } catch (error) {
        if (error instanceof UnknownLevelError)
          return invalid({ [error.dimension]: "That level is not in the team's sizing scheme any more; pick again." });
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
        await extendStoryBudget(db, {
          teamId: team.id,
          storyId: story.id,
          credits: input.credits,
          reason: input.reason,
          userId: user.id,
        });
      } catch (error) {
        if (error instanceof BudgetExtensionError) {
          return data<ActionResult>(
            { ok: false, intent: "extend-budget", errors: { form: error.message }, values: {} },
            { status: 400 },
          );
        }
        throw error;
      }
      return done(`Budget extended by ${formatCredits(input.credits)} credits: the agent's next call continues.`);
    }
  }
}
