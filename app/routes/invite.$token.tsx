import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { AuthLayout } from "~/components/auth-layout";
import { ROLE_LABELS } from "~/domain/roles";
import { acceptInvite, findUsableInvite } from "~/models/team.server";
import { requireUser } from "~/server/auth.server";
import { getCurrentUser } from "~/server/session.server";
import { getDb } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "Invitation · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const invite = await findUsableInvite(await getDb(), params.token ?? "");
  if (!invite) throw new Response("This invite link has expired or was revoked. Ask for a new one.", { status: 404 });
  const user = await getCurrentUser(request);
  return {
    team: { name: invite.name },
    role: invite.role,
    user: user ? { name: user.name } : null,
    here: new URL(request.url).pathname,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const invite = await acceptInvite(await getDb(), { token: params.token ?? "", userId: user.id });
  if (!invite) throw new Response("This invite link has expired or was revoked. Ask for a new one.", { status: 404 });
  return redirect(`/t/${invite.slug}`);
}

export default function InvitePage() {
  const { team, role, user, here } = useLoaderData<typeof loader>();
  return (
    <AuthLayout title={`Join ${team.name}`}>
      <p>
        You are invited to <strong>{team.name}</strong> as <strong>{ROLE_LABELS[role]}</strong>.
      </p>
      {user ? (
        <Form method="post">
          <button type="submit" className="btn btn-primary">
            Join as {user.name}
          </button>
        </Form>
      ) : (
        <InviteAuthLinks here={here} />
      )}
    </AuthLayout>
  );
}

function InviteAuthLinks({ here }: { here: string }) {
  // The links bring people back here after signing up or logging in, to press "Join".
  const back = `?redirectTo=${encodeURIComponent(here)}`;
  return (
    <div className="row">
      <Link className="btn btn-primary" to={`/signup${back}`} reloadDocument>
        Sign up to join
      </Link>
      <Link className="btn" to={`/login${back}`} reloadDocument>
        I have an account
      </Link>
    </div>
  );
}
