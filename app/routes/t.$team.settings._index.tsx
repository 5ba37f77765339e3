import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { LineText } from "~/domain/form-fields";
import { Field, FormError } from "~/components/ui/field";
import { keyPatternProblem } from "~/domain/key-pattern";
import { updateTeamSettings } from "~/models/team.server";
import { getTeamWebhook, setTeamWebhook } from "~/models/sprint-alert.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Team settings · Token Poker" }];

const TeamSettingsSchema = z.object({
  name: LineText.min(2, "At least 2 characters").max(80),
  timeZone: LineText.max(100).refine(isTimeZone, "Pick a time zone from the list"),
  keyPattern: LineText.min(1, "Enter a pattern")
    .max(100)
    .superRefine((pattern, ctx) => {
      const problem = keyPatternProblem(pattern);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  // Absent (an older form) leaves the webhook alone; empty clears it.
  webhookUrl: LineText.max(2000, "At most 2,000 characters")
    .refine((v) => v === "" || isHttpUrl(v), "Enter an http:// or https:// URL, or leave it empty")
    .optional(),
});

function isHttpUrl(value: string) {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function isTimeZone(tz: string) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const canEdit = role === "owner" || role === "manager";
  // A webhook URL is a secret (anyone holding it can post to the channel): managers only.
  const webhookUrl = await getTeamWebhook(db, team.id);
  return {
    team,
    canEdit,
    webhook: canEdit ? (webhookUrl ?? "") : webhookUrl ? "(set by a manager)" : "",
    timeZones: [...new Set(["UTC", team.timeZone, ...Intl.supportedValuesOf("timeZone")])],
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team } = await requireTeamRole(request, params.team, "manager");
  const form = parseForm(await request.formData(), TeamSettingsSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const { webhookUrl, ...settings } = form.data;
  await updateTeamSettings(db, { teamId: team.id, ...settings });
  if (webhookUrl !== undefined) await setTeamWebhook(db, { teamId: team.id, webhookUrl: webhookUrl || null });
  return data({ ok: true as const, errors: {} as Record<string, string>, values: {} as Record<string, string> });
}

export default function TeamSettings() {
  const { team, canEdit, timeZones, webhook } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  return (
    <Form method="post" className="card stack form-narrow">
      {result?.ok ? (
        <p className="alert alert-ok" role="status">
          Saved.
        </p>
      ) : null}
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
          hint="A regular expression for external keys like PAY-412, found in branch names and tags. Repeats (+, *) go on single characters or classes like [A-Z] and \\d, at most two open-ended ones."
        />
        <Field
          label="Burn alert webhook"
          name="webhookUrl"
          type="url"
          placeholder="https://hooks.slack.com/services/…"
          defaultValue={values.webhookUrl ?? webhook}
          error={errors.webhookUrl}
          hint="When a running sprint's spend passes 75, 90 and 100 % of its available credits, a Slack-compatible JSON message is POSTed here, once per threshold. Leave empty for none."
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
