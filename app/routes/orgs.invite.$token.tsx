import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { AuthLayout } from "~/components/auth-layout";
import { ORG_ROLE_LABELS } from "~/domain/organisation/roles";
import { acceptOrgInvite, findUsableOrgInvite } from "~/models/organisation.server";
import { requireUser } from "~/server/auth.server";
import { getCurrentUser } from "~/server/session.server";
import { getDb } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "Organisation invitation · Token Poker" }];

const GONE = "This invite link has expired or was revoked. Ask an organisation admin for a new one.";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const invite = await findUsableOrgInvite(await getDb(), params.token ?? "");
  if (!invite) throw new Response(GONE, { status: 404 });
  const user = await getCurrentUser(request);
  return {
    org: { name: invite.name },
    role: invite.role,
    user: user ? { name: user.name } : null,
    here: new URL(request.url).pathname,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const invite = await acceptOrgInvite(await getDb(), { token: params.token ?? "", userId: user.id });
  if (!invite) throw new Response(GONE, { status: 404 });
  return redirect(`/o/${invite.slug}`);
}

export default function OrgInvitePage() {
  const { org, role, user, here } = useLoaderData<typeof loader>();
  const back = `?redirectTo=${encodeURIComponent(here)}`;
  return (
    <AuthLayout title={`Join ${org.name}`}>
      <p>
        You are invited to the organisation <strong>{org.name}</strong> as <strong>{ORG_ROLE_LABELS[role]}</strong>. It
        shows the organisation's pool and each team's totals; it does not make you a member of its teams.
      </p>
      {user ? (
        <Form method="post">
          <button type="submit" className="btn btn-primary">
            Join as {user.name}
          </button>
        </Form>
      ) : (
        <div className="row">
          <Link className="btn btn-primary" to={`/signup${back}`} reloadDocument>
            Sign up to join
          </Link>
          <Link className="btn" to={`/login${back}`} reloadDocument>
            I have an account
          </Link>
        </div>
      )}
    </AuthLayout>
  );
}
