import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CHECKED_VALUES, Credits, Id } from "~/domain/form-fields";
import { MonthAllocation } from "~/components/sprints/month-allocation";
import { SprintForm, type SprintFormValues } from "~/components/sprints/sprint-form";
import { FormError } from "~/components/ui/field";
import { checkAllocations, formatCredits, todayIn } from "~/domain/capacity";
import { roleAtLeast } from "~/domain/roles";
import type { SprintSnapshot } from "~/domain/sprint";
import { SprintFormSchema } from "~/domain/sprint-form";
import {
  capacityOf,
  closeSprint,
  listAllocations,
  listClosedSprintActuals,
  listOpenSprints,
  setAllocations,
  SprintError,
  updateSprint,
} from "~/models/sprint.server";
import { listMembers } from "~/models/team.server";
import { checkBurnAlertsSoon } from "~/models/sprint-alert.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { requireSprint } from "~/server/sprint-route.server";
import { allocationVerdict, sprintAllocationFor, type SprintAllocationCheck } from "~/server/sprint-allocation.server";
import { checkSprintAllocation } from "~/models/allocation.server";

const SettingsIntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save") }),
  z.object({ intent: z.literal("allocations") }),
  z.object({
    intent: z.literal("close"),
    destination: z.union([z.literal("backlog"), Id.transform(String)], { error: "Choose where unfinished stories go" }),
  }),
]);

type Result = {
  ok: boolean;
  errors: Record<string, string>;
  values?: Record<string, string>;
  saved?: "settings" | "allocations";
  form?: "save" | "allocations" | "close";
  /** The organisation's month allocation against the submitted sprint (refused, or to confirm). */
  monthAllocation?: SprintAllocationCheck | null;
  warning?: boolean;
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role, sprint } = await requireSprint(request, params, "observer");
  const today = todayIn(team.timeZone, new Date());
  const cap = capacityOf(sprint);
  const [history, members, allocations, openSprints] = await Promise.all([
    listClosedSprintActuals(db, { teamId: team.id }),
    listMembers(db, team.id),
    listAllocations(db, { teamId: team.id, sprintId: sprint.id }),
    listOpenSprints(db, { teamId: team.id, excludeId: sprint.id }),
  ]);
  const defaults: SprintFormValues = {
    name: sprint.name,
    goal: sprint.goal,
    start: sprint.startDate,
    end: sprint.endDate,
    capacityKind: sprint.capacityKind,
    capacityCredits: sprint.capacityCredits === null ? "" : String(sprint.capacityCredits),
    poolPlan: sprint.poolPlan ?? "copilot-business",
    poolSeats: sprint.poolSeats === null ? "" : String(sprint.poolSeats),
    poolPerSeat: sprint.poolPerSeat === null ? "" : String(sprint.poolPerSeat),
    reservePercent: String(sprint.reservePercent),
    commitBasis: sprint.commitBasis,
    exhaustionPolicy: sprint.exhaustionPolicy,
  };
  const allocationByUser = new Map(allocations.map((a) => [a.userId, a.credits]));
  return {
    today,
    closed: sprint.closedAt !== null,
    snapshot: sprint.snapshot as SprintSnapshot | null,
    canManage: roleAtLeast(role, "manager"),
    defaults,
    // A sprint's own actuals are not evidence for its own capacity.
    history: history.filter((h) => h.id !== sprint.id),
    capacity: cap.capacity,
    monthAllocation: sprint.closedAt
      ? null
      : await checkSprintAllocation(db, {
          teamId: sprint.teamId,
          start: sprint.startDate,
          end: sprint.endDate,
          capacity: cap.capacity,
          excludeSprintId: sprint.id,
        }),
    members: members
      .filter((m) => m.role !== "observer")
      .map((m) => ({ userId: m.userId, name: m.name, credits: allocationByUser.get(m.userId) ?? null })),
    allocationCheck: checkAllocations(
      cap.capacity,
      allocations.map((a) => ({ member: a.name, credits: a.credits })),
    ),
    openSprints: openSprints.map((s) => ({ id: s.id, name: s.name, start: s.startDate, end: s.endDate })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user, sprint } = await requireSprint(request, params, "manager");
  const formData = await request.formData();
  const intent = parseForm(formData, SettingsIntentSchema);
  if (!intent.ok) return invalid(intent.errors, intent.values);
  try {
    switch (intent.data.intent) {
      case "save": {
        const form = parseForm(formData, SprintFormSchema);
        if (!form.ok)
          return data<Result>({ ok: false, errors: form.errors, values: form.values, form: "save" }, { status: 400 });
        const check = await sprintAllocationFor(db, { teamId: team.id, form: form.data, excludeSprintId: sprint.id });
        const verdict = allocationVerdict(
          check,
          CHECKED_VALUES.includes(String(formData.get("confirmOverAllocation"))),
        );
        if (!verdict.ok) {
          const values = Object.fromEntries(
            [...formData.entries()].filter((e): e is [string, string] => typeof e[1] === "string"),
          );
          return data<Result>(
            {
              ok: false,
              errors: { allocation: verdict.message },
              values,
              form: "save",
              monthAllocation: check,
              warning: !!verdict.warning,
            },
            { status: 400 },
          );
        }
        await updateSprint(db, { teamId: team.id, sprintId: sprint.id, actorId: user.id, ...form.data });
        // Capacity, reserve or dates may have moved a threshold under the spend already booked.
        void checkBurnAlertsSoon(db, { teamId: team.id, origin: new URL(request.url).origin });
        return data<Result>({ ok: true, errors: {}, saved: "settings" });
      }
      case "allocations": {
        // Keyed by member: a repeated field (a crafted form) counts once, the last value wins.
        const allocations = new Map<number, number>();
        const errors: Record<string, string> = {};
        for (const [key, raw] of formData.entries()) {
          const match = /^alloc-(\d+)$/.exec(key);
          const userId = Id.safeParse(match?.[1]);
          if (!userId.success || typeof raw !== "string" || raw.trim() === "") continue;
          const credits = Number(raw.replace(/[,\s_]/g, ""));
          if (!Credits.safeParse(credits).success) errors[key] = "Enter credits (0 or more), or leave it empty";
          else allocations.set(userId.data, credits);
        }
        if (Object.keys(errors).length) {
          const values = Object.fromEntries([...formData.entries()].filter(([, v]) => typeof v === "string")) as Record<
            string,
            string
          >;
          return data<Result>({ ok: false, errors, values, form: "allocations" }, { status: 400 });
        }
        await setAllocations(db, {
          teamId: team.id,
          sprintId: sprint.id,
          allocations: [...allocations].map(([userId, credits]) => ({ userId, credits })),
        });
        return data<Result>({ ok: true, errors: {}, saved: "allocations" });
      }
      case "close": {
        const destination =
          intent.data.destination === "backlog"
            ? ({ kind: "backlog" } as const)
            : ({ kind: "sprint", sprintId: Number(intent.data.destination) } as const);
        await closeSprint(db, {
          teamId: team.id,
          sprintId: sprint.id,
          actorId: user.id,
          destination,
          timeZone: team.timeZone,
        });
        return redirect(`/t/${team.slug}/sprints/${sprint.id}`);
      }
    }
  } catch (error) {
    if (error instanceof SprintError)
      return data<Result>(
        { ok: false, errors: { form: error.message }, form: intent.data.intent },
        { status: error.status === 404 ? 400 : error.status },
      );
    throw error;
  }
}

export default function SprintSettingsPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const editable = d.canManage && !d.closed;
  return (
    <div className="stack">
      {result?.saved ? (
        <p className="alert alert-ok" role="status">
          {result.saved === "settings" ? "Sprint saved." : "Allocations saved."}
        </p>
      ) : null}
      {d.closed && d.snapshot ? <SnapshotSummary snapshot={d.snapshot} /> : null}
      {!d.canManage ? <p className="muted">Only managers and owners change a sprint's settings.</p> : null}

      <section className="card stack" aria-labelledby="settings-heading">
        <h2 id="settings-heading">Dates, capacity and policy</h2>
        <SprintForm
          intent="save"
          defaults={d.defaults}
          values={result?.form === "save" ? result.values : undefined}
          errors={result?.form === "save" ? result.errors : {}}
          history={d.history}
          submitLabel="Save sprint"
          disabled={!editable}
          beforeSubmit={
            <MonthAllocation
              check={result?.monthAllocation !== undefined ? result.monthAllocation : d.monthAllocation}
              message={result?.form === "save" ? result.errors.allocation : undefined}
              warning={result?.warning ?? false}
            />
          }
        />
      </section>

      <section className="card stack" aria-labelledby="alloc-heading">
        <h2 id="alloc-heading">Member allocations (optional)</h2>
        <p className="muted">
          Guidance for who may draw how much of the sprint's {formatCredits(d.capacity)} credits. Allocations never
          block a commit; they warn when they add up to more than the capacity.
        </p>
        {d.allocationCheck.warning ? <div className="alert alert-warn">{d.allocationCheck.warning}</div> : null}
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="allocations" />
          <FormError message={result?.form === "allocations" ? result.errors.form : undefined} />
          <fieldset disabled={!editable} className="alloc-grid">
            <legend className="sr-only">Credits per member</legend>
            {d.members.map((m) => {
              const name = `alloc-${m.userId}`;
              const error = result?.form === "allocations" ? result.errors[name] : undefined;
              return (
                <div key={m.userId} className={error ? "field field-invalid" : "field"}>
                  <label htmlFor={name}>{m.name}</label>
                  <input
                    id={name}
                    name={name}
                    inputMode="decimal"
                    placeholder="—"
                    defaultValue={
                      result?.form === "allocations"
                        ? (result.values?.[name] ?? "")
                        : m.credits === null
                          ? ""
                          : String(m.credits)
                    }
                    aria-invalid={error ? true : undefined}
                    aria-describedby={error ? `${name}-error` : undefined}
                  />
                  {error ? (
                    <p id={`${name}-error`} className="field-error">
                      {error}
                    </p>
                  ) : null}
                </div>
              );
            })}
          </fieldset>
          {editable ? (
            <div>
              <button type="submit" className="btn">
                Save allocations
              </button>
            </div>
          ) : null}
        </Form>
      </section>

      {d.closed ? null : (
        <section className="card stack" aria-labelledby="close-heading">
          <h2 id="close-heading">Close the sprint</h2>
          <p className="muted">
            Done stories stay with this sprint. A snapshot of its capacity and every commitment (with the estimate it
            had) is kept for the retrospective. Commitments can no longer change afterwards.
          </p>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="close" />
            <FormError
              message={result?.form === "close" ? (result.errors.form ?? result.errors.destination) : undefined}
            />
            <fieldset disabled={!d.canManage} className="stack">
              <legend>Unfinished stories go</legend>
              <label className="field-check">
                <input type="radio" name="destination" value="backlog" defaultChecked={d.openSprints.length === 0} />{" "}
                back to the backlog
              </label>
              {d.openSprints.map((s, i) => (
                <label key={s.id} className="field-check">
                  <input type="radio" name="destination" value={s.id} defaultChecked={i === 0} /> into {s.name} (
                  {s.start} – {s.end})
                </label>
              ))}
              {d.canManage ? (
                <div>
                  <button type="submit" className="btn btn-danger">
                    Close sprint
                  </button>
                </div>
              ) : null}
            </fieldset>
          </Form>
        </section>
      )}
    </div>
  );
}

function SnapshotSummary({ snapshot }: { snapshot: SprintSnapshot }) {
  const counts = { done: 0, carried: 0, returned: 0 };
  for (const s of snapshot.stories) counts[s.outcome]++;
  return (
    <section className="card stack" aria-labelledby="snapshot-heading">
      <h2 id="snapshot-heading">Closed {snapshot.closedAt.slice(0, 10)}</h2>
      <p>
        Capacity {formatCredits(snapshot.capacity.credits)} ({formatCredits(snapshot.capacity.available)} available
        after a {formatCredits(snapshot.capacity.reservePercent)} % reserve), committed{" "}
        {formatCredits(snapshot.committed.expected)} expected / {formatCredits(snapshot.committed.p80)} p80 credits in{" "}
        {snapshot.stories.length} {snapshot.stories.length === 1 ? "story" : "stories"}
        {snapshot.committed.unestimatedCount
          ? ` (${snapshot.committed.unestimatedCount} without an estimate)`
          : ""}; {formatCredits(snapshot.actualAtClose)} credits spent by the close.
      </p>
      <p className="muted">
        {counts.done} done, {counts.carried} carried over, {counts.returned} returned to the backlog. The settings below
        are kept as they were.
      </p>
    </section>
  );
}
