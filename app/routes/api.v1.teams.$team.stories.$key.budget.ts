// GET /api/v1/teams/:team/stories/:key/budget — the budget guard for a CI step or an agent: the
// story's estimate, its spend so far, what is left to p80, the sprint's remaining credits and a
// decision (continue | warn | stop) with a one-line reason. Needs a team token (an ingest token
// cannot read). ?strict=1 answers 409 for "stop", so `curl --fail` ends a CI job.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getStoryBudget } from "~/models/budget.server";
import { apiError, requireApiToken } from "~/server/api-auth.server";

const KeySchema = z.string().trim().min(1).max(100);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const auth = await requireApiToken(request, params.team, ["team"]);
  if (auth instanceof Response) return auth;
  const key = KeySchema.safeParse(params.key);
  if (!key.success) return apiError(404, "unknown_story", "No story has that key in this team.");
  const budget = await getStoryBudget(auth.db, { teamId: auth.token.teamId, key: key.data });
  if (!budget) return apiError(404, "unknown_story", "No story has that key in this team.");
  const strict = new URL(request.url).searchParams.get("strict") === "1";
  return Response.json(
    {
      story: { key: budget.story.key, title: budget.story.title },
      estimate: budget.estimate,
      spent: budget.spent,
      extended: budget.extended,
      leftToP80: budget.leftToP80,
      sprint: budget.sprint
        ? {
            name: budget.sprint.name,
            policy: budget.sprint.policy,
            available: budget.sprint.available,
            spent: budget.sprint.spent,
            remaining: budget.sprintRemaining,
          }
        : null,
      team: { remaining: budget.teamRemaining },
      decision: budget.decision,
      reason: budget.reason,
    },
    { status: strict && budget.decision === "stop" ? 409 : 200, headers: { "Cache-Control": "no-store" } },
  );
}
