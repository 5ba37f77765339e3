import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/team/app-shell";
import { requireTeamRole, switcherTeams } from "~/server/auth.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, team, role, memberships } = await requireTeamRole(request, params.team, "observer");
  // The header links to the user's organisations: their own memberships only (an organisation a
  // team is in is not shown to team members who are not in it).
  return {
    user: { id: user.id, name: user.name },
    team,
    role,
    teams: switcherTeams(memberships),
    orgs: memberships.organisations.map((o) => ({ slug: o.slug, name: o.name })),
  };
}

/** For child routes: the team, the user and their role, loaded once by this layout. */
export function useTeamContext() {
  return useRouteLoaderData<typeof loader>("routes/t.$team")!;
}

export default function TeamLayout() {
  const { user, team, role, teams, orgs } = useLoaderData<typeof loader>();
  return (
    <AppShell team={team} teams={teams} user={user} role={role} orgs={orgs}>
      <Outlet />
    </AppShell>
  );
}
