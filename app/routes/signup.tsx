import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { LineText, Password } from "~/domain/form-fields";
import { inviteLanding } from "~/domain/redirect";
import { ROLE_LABELS } from "~/domain/roles";
import { AuthLayout } from "~/components/auth-layout";
import { SignupForm } from "~/components/auth/signup-form";
import { takeAttempt } from "~/models/login-attempt.server";
import { acceptInvite, findUsableInvite } from "~/models/team.server";
import { createUser, getUserByEmail } from "~/models/user.server";
import { parseForm } from "~/utils/forms";
import { clientIp, invalid } from "~/utils/http.server";
import { getCurrentUser, safeRedirect, startUserSession } from "~/server/session.server";
import { getDb, getServices } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.invite ? `Join ${data.invite.teamName} · Token Poker` : "Sign up · Token Poker" },
];

const SignupSchema = z.object({
  name: LineText.min(1, "Enter your name").max(100, "At most 100 characters"),
  email: LineText.toLowerCase().email("Enter a valid e-mail address").max(254),
  password: Password.min(10, "Use at least 10 characters").max(200, "At most 200 characters"),
  redirectTo: LineText.max(2000).optional().catch(undefined),
});

// Signing up from an invite (?invite=<token>&to=<page>) joins its team in the same step and lands
// where the invite pointed; the token is read from the URL, where the invite's page put it.
const InviteQuerySchema = z.object({
  invite: LineText.max(200).optional().catch(undefined),
  to: LineText.max(2000).optional().catch(undefined),
});
const INVITE_GONE = "This invite link has expired or was revoked. Ask for a new one.";

async function inviteFrom(request: Request) {
  const query = InviteQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.invite) return null;
  const invite = await findUsableInvite(await getDb(), query.invite);
  if (!invite) throw new Response(INVITE_GONE, { status: 404 });
  return { token: query.invite, invite, landing: inviteLanding(invite.slug, query.to) };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const fromInvite = await inviteFrom(request);
  if (await getCurrentUser(request)) {
    // Signed in already: the invite's own page joins in one click.
    if (fromInvite) throw redirect(`/invite/${fromInvite.token}?to=${encodeURIComponent(fromInvite.landing)}`);
    throw redirect("/");
  }
  return {
    invite: fromInvite ? { teamName: fromInvite.invite.name, role: fromInvite.invite.role } : null,
  };
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
  // The invite is checked before the account exists, so an expired one does not leave a stranded account.
  const fromInvite = await inviteFrom(request);
  const user = await createUser(db, input);
  if (fromInvite) {
    const joined = await acceptInvite(db, { token: fromInvite.token, userId: user.id });
    return startUserSession(request, user.id, joined ? fromInvite.landing : "/teams/new");
  }
  return startUserSession(request, user.id, safeRedirect(request, redirectTo, "/teams/new"));
}

export default function SignupPage() {
  const { invite } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const redirectTo = params.get("redirectTo") ?? "";
  const loginBack = invite
    ? `/invite/${params.get("invite")}?to=${encodeURIComponent(params.get("to") ?? "")}`
    : redirectTo;
  return (
    <AuthLayout
      title={invite ? `Join ${invite.teamName}` : "Create your account"}
      footer={
        <>
          Have an account?{" "}
          <Link to={`/login${loginBack ? `?redirectTo=${encodeURIComponent(loginBack)}` : ""}`}>Log in</Link>
        </>
      }
    >
      {invite ? (
        <p>
          You are invited to <strong>{invite.teamName}</strong> as <strong>{ROLE_LABELS[invite.role]}</strong>. Create
          your account and you are in.
        </p>
      ) : null}
      <SignupForm
        redirectTo={invite ? undefined : redirectTo}
        errors={result?.errors}
        values={result?.values}
        busy={busy}
        submitLabel={invite ? "Sign up and join" : "Sign up"}
      />
    </AuthLayout>
  );
}
