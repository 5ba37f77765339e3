import { z } from "zod";
import { Id } from "~/domain/form-fields";
import type { Role } from "~/domain/roles";
import { getSprint } from "~/models/sprint.server";
import { requireTeamRole } from "~/server/auth.server";
import { notFound } from "~/utils/http.server";
import { memoPerRequest } from "~/utils/request-memo.server";

const ParamsSchema = z.object({ id: Id });

/**
 * For routes under /t/:team/sprints/:id: the team gate first (outsiders 404, low roles 403), then
 * the sprint of this team named by the URL, or 404.
 */
export async function requireSprint(request: Request, params: Record<string, string | undefined>, minRole: Role) {
  const ctx = await requireTeamRole(request, params.team, minRole);
  const parsed = ParamsSchema.safeParse(params);
  if (!parsed.success) notFound("Sprint not found");
  // The sprint layout and its page both ask: once per GET (see request-memo.server.ts).
  const sprint = await memoPerRequest(`sprint:${ctx.team.id}:${parsed.data.id}`, () =>
    getSprint(ctx.db, { teamId: ctx.team.id, sprintId: parsed.data.id }),
  );
  if (!sprint) notFound("Sprint not found");
  return { ...ctx, sprint };
}
