// GET /t/:team/settings/export.json — the team's export document (app/domain/team-export.ts) as a
// download. Managers only: it holds everyone's spend and identities in one file, more than an
// observer or a member sees on any page.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportFileName } from "~/domain/team-export";
import { exportTeam } from "~/models/team-export.server";
import { requireTeamRole } from "~/server/auth.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team } = await requireTeamRole(request, params.team, "manager");
  const now = new Date();
  const doc = await exportTeam(db, team.id, now);
  // Compact: a year of a busy team's spend is tens of megabytes, and the import has a ceiling
  // (`jq .` makes it readable).
  return new Response(JSON.stringify(doc), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${exportFileName(team.slug, now)}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
