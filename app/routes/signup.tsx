import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { LineText, Password } from "~/domain/form-fields";
import { AuthLayout } from "~/components/auth-layout";
import { Field, FormError } from "~/components/ui/field";
import { takeAttempt } from "~/models/login-attempt.server";
import { createUser, getUserByEmail } from "~/models/user.server";
import { parseForm } from "~/utils/forms";
import { clientIp, invalid } from "~/utils/http.server";
import { getCurrentUser, safeRedirect, startUserSession } from "~/server/session.server";
import { getServices } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "Sign up · Token Poker" }];

const SignupSchema = z.object({
  name: LineText.min(1, "Enter your name").max(100, "At most 100 characters"),
  email: LineText.toLowerCase().email("Enter a valid e-mail address").max(254),
  password: Password.min(10, "Use at least 10 characters").max(200, "At most 200 characters"),
  redirectTo: LineText.max(2000).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getCurrentUser(request)) return redirect("/");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const form = parseForm(await request.formData(), SignupSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const { db, env } = await getServices();
  const { redirectTo, ...input } = form.data;
  // Sign-up says when an e-mail is taken (there is no mail confirmation), so it is throttled per
  // client address like a login: an enumeration run gets a handful of answers an hour, not millions.
  const limits = { "signup-ip": { max: env.SIGNUP_MAX_PER_HOUR, windowMs: 3_600_000 } };
  if (!(await takeAttempt(db, { "signup-ip": clientIp(request) }, limits)).ok) {
    return data(
      {
        ok: false as const,
        errors: { form: "Too many sign-ups from your network. Try again in an hour." } as Record<string, string>,
        values: { name: input.name, email: input.email } as Record<string, string>,
      },
      { status: 429 },
    );
  }
  if (await getUserByEmail(db, input.email)) {
    return invalid(
      { email: "An account with this e-mail exists already. Log in instead." },
      { name: input.name, email: input.email },
    );
  }
  const user = await createUser(db, input);
  return startUserSession(request, user.id, safeRedirect(request, redirectTo, "/teams/new"));
}

export default function SignupPage() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const redirectTo = params.get("redirectTo") ?? "";
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  return (
    <AuthLayout
      title="Create your account"
      footer={
        <>
          Have an account?{" "}
          <Link to={`/login${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ""}`}>Log in</Link>
        </>
      }
    >
      <Form method="post" className="stack" noValidate>
        <FormError message={errors.form} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
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
          {busy ? "Creating account…" : "Sign up"}
        </button>
      </Form>
    </AuthLayout>
  );
}
