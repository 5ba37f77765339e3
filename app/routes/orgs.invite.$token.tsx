import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { AuthLayout } from "~/components/auth-layout";
import { ORG_ROLE_LABELS } from "~/domain/organisation/roles";
import { acceptOrgInvite, findOrgInvite } from "~/models/organisation.server";
import { requireUser } from "~/server/auth.server";
import { getCurrentUser } from "~/server/session.server";
import { getDb } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "Organisation invitation · Token Poker" }];

const GONE = "This invite link has expired or was revoked. Ask an organisation admin for a new one.";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getCurrentUser(request);
  const found = await findOrgInvite(await getDb(), params.token ?? "", user?.id);
  if (!found) throw new Response(GONE, { status: 404 });
  // Each link seats one person. Whoever used it is told where they are; anyone else only that it
  // was used (not which organisation: the link is no longer theirs to learn from).
  if (found.state === "used")
    return data(
      {
        kind: "used" as const,
        joined: found.usedByYou ? { name: found.invite.name, slug: found.invite.slug } : null,
      },
      { status: 410 },
    );
  return {
    kind: "open" as const,
    org: { name: found.invite.name },
    role: found.invite.role,
    user: user ? { name: user.name } : null,
    here: new URL(request.url).pathname,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const result = await acceptOrgInvite(await getDb(), { token: params.token ?? "", userId: user.id });
  if (!result) throw new Response(GONE, { status: 404 });
  // Someone else joined with it first: the page says so (a GET, so a reload does not post again).
  if (result.status === "used") return redirect(new URL(request.url).pathname, 303);
  return redirect(`/o/${result.slug}`);
}

export default function OrgInvitePage() {
  const d = useLoaderData<typeof loader>();
  if (d.kind === "used") {
    return (
      <AuthLayout title="This invite link was used">
        {d.joined ? (
          <>
            <p>
              You joined <strong>{d.joined.name}</strong> with this link.
            </p>
            <Link className="btn btn-primary" to={`/o/${d.joined.slug}`}>
              Open {d.joined.name}
            </Link>
          </>
        ) : (
          <p>
            Someone has already joined with this invite link, and each link lets one person join. Ask an organisation
            admin for a link of your own.
          </p>
        )}
      </AuthLayout>
    );
  }
  const { org, role, user, here } = d;
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
