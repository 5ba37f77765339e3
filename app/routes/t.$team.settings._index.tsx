import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError } from "~/components/ui/field";
import { updateTeamSettings } from "~/models/team.server";
import { requireTeamRole } from "~/utils/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Team settings · Token Poker" }];

const TeamSettingsSchema = z.object({
  name: z.string().trim().min(2, "At least 2 characters").max(80),
  timeZone: z.string().refine(isTimeZone, "Pick a time zone from the list"),
  keyPattern: z.string().trim().min(1, "Enter a pattern").max(100).refine(isRegex, "Not a valid regular expression"),
});

function isTimeZone(tz: string) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isRegex(pattern: string) {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { team, role } = await requireTeamRole(request, params.team, "observer");
  return { team, canEdit: role === "owner" || role === "manager", timeZones: [...new Set(["UTC", team.timeZone, ...Intl.supportedValuesOf("timeZone")])] };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team } = await requireTeamRole(request, params.team, "manager");
  const form = parseForm(await request.formData(), TeamSettingsSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  await updateTeamSettings(db, { teamId: team.id, ...form.data });
  return data({ ok: true as const, errors: {} as Record<string, string>, values: {} as Record<string, string> });
}

export default function TeamSettings() {
  const { team, canEdit, timeZones } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  return (
    <Form method="post" className="card stack form-narrow">
      {result?.ok ? <p className="alert alert-ok" role="status">Saved.</p> : null}
      <FormError message={errors.form} />
      <fieldset disabled={!canEdit} className="stack">
        <Field label="Team name" name="name" defaultValue={values.name ?? team.name} error={errors.name} required />
        <div className="field">
          <label htmlFor="timeZone">Time zone</label>
          <select id="timeZone" name="timeZone" defaultValue={values.timeZone ?? team.timeZone}>
            {timeZones.map((tz) => (
              <option key={tz}>{tz}</option>
            ))}
          </select>
          <p className="field-hint">Working days and daily burn follow this time zone.</p>
          {errors.timeZone ? <p className="field-error">{errors.timeZone}</p> : null}
        </div>
        <Field
          label="Story key pattern"
          name="keyPattern"
          defaultValue={values.keyPattern ?? team.keyPattern}
          error={errors.keyPattern}
          hint="A regular expression for external keys like PAY-412, found in branch names and tags."
        />
        {canEdit ? (
          <button type="submit" className="btn btn-primary">
            Save
          </button>
        ) : (
          <p className="muted">Only owners and managers can change team settings.</p>
        )}
      </fieldset>
    </Form>
  );
}
