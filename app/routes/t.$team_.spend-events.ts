// GET /t/:team/spend-events — the team's live spend stream (server-sent events) that the dashboard,
// sprint and story pages listen to; any team role may listen (it carries no figures).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireTeamRole } from "~/server/auth.server";
import { openSpendStream } from "~/utils/spend-live.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { team } = await requireTeamRole(request, params.team, "observer");
  return openSpendStream(request, team.id);
}
