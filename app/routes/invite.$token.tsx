import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { AuthLayout } from "~/components/auth-layout";
import { SignupForm } from "~/components/auth/signup-form";
import { LineText } from "~/domain/form-fields";
import { inviteLanding } from "~/domain/redirect";
import { ROLE_LABELS } from "~/domain/roles";
import { acceptInvite, findUsableInvite } from "~/models/team.server";
import { requireUser } from "~/server/auth.server";
import { getCurrentUser } from "~/server/session.server";
import { getDb } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Join ${data.team.name} · Token Poker` : "Invitation · Token Poker" },
];

const GONE = "This invite link has expired or was revoked. Ask for a new one.";
// ?to= is the page the invite was made from (a poker room, say); inviteLanding keeps it inside the team.
const QuerySchema = z.object({ to: LineText.max(2000).optional().catch(undefined) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const invite = await findUsableInvite(await getDb(), params.token ?? "");
  if (!invite) throw new Response(GONE, { status: 404 });
  const user = await getCurrentUser(request);
  const query = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const landing = inviteLanding(invite.slug, query.to);
  const token = encodeURIComponent(params.token ?? "");
  return {
    team: { name: invite.name },
    role: invite.role,
    user: user ? { name: user.name } : null,
    landsInRoom: /\/poker\/\d+$/.test(landing),
    // Signing up here joins in the same step (the sign-up action accepts the invite).
    signupAction: `/signup?invite=${token}&to=${encodeURIComponent(landing)}`,
    // Logging in comes back here, to join with one click.
    back: `/invite/${token}?to=${encodeURIComponent(landing)}`,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const invite = await acceptInvite(await getDb(), { token: params.token ?? "", userId: user.id });
  if (!invite) throw new Response(GONE, { status: 404 });
  const query = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return redirect(inviteLanding(invite.slug, query.to));
}

export default function InvitePage() {
  const { team, role, user, landsInRoom, signupAction, back } = useLoaderData<typeof loader>();
  const busy = useNavigation().state === "submitting";
  return (
    <AuthLayout
      title={`Join ${team.name}`}
      footer={
        user ? null : (
          <>
            Have an account?{" "}
            <Link to={`/login?redirectTo=${encodeURIComponent(back)}`} reloadDocument>
              Log in to join
            </Link>
          </>
        )
      }
    >
      <p>
        You are invited to <strong>{team.name}</strong> as <strong>{ROLE_LABELS[role]}</strong>
        {landsInRoom ? ", straight into the planning session" : ""}.
      </p>
      {user ? (
        <Form method="post">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Join as {user.name}
          </button>
        </Form>
      ) : (
        <SignupForm action={signupAction} busy={busy} submitLabel="Sign up and join" />
      )}
    </AuthLayout>
  );
}
