// The sign-up form, on /signup and on an invite's page (where it also joins the team in the same
// step): the fields, their errors, and what the action needs to know in hidden fields.
import { Form } from "@remix-run/react";
import { Field, FormError } from "~/components/ui/field";

export function SignupForm({
  action,
  redirectTo,
  errors = {},
  values = {},
  busy,
  submitLabel = "Sign up",
}: {
  /** Where the form posts; "/signup?invite=…" on an invite's page. */
  action?: string;
  redirectTo?: string;
  errors?: Record<string, string>;
  values?: Record<string, string>;
  busy: boolean;
  submitLabel?: string;
}) {
  return (
    <Form method="post" action={action} className="stack" noValidate>
      <FormError message={errors.form} />
      {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
      <Field label="Name" name="name" autoComplete="name" defaultValue={values.name} error={errors.name} required />
      <Field
        label="E-mail"
        name="email"
        type="email"
        autoComplete="email"
        defaultValue={values.email}
        error={errors.email}
        required
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint="At least 10 characters."
        error={errors.password}
        required
        minLength={10}
      />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? "Creating account…" : submitLabel}
      </button>
    </Form>
  );
}
