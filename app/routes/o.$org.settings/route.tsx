import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { FormError } from "~/components/ui/field";
import { listOpenOrgInvites, listOrgMembers, listOrgTeams } from "~/models/organisation.server";
import { requireOrgRole } from "~/server/org-access.server";
import { InvitesCard, LinkBanner, MembersCard, TeamsCard } from "./settings-cards";
import { handleSettingsIntent, type SettingsActionResult } from "./intents";

export const meta: MetaFunction = () => [{ title: "Organisation settings · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, org, role, user } = await requireOrgRole(request, params.org, "viewer");
  const isAdmin = role === "admin";
  return {
    me: user.id,
    isAdmin,
    // Viewers see who is in the organisation, not how to reach them: the page showed admins only
    // the e-mails, but the loader's data carried them to everyone.
    members: (await listOrgMembers(db, org.id)).map((m) => (isAdmin ? m : { ...m, email: "" })),
    invites: isAdmin ? await listOpenOrgInvites(db, org.id) : [],
    // Only teams that accepted: a waiting request would tell the admin that a team with the address
    // they typed exists, which an organisation must not learn about teams outside it.
    teams: (await listOrgTeams(db, org.id)).filter((t) => t.status === "accepted"),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const ctx = await requireOrgRole(request, params.org, "admin");
  return handleSettingsIntent(ctx, request);
}

export default function OrganisationSettings() {
  const { me, isAdmin, members, invites, teams } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as SettingsActionResult | undefined;
  return (
    <div className="stack">
      <div className="page-header">
        <h1>Organisation settings</h1>
      </div>
      <FormError message={result?.errors.form} />
      {result?.notice ? (
        <p className="alert alert-ok" role="status">
          {result.notice}
        </p>
      ) : null}
      {result?.link ? <LinkBanner link={result.link} /> : null}
      <TeamsCard teams={teams} isAdmin={isAdmin} error={result?.errors.teamSlug} />
      {isAdmin ? <InvitesCard invites={invites} /> : null}
      <MembersCard members={members} me={me} isAdmin={isAdmin} />
    </div>
  );
}
