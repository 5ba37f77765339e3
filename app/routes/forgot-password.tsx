// "Forgot password?": mails a reset link to the account's own address when the operator set
// SMTP_URL. The answer is the same whether or not an account has the address (and comes before the
// mail is sent, so its timing says nothing either); requests are throttled per address and client.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AuthLayout } from "~/components/auth-layout";
import { Field, FormError } from "~/components/ui/field";
import { takeAttempt } from "~/models/login-attempt.server";
import { createMailedReset, MAILED_RESET_MINUTES } from "~/models/password-reset.server";
import { normalizeEmail } from "~/models/user.server";
import { parseForm } from "~/utils/forms";
import { clientIp, invalid } from "~/utils/http.server";
import { sendMail } from "~/utils/mail.server";
import { getServices } from "~/utils/database-and-secrets.server";
import type { DB } from "~/utils/db.server";

export const meta: MetaFunction = () => [{ title: "Forgot password · Token Poker" }];

const ForgotSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter a valid e-mail address").max(254),
});

const sentMessage = () =>
  "If an account exists for that address, we sent it a link to choose a new password. " +
  `It works once, for ${MAILED_RESET_MINUTES} minutes. Nothing arrived? Check the spam folder, or ask again later.`;

export async function loader(_: LoaderFunctionArgs) {
  const { env } = await getServices();
  return { mailEnabled: !!env.SMTP_URL };
}

export async function action({ request }: ActionFunctionArgs) {
  const { env, db } = await getServices();
  if (!env.SMTP_URL || !env.APP_ORIGIN) throw new Response("This server sends no e-mail.", { status: 404 });
  const form = parseForm(await request.formData(), ForgotSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const email = normalizeEmail(form.data.email);
  // The count does not depend on whether the account exists, so neither does this answer.
  const attempt = await takeAttempt(db, { "reset-email": email, "reset-ip": clientIp(request) });
  if (!attempt.ok) {
    return data(
      {
        ok: false as const,
        errors: { form: "Too many requests. Wait a while and try again." } as Record<string, string>,
        values: {},
      },
      { status: 429 },
    );
  }
  void mailResetLink(db, { email, origin: env.APP_ORIGIN, smtp: { url: env.SMTP_URL, from: env.SMTP_FROM } });
  return data({
    ok: true as const,
    message: sentMessage(),
    errors: {} as Record<string, string>,
    values: {} as Record<string, string>,
  });
}

/** Runs after the answer; a failure is logged without the address's link (nor the address). */
async function mailResetLink(db: DB, input: { email: string; origin: string; smtp: { url: string; from: string } }) {
  try {
    const reset = await createMailedReset(db, input.email);
    if (!reset) return;
    const url = `${new URL(input.origin).origin}/reset/${reset.token}`;
    await sendMail(input.smtp, {
      to: reset.email,
      subject: "Choose a new Token Poker password",
      text:
        `Hello ${reset.name},\n\nSomeone (we hope you) asked for a new password for ${reset.email} on Token Poker.\n` +
        `This link lets you choose one. It works once, for ${MAILED_RESET_MINUTES} minutes:\n\n${url}\n\n` +
        "If you did not ask, ignore this mail: your password stays as it is.\n",
    });
  } catch (error) {
    console.error(`forgot-password: the reset mail could not be sent (${(error as Error).name})`);
  }
}

export default function ForgotPasswordPage() {
  const { mailEnabled } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <AuthLayout title="Forgot your password?" footer={<Link to="/login">Back to log in</Link>}>
      {!mailEnabled ? (
        <div className="stack">
          <p>This server does not send e-mail, so it cannot mail you a reset link.</p>
          <p>
            Ask a manager or owner of your team for a reset link: they can make one on the team’s Members page when they
            rank above you in every team you are in. Otherwise ask the person who runs this server: they can make one
            for any account.
          </p>
        </div>
      ) : result?.ok ? (
        <p role="status" className="alert alert-ok">
          {result.message}
        </p>
      ) : (
        <Form method="post" className="stack" noValidate>
          <FormError message={result?.errors.form} />
          <p className="muted">We mail a link to choose a new password to the address of your account.</p>
          <Field label="E-mail" name="email" type="email" autoComplete="email" error={result?.errors.email} required />
          <button type="submit" className="btn btn-primary">
            Mail me a link
          </button>
        </Form>
      )}
    </AuthLayout>
  );
}
