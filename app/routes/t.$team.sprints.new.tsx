import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { MonthAllocation } from "~/components/sprints/month-allocation";
import { SprintForm } from "~/components/sprints/sprint-form";
import { CHECKED_VALUES } from "~/domain/form-fields";
import { todayIn } from "~/domain/capacity";
import { roleAtLeast } from "~/domain/roles";
import { nextSprintDates, nextSprintName } from "~/domain/sprint";
import { SprintFormSchema } from "~/domain/sprint-form";
import { createSprint, listClosedSprintActuals, listSprints } from "~/models/sprint.server";
import { checkBurnAlertsSoon } from "~/models/sprint-alert.server";
import { requireTeamRole } from "~/server/auth.server";
import { allocationVerdict, sprintAllocationFor } from "~/server/sprint-allocation.server";
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
  const defaultForm = SprintFormSchema.safeParse({
    name: "Next",
    start: dates.start,
    end: dates.end,
    capacityKind: last?.capacityKind ?? "credits",
    capacityCredits: String(last?.capacityCredits ?? 0),
    poolPlan: last?.poolPlan ?? "copilot-business",
    poolSeats: String(last?.poolSeats ?? 0),
    poolPerSeat: String(last?.poolPerSeat ?? 0),
    reservePercent: String(last?.reservePercent ?? 10),
    commitBasis: "expected",
    exhaustionPolicy: "warn",
  });
  return {
    canManage: roleAtLeast(role, "manager"),
    allocation: defaultForm.success ? await sprintAllocationFor(db, { teamId: team.id, form: defaultForm.data }) : null,
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
  const formData = await request.formData();
  const form = parseForm(formData, SprintFormSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  // The organisation's month allocation: refused or confirmed here, on the server, whatever the form showed.
  const check = await sprintAllocationFor(db, { teamId: team.id, form: form.data });
  const verdict = allocationVerdict(check, CHECKED_VALUES.includes(String(formData.get("confirmOverAllocation"))));
  if (!verdict.ok) {
    const values = Object.fromEntries(
      [...formData.entries()].filter((e): e is [string, string] => typeof e[1] === "string"),
    );
    return data(
      {
        ok: false as const,
        errors: { allocation: verdict.message } as Record<string, string>,
        values,
        allocation: check,
        warning: !!verdict.warning,
      },
      { status: 400 },
    );
  }
  const sprint = await createSprint(db, { teamId: team.id, createdBy: user.id, ...form.data });
  // A sprint that started in the past may already be past a threshold.
  void checkBurnAlertsSoon(db, { teamId: team.id, origin: new URL(request.url).origin });
  return redirect(`/t/${team.slug}/sprints/${sprint.id}`);
}

export default function NewSprintPage() {
  const { defaults, history, canManage, allocation } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as
    | {
        errors: Record<string, string>;
        values?: Record<string, string>;
        allocation?: typeof allocation;
        warning?: boolean;
      }
    | undefined;
  const shown = result?.allocation !== undefined ? result.allocation : allocation;
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
            beforeSubmit={
              <MonthAllocation check={shown} message={result?.errors.allocation} warning={result?.warning ?? false} />
            }
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
