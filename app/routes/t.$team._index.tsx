import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ROLE_LABELS } from "~/domain/roles";
import { listMembers } from "~/models/team.server";
import { requireTeamRole } from "~/utils/auth.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const members = await listMembers(db, team.id);
  return { team, role, memberCount: members.length };
}

export default function Dashboard() {
  const { team, role, memberCount } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>{team.name}</h1>
      </div>
      <section className="cards" aria-label="Dashboard">
        <article className="card">
          <h2>Team</h2>
          <p className="big-number">{memberCount}</p>
          <p className="muted">
            {memberCount === 1 ? "member" : "members"} · you are {ROLE_LABELS[role].toLowerCase()}
          </p>
          <Link to="settings/members">Members and invites</Link>
        </article>
      </section>
    </>
  );
}
