// GET /t/:team/sprints/:id/retro.csv — the retrospective's table as CSV: the same rows the page
// reads (snapshot for a closed sprint, current commitments for an open one), in key/title order,
// UTF-8 without a byte-order mark (Response encodes strings as plain UTF-8).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Id } from "~/domain/form-fields";
import { retroCsv } from "~/domain/retro";
import { getRetro } from "~/models/retro.server";
import { requireTeamRole } from "~/server/auth.server";
import { notFound } from "~/utils/http.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team } = await requireTeamRole(request, params.team, "observer");
  const sprintId = Id.safeParse(params.id);
  if (!sprintId.success) notFound("Sprint not found");
  const retro = await getRetro(db, { teamId: team.id, sprintId: sprintId.data });
  if (!retro) notFound("Sprint not found");
  return new Response(retroCsv(retro.rows), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${team.slug}-sprint-${retro.sprint.id}-retro.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
