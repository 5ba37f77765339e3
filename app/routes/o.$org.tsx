import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { OrgShell } from "~/components/organisation/org-shell";
import { switcherTeams } from "~/server/auth.server";
import { requireOrgRole } from "~/server/org-access.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, org, role, memberships } = await requireOrgRole(request, params.org, "viewer");
  return { user: { id: user.id, name: user.name }, org, role, teams: switcherTeams(memberships) };
}

/** For child routes: the organisation, the user and their role, loaded once by this layout. */
export function useOrgContext() {
  return useRouteLoaderData<typeof loader>("routes/o.$org")!;
}

export default function OrganisationLayout() {
  const { user, org, role, teams } = useLoaderData<typeof loader>();
  return (
    <OrgShell org={org} user={user} role={role} teams={teams}>
      <Outlet />
    </OrgShell>
  );
}
