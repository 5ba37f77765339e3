import { data } from "@remix-run/node";
import { z } from "zod";
import { Id, OptionalId } from "~/domain/form-fields";
import { AllocationFormSchema, CostCenterFormSchema, PoolFormSchema } from "~/domain/organisation/pool-form";
import { saveAllocations } from "~/models/allocation.server";
import { PoolTooSmallError, saveMonthPool } from "~/models/organisation-month.server";
import {
  deleteCostCenter,
  logOrgEvent,
  OrganisationError,
  saveCostCenter,
  setTeamCostCenter,
} from "~/models/organisation.server";
import type { OrgContext } from "~/server/org-access.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

const IntentSchema = z.object({
  intent: z.enum(["save-pool", "allocate", "save-cost-center", "delete-cost-center", "set-cost-center"]),
});

export type PoolActionResult = {
  ok: boolean;
  intent?: string;
  errors: Record<string, string>;
  values?: Record<string, string>;
  notice?: string;
};

const done = (intent: string, notice: string) => data<PoolActionResult>({ ok: true, intent, errors: {}, notice });

/** Every change on the pool page; the route has already checked the admin role. */
export async function handlePoolIntent(ctx: OrgContext, request: Request) {
  const formData = await request.formData();
  const which = parseForm(formData, IntentSchema);
  if (!which.ok) return invalid(which.errors);
  const { db, org, user } = ctx;
  const intent = which.data.intent;
  const refuse = (errors: Record<string, string>, values: Record<string, string> = {}) =>
    data<PoolActionResult>({ ok: false, intent, errors, values }, { status: 400 });
  try {
    switch (intent) {
      case "save-pool": {
        const form = parseForm(formData, PoolFormSchema);
        if (!form.ok) return refuse(form.errors, form.values);
        try {
          await saveMonthPool(db, {
            organisationId: org.id,
            month: form.data.month,
            userId: user.id,
            settings: form.data.settings,
          });
        } catch (error) {
          if (error instanceof PoolTooSmallError)
            return refuse({ form: error.message }, Object.fromEntries(stringEntries(formData)));
          throw error;
        }
        await logOrgEvent(db, {
          organisationId: org.id,
          actorId: user.id,
          kind: "pool",
          message: `Set the pool of ${form.data.month}.`,
        });
        return done(intent, "Pool saved.");
      }
      case "allocate": {
        const form = parseForm(formData, AllocationFormSchema);
        // Sent back as typed, so a refused allocation loses nothing.
        const typed = allocationValues(formData);
        if (!form.ok) return refuse(form.errors, typed);
        const saved = await saveAllocations(db, {
          organisationId: org.id,
          month: form.data.month,
          userId: user.id,
          allocations: form.data.allocations,
        });
        if (!saved.ok) {
          const errors: Record<string, string> = {};
          for (const e of saved.errors) errors[e.teamId === null ? "allocations" : `amount-${e.teamId}`] ??= e.message;
          return refuse(errors, typed);
        }
        return done(
          intent,
          `Allocations saved: ${saved.allocated.toLocaleString("en-US")} credits allocated, ${saved.reserve.toLocaleString("en-US")} in reserve.`,
        );
      }
      case "save-cost-center": {
        const form = parseForm(formData, CostCenterFormSchema);
        if (!form.ok) return refuse(form.errors, form.values);
        await saveCostCenter(db, { organisationId: org.id, ...form.data });
        return done(intent, "Cost center saved.");
      }
      case "delete-cost-center": {
        const form = parseForm(formData, z.object({ costCenterId: Id }));
        if (!form.ok) return refuse(form.errors);
        await deleteCostCenter(db, { organisationId: org.id, costCenterId: form.data.costCenterId });
        return done(intent, "Cost center deleted; its teams have none now.");
      }
      case "set-cost-center": {
        const form = parseForm(formData, z.object({ teamId: Id, costCenterId: OptionalId }));
        if (!form.ok) return refuse(form.errors);
        await setTeamCostCenter(db, { organisationId: org.id, ...form.data });
        return done(intent, "Cost center set.");
      }
    }
  } catch (error) {
    if (error instanceof OrganisationError) {
      if (error.status === 404) throw new Response(error.message, { status: 404 });
      return refuse({ form: error.message });
    }
    throw error;
  }
}

function stringEntries(formData: FormData): [string, string][] {
  return [...formData.entries()].filter((e): e is [string, string] => typeof e[1] === "string");
}

/** amount-<teamId> / kind-<teamId> → what was typed, for the form to show again. */
function allocationValues(formData: FormData): Record<string, string> {
  const ids = formData.getAll("teamId").map(String);
  const amounts = formData.getAll("amount").map(String);
  const kinds = formData.getAll("kind").map(String);
  const values: Record<string, string> = {};
  ids.slice(0, 500).forEach((id, i) => {
    values[`amount-${id}`] = (amounts[i] ?? "").slice(0, 40);
    values[`kind-${id}`] = kinds[i] === "percent" ? "percent" : "credits";
  });
  return values;
}
