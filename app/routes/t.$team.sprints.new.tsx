import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { SprintForm } from "~/components/sprints/sprint-form";
import { todayIn } from "~/domain/capacity";
import { roleAtLeast } from "~/domain/roles";
import { nextSprintDates, nextSprintName } from "~/domain/sprint";
import { SprintFormSchema } from "~/domain/sprint-form";
import { createSprint, listClosedSprintActuals, listSprints } from "~/models/sprint.server";
import { checkBurnAlertsSoon } from "~/models/sprint-alert.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "New sprint · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const today = todayIn(team.timeZone, new Date());
  const sprints = await listSprints(db, { teamId: team.id });
  const lastEnd = sprints.reduce<string | null>((max, s) => (max === null || s.endDate > max ? s.endDate : max), null);
  const dates = nextSprintDates(lastEnd, today);
  // The latest sprint's settings are the best guess for the next one.
  const last = sprints[0];
  return {
    canManage: roleAtLeast(role, "manager"),
    history: await listClosedSprintActuals(db, { teamId: team.id }),
    defaults: {
      name: nextSprintName(last?.name ?? null, sprints.length),
      goal: "",
      start: dates.start,
      end: dates.end,
      capacityKind: last?.capacityKind ?? ("credits" as const),
      capacityCredits: last?.capacityCredits != null ? String(last.capacityCredits) : "",
      poolPlan: last?.poolPlan ?? "copilot-business",
      poolSeats: last?.poolSeats != null ? String(last.poolSeats) : "",
      poolPerSeat: last?.poolPerSeat != null ? String(last.poolPerSeat) : "",
      reservePercent: String(last?.reservePercent ?? 10),
      commitBasis: last?.commitBasis ?? "expected",
      exhaustionPolicy: last?.exhaustionPolicy ?? "warn",
    },
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "manager");
  const form = parseForm(await request.formData(), SprintFormSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const sprint = await createSprint(db, { teamId: team.id, createdBy: user.id, ...form.data });
  // A sprint that started in the past may already be past a threshold.
  void checkBurnAlertsSoon(db, { teamId: team.id, origin: new URL(request.url).origin });
  return redirect(`/t/${team.slug}/sprints/${sprint.id}`);
}

export default function NewSprintPage() {
  const { defaults, history, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to=".." relative="path">
              Sprints
            </Link>
          </p>
          <h1>New sprint</h1>
        </div>
      </div>
      {canManage ? (
        <div className="card">
          <SprintForm
            defaults={defaults}
            values={result?.values}
            errors={result?.errors ?? {}}
            history={history}
            submitLabel="Create sprint"
          />
        </div>
      ) : (
        <div className="card empty-state">
          <p>Only managers and owners create sprints.</p>
        </div>
      )}
    </>
  );
}
