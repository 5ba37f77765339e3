import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { LineText, Password } from "~/domain/form-fields";
import { AuthLayout } from "~/components/auth-layout";
import { Field, FormError } from "~/components/ui/field";
import { clearFailedLogins, forgetAttempts, takeAttempt } from "~/models/login-attempt.server";
import { normalizeEmail, verifyLogin } from "~/models/user.server";
import { parseForm } from "~/utils/forms";
import { clientIp, invalid } from "~/utils/http.server";
import { getCurrentUser, safeRedirect, startUserSession } from "~/utils/session.server";
import { getDb } from "~/utils/services.server";

export const meta: MetaFunction = () => [{ title: "Log in · Token Poker" }];

const LoginSchema = z.object({
  email: LineText.min(1, "Enter your e-mail address").max(254),
  password: Password.min(1, "Enter your password").max(200),
  redirectTo: LineText.max(2000).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getCurrentUser(request)) return redirect("/");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const form = parseForm(await request.formData(), LoginSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const db = await getDb();
  const subjects = { email: normalizeEmail(form.data.email), ip: clientIp(request) };
  // The attempt is counted before the password is checked (see takeAttempt): parallel guesses
  // cannot all be checked while the count still looks low.
  const attempt = await takeAttempt(db, subjects);
  if (!attempt.ok) {
    return data(
      {
        ok: false as const,
        errors: { form: "Too many failed attempts. Wait 15 minutes, or use “Forgot password?”." } as Record<string, string>,
        values: { email: form.data.email } as Record<string, string>,
      },
      { status: 429 },
    );
  }
  const user = await verifyLogin(db, form.data);
  if (!user) return invalid({ form: "E-mail or password is not right." }, { email: form.data.email });
  await forgetAttempts(db, attempt.ids);
  await clearFailedLogins(db, subjects.email);
  return startUserSession(request, user.id, safeRedirect(request, form.data.redirectTo, "/"));
}

export default function LoginPage() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const redirectTo = params.get("redirectTo") ?? "";
  const errors = result?.errors ?? {};
  return (
    <AuthLayout
      title="Log in"
      footer={
        <>
          New here? <Link to={`/signup${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ""}`}>Create an account</Link>
        </>
      }
    >
      <Form method="post" className="stack" noValidate>
        <FormError message={errors.form} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field label="E-mail" name="email" type="email" autoComplete="email" defaultValue={result?.values?.email} error={errors.email} required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" error={errors.password} required />
        <p className="muted">
          <Link to="/forgot-password">Forgot password?</Link>
        </p>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
      </Form>
    </AuthLayout>
  );
}
