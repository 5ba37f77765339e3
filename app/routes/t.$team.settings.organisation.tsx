import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormError } from "~/components/ui/field";
import { Id } from "~/domain/form-fields";
import {
  acceptTeamRequest,
  getTeamOrganisationLinks,
  leaveOrDeclineOrganisation,
  OrganisationError,
} from "~/models/organisation.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Organisation · Token Poker" }];

const IntentSchema = z.object({ intent: z.enum(["accept", "decline", "leave"]), organisationId: Id });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const links = await getTeamOrganisationLinks(db, team.id);
  const isOwner = role === "owner";
  return {
    isOwner,
    joined: links.find((l) => l.status === "accepted") ?? null,
    // Requests are the owner's to answer; the others only see where the team is.
    requests: isOwner ? links.filter((l) => l.status === "requested") : [],
  };
}

// Joining or leaving an organisation is the team owner's decision (as is deleting the team): it
// lets the organisation's admins see the team's totals and set its month's allocation.
export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "owner");
  const form = parseForm(await request.formData(), IntentSchema);
  if (!form.ok) return invalid(form.errors);
  const { intent, organisationId } = form.data;
  try {
    if (intent === "accept") {
      await acceptTeamRequest(db, { teamId: team.id, organisationId, userId: user.id });
      return data({ ok: true, errors: {} as Record<string, string>, notice: "The team joined the organisation." });
    }
    const gone = await leaveOrDeclineOrganisation(db, { teamId: team.id, organisationId, userId: user.id });
    if (!gone) throw new Response("Request not found", { status: 404 });
    return data({
      ok: true,
      errors: {} as Record<string, string>,
      notice: gone === "accepted" ? "The team left the organisation." : "Request declined.",
    });
  } catch (error) {
    if (error instanceof OrganisationError) return invalid({ form: error.message });
    throw error;
  }
}

export default function TeamOrganisationSettings() {
  const { isOwner, joined, requests } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as { errors: Record<string, string>; notice?: string } | undefined;
  return (
    <div className="stack">
      <FormError message={result?.errors.form} />
      {result?.notice ? (
        <p className="alert alert-ok" role="status">
          {result.notice}
        </p>
      ) : null}
      <section className="card stack form-narrow">
        <h2>Organisation</h2>
        {joined ? (
          <>
            <p>
              This team is in <Link to={`/o/${joined.slug}`}>{joined.name}</Link>. Its admins set the team's share of
              the organisation's monthly pool and see the team's totals (spend, commitments, allocation) — never
              per-person spend, and never the team's own pages unless they are members.
            </p>
            {isOwner ? (
              <Form method="post">
                <input type="hidden" name="intent" value="leave" />
                <input type="hidden" name="organisationId" value={joined.organisationId} />
                <button type="submit" className="btn">
                  Leave {joined.name}
                </button>
              </Form>
            ) : null}
          </>
        ) : (
          <p className="muted">This team is not in an organisation.</p>
        )}
      </section>
      {requests.length ? (
        <section className="card stack form-narrow">
          <h2>Requests to join</h2>
          <ul className="plain-list">
            {requests.map((r) => (
              <li key={r.organisationId} className="row">
                <span>
                  <strong>{r.name}</strong> asks this team to join.
                </span>
                <Form method="post" className="row">
                  <input type="hidden" name="organisationId" value={r.organisationId} />
                  <button type="submit" name="intent" value="accept" className="btn btn-primary" disabled={!!joined}>
                    Accept
                  </button>
                  <button type="submit" name="intent" value="decline" className="btn btn-ghost">
                    Decline
                  </button>
                </Form>
              </li>
            ))}
          </ul>
          {joined ? <p className="muted">Leave {joined.name} first to accept another organisation.</p> : null}
        </section>
      ) : null}
    </div>
  );
}
