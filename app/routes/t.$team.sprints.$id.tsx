import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, NavLink, Outlet, useLoaderData, useParams, useRouteLoaderData } from "@remix-run/react";
import { SprintStatusBadge } from "~/components/sprints/sprint-status-badge";
import { todayIn, workingDaysBetween } from "~/domain/capacity";
import { roleAtLeast } from "~/domain/roles";
import { isOverdue } from "~/domain/sprint";
import { statusOf } from "~/models/sprint.server";
import { requireSprint } from "~/server/sprint-route.server";
import { formatDayRange } from "~/domain/dates";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.sprint.name ?? "Sprint"} · Token Poker` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { sprint, team, role } = await requireSprint(request, params, "observer");
  const today = todayIn(team.timeZone, new Date());
  return {
    sprint: {
      id: sprint.id,
      name: sprint.name,
      goal: sprint.goal,
      start: sprint.startDate,
      end: sprint.endDate,
      closed: sprint.closedAt !== null,
    },
    status: statusOf(sprint, today),
    overdue: isOverdue({ end: sprint.endDate, closed: sprint.closedAt !== null }, today),
    workingDays: workingDaysBetween(sprint.startDate, sprint.endDate),
    canManage: roleAtLeast(role, "manager"),
  };
}

export function useSprintLayout() {
  return useRouteLoaderData<typeof loader>("routes/t.$team.sprints.$id")!;
}

// Pages of a sprint. The retrospective adds its tab here ("retro") when it lands.
const TABS = [
  { to: "", label: "Plan & burn", end: true },
  { to: "retro", label: "Retrospective" },
  { to: "settings", label: "Settings" },
];

export default function SprintLayout() {
  const { sprint, status, overdue, workingDays } = useLoaderData<typeof loader>();
  const { team } = useParams();
  return (
    <>
      <div className="page-header sprint-header">
        <div>
          <p className="breadcrumb">
            <Link to=".." relative="path">
              Sprints
            </Link>
          </p>
          <h1>
            {sprint.name} <SprintStatusBadge status={status} overdue={overdue} />
          </h1>
          <p className="muted">
            {formatDayRange(sprint.start, sprint.end)} · {workingDays} working days
            {sprint.goal ? <> · {sprint.goal}</> : null}
          </p>
        </div>
      </div>
      <nav className="tabs" aria-label="Sprint">
        {TABS.map((t) => (
          <NavLink key={t.label} to={`/t/${team}/sprints/${sprint.id}${t.to ? `/${t.to}` : ""}`} end={t.end}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </>
  );
}
