import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/team/app-shell";
import { listTeamsForUser } from "~/models/team.server";
import { requireTeamRole } from "~/server/auth.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, user, team, role } = await requireTeamRole(request, params.team, "observer");
  const teams = await listTeamsForUser(db, user.id);
  return { user: { id: user.id, name: user.name }, team, role, teams };
}

/** For child routes: the team, the user and their role, loaded once by this layout. */
export function useTeamContext() {
  return useRouteLoaderData<typeof loader>("routes/t.$team")!;
}

export default function TeamLayout() {
  const { user, team, role, teams } = useLoaderData<typeof loader>();
  return (
    <AppShell team={team} teams={teams} user={user} role={role}>
      <Outlet />
    </AppShell>
  );
}
