import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Password } from "~/domain/form-fields";
import { AuthLayout } from "~/components/auth-layout";
import { Field, FormError } from "~/components/ui/field";
import { findUsableReset, redeemReset } from "~/models/password-reset.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { startUserSession } from "~/server/session.server";
import { getDb } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Token Poker" }];

const ResetSchema = z.object({ password: Password.min(10, "Use at least 10 characters").max(200) });
const EXPIRED =
  "This reset link was used already, has expired or no longer applies. Ask for a new one on the login page (“Forgot password?”).";

export async function loader({ params }: LoaderFunctionArgs) {
  const reset = await findUsableReset(await getDb(), params.token ?? "");
  if (!reset) throw new Response(EXPIRED, { status: 404 });
  return { email: reset.email };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const form = parseForm(await request.formData(), ResetSchema);
  if (!form.ok) return invalid(form.errors);
  const db = await getDb();
  // One transaction: the link is marked used (once), the password set, every other link of the
  // account killed and all of its sessions ended; then only this browser is logged in.
  const userId = await redeemReset(db, { token: params.token ?? "", password: form.data.password });
  if (userId === null) throw new Response(EXPIRED, { status: 404 });
  return startUserSession(request, userId, "/");
}

export default function ResetPage() {
  const { email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <AuthLayout title="Choose a new password">
      <p className="muted">For {email}. This link works once.</p>
      <Form method="post" className="stack" noValidate>
        <FormError message={result?.errors.form} />
        <Field
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters."
          error={result?.errors.password}
          required
          minLength={10}
        />
        <button type="submit" className="btn btn-primary">
          Set password and log in
        </button>
      </Form>
    </AuthLayout>
  );
}
