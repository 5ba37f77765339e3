import { z } from "zod";
import { Id } from "~/domain/form-fields";
import type { Role } from "~/domain/roles";
import { getStory } from "~/models/story.server";
import { requireTeamRole } from "~/server/auth.server";
import { notFound } from "~/utils/http.server";

const ParamsSchema = z.object({ storyId: Id });

/**
 * For routes under /t/:team/stories/:storyId: the team gate first (outsiders 404, low roles 403),
 * then the story of this team named by the URL, or 404 (another team's id reads as no story).
 */
export async function requireStory(request: Request, params: Record<string, string | undefined>, minRole: Role) {
  const ctx = await requireTeamRole(request, params.team, minRole);
  const parsed = ParamsSchema.safeParse(params);
  if (!parsed.success) notFound("Story not found");
  const story = await getStory(ctx.db, { teamId: ctx.team.id, storyId: parsed.data.storyId });
  if (!story) notFound("Story not found");
  return { ...ctx, story };
}
