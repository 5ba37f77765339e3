import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SprintTable } from "~/components/sprints/sprint-table";
import { todayIn } from "~/domain/capacity";
import { roleAtLeast } from "~/domain/roles";
import { listSprintSummaries } from "~/models/sprint.server";
import { requireTeamRole } from "~/server/auth.server";
import { formatDay } from "~/domain/dates";

export const meta: MetaFunction = () => [{ title: "Sprints · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const today = todayIn(team.timeZone, new Date());
  return {
    today,
    timeZone: team.timeZone,
    canManage: roleAtLeast(role, "manager"),
    sprints: await listSprintSummaries(db, { teamId: team.id, today }),
  };
}

export default function SprintsPage() {
  const { sprints, canManage, today, timeZone } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Sprints</h1>
          <p className="muted">
            Capacity in AI credits, what is committed against it, and what was really spent. Today is {formatDay(today)}{" "}
            ({timeZone}).
          </p>
        </div>
        {canManage ? (
          <div>
            <Link to="new" className="btn btn-primary">
              New sprint
            </Link>
          </div>
        ) : null}
      </div>
      {sprints.length ? (
        <SprintTable sprints={sprints} />
      ) : (
        <div className="card empty-state">
          <h2>No sprints yet</h2>
          <p>A sprint sets how many AI credits the team may spend and what happens when they run out.</p>
          {canManage ? (
            <Link to="new" className="btn btn-primary">
              Plan the first sprint
            </Link>
          ) : (
            <p>A manager creates sprints.</p>
          )}
        </div>
      )}
    </>
  );
}
