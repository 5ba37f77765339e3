import { sprintCapacity } from "~/domain/sprint";
import type { SprintForm } from "~/domain/sprint-form";
import { checkSprintAllocation } from "~/models/allocation.server";
import type { DB } from "~/utils/db.server";

export type SprintAllocationCheck = NonNullable<Awaited<ReturnType<typeof checkSprintAllocation>>>;

/** The organisation's month allocations against a sprint form's dates and capacity (null: no org). */
export async function sprintAllocationFor(
  db: DB,
  input: { teamId: number; form: SprintForm; excludeSprintId?: number },
) {
  const { capacity } = sprintCapacity({ ...input.form });
  return checkSprintAllocation(db, {
    teamId: input.teamId,
    start: input.form.start,
    end: input.form.end,
    capacity,
    excludeSprintId: input.excludeSprintId,
  });
}

/**
 * The gate on saving a sprint: refused (a message) when a month it touches is over its allocation
 * under the 'refuse' policy; under 'warn' the manager confirms once (the form's checkbox) and saves.
 */
export function allocationVerdict(check: SprintAllocationCheck | null, confirmed: boolean) {
  if (!check) return { ok: true as const };
  const over = check.months.filter((m) => m.over > 0);
  const describe = over
    .map((m) => `${m.month}: ${m.thisSprint} credits against ${Math.max(0, m.left)} left of ${m.allocation}`)
    .join("; ");
  if (check.refused)
    return {
      ok: false as const,
      message: `${check.organisation.name} refuses sprints over the team's month allocation (${describe}). Lower the capacity, or ask an org admin for more.`,
    };
  if (check.warned && !confirmed)
    return {
      ok: false as const,
      warning: true,
      message: `This sprint commits more than is left of the team's month allocation in ${check.organisation.name} (${describe}). Tick "Save anyway" to go ahead.`,
    };
  return { ok: true as const };
}
