import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLiveSpend } from "~/components/agents/use-live-spend";
import { BacklogDashboardCard } from "~/components/backlog/dashboard-card";
import { DriftDashboardCard } from "~/components/retro/dashboard-card";
import { PokerDashboardCard } from "~/components/poker/dashboard-card";
import { SprintDashboardCard } from "~/components/sprints/dashboard-card";
import { SpendDashboardCard } from "~/components/spend/dashboard-card";
import { OrganisationAlerts } from "~/components/organisation/organisation-alerts";
import { ROLE_LABELS } from "~/domain/roles";
import { listTeamOrganisationAlerts } from "~/models/organisation-alert.server";
import { getPokerDashboard } from "~/models/poker.server";
import { getLatestDriftHeadline } from "~/models/retro.server";
import { getSprintDashboard } from "~/models/sprint.server";
import { getUnattributedSummary } from "~/models/spend.server";
import { getBacklogCounts } from "~/models/story.server";
import { listMembers } from "~/models/team.server";
import { requireTeamRole } from "~/server/auth.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  // Independent reads: on PostgreSQL they run side by side on the pool; the embedded database
  // takes them one after another anyway.
  const [members, backlog, poker, sprint, spend, drift, orgAlerts] = await Promise.all([
    listMembers(db, team.id),
    getBacklogCounts(db, team.id),
    getPokerDashboard(db, team.id),
    getSprintDashboard(db, { teamId: team.id, timeZone: team.timeZone }),
    getUnattributedSummary(db, team.id),
    getLatestDriftHeadline(db, team.id),
    listTeamOrganisationAlerts(db, { teamId: team.id }),
  ]);
  return { team, role, memberCount: members.length, backlog, poker, sprint, spend, drift, orgAlerts };
}

export default function Dashboard() {
  const { team, role, memberCount, backlog, poker, sprint, spend, drift, orgAlerts } = useLoaderData<typeof loader>();
  // Spend arriving (an import, an agent's OpenTelemetry export) refreshes the sprint and spend cards.
  useLiveSpend(team.slug);
  return (
    <>
      <div className="page-header">
        <h1>{team.name}</h1>
      </div>
      <OrganisationAlerts alerts={orgAlerts} />
      <section className="cards" aria-label="Dashboard">
        <article className="card">
          <h2>Team</h2>
          <p className="big-number">{memberCount}</p>
          <p className="muted">
            {memberCount === 1 ? "member" : "members"} · you are {ROLE_LABELS[role].toLowerCase()}
          </p>
          <Link to="settings/members">Members and invites</Link>
        </article>
        <BacklogDashboardCard teamSlug={team.slug} counts={backlog} />
        <PokerDashboardCard teamSlug={team.slug} poker={poker} />
        <SprintDashboardCard teamSlug={team.slug} data={sprint} />
        <SpendDashboardCard teamSlug={team.slug} spend={spend} />
        <DriftDashboardCard teamSlug={team.slug} headline={drift} />
      </section>
    </>
  );
}
