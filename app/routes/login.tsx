import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { LineText, Password } from "~/domain/form-fields";
import { AuthLayout } from "~/components/auth-layout";
import { Field, FormError } from "~/components/ui/field";
import { clearFailedLogins, forgetAttempts, takeAttempt } from "~/models/login-attempt.server";
import { normalizeEmail, verifyLogin } from "~/models/user.server";
import { parseForm } from "~/utils/forms";
import { clientIp, invalid } from "~/utils/http.server";
import fs from "node:fs";
import path from "node:path";
import { getUserByEmail } from "~/models/user.server";
import { dataDir } from "~/utils/env.server";
import { LOGIN_PROBE_COOKIE } from "~/utils/cookie-security.server";
import { getCurrentUser, loginCookieWasDropped, safeRedirect, startUserSession } from "~/server/session.server";
import { getDb, getServices } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "Log in · Token Poker" }];

const LoginSchema = z.object({
  email: LineText.min(1, "Enter your e-mail address").max(254),
  password: Password.min(1, "Enter your password").max(200),
  redirectTo: LineText.max(2000).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getCurrentUser(request)) return redirect("/");
  const { env, db } = await getServices();
  // Logged in a moment ago and sent back here: the browser did not keep (or send) the login cookie.
  const cookieDropped = loginCookieWasDropped(request);
  const origin = new URL(request.url).origin;
  const cookieHelp = cookieDropped
    ? env.APP_ORIGIN && env.APP_ORIGIN.replace(/\/$/, "") !== origin
      ? `Your password was right, but your browser did not send the login cookie back. This server is set up for ${env.APP_ORIGIN} (APP_ORIGIN); open it there, or set APP_ORIGIN to ${origin}.`
      : "Your password was right, but your browser did not send the login cookie back. Allow cookies for this site (a private window or a blocker may refuse them) and try again."
    : null;
  // A fresh demo install: say where its password is (never the password itself).
  const demoFile = path.join(dataDir(env), "demo-password");
  const demo =
    fs.existsSync(demoFile) && !!(await getUserByEmail(db, "demo@example.com"))
      ? { email: "demo@example.com", file: path.relative(process.cwd(), demoFile) || demoFile }
      : null;
  const headers = cookieDropped
    ? { "Set-Cookie": `${LOGIN_PROBE_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax` }
    : undefined;
  return data({ cookieHelp, demo }, { headers });
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
        errors: { form: "Too many failed attempts. Wait 15 minutes, or use “Forgot password?”." } as Record<
          string,
          string
        >,
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
  const { cookieHelp, demo } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const redirectTo = params.get("redirectTo") ?? "";
  const errors = result?.errors ?? {};
  return (
    <AuthLayout
      title="Log in"
      footer={
        <>
          New here?{" "}
          <Link to={`/signup${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ""}`}>
            Create an account
          </Link>
        </>
      }
    >
      {cookieHelp && !result ? (
        <p className="alert alert-warn" role="alert">
          {cookieHelp}
        </p>
      ) : null}
      {demo ? (
        <p className="alert" data-testid="demo-hint">
          Demo install: log in as <strong>{demo.email}</strong>. The password is in the file <code>{demo.file}</code>{" "}
          (it was also printed when the server started).
        </p>
      ) : null}
      <Form method="post" className="stack" noValidate>
        <FormError message={errors.form} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field
          label="E-mail"
          name="email"
          type="email"
          autoComplete="email"
          defaultValue={result?.values?.email}
          error={errors.email}
          required
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          error={errors.password}
          required
        />
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
