import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Id } from "~/domain/form-fields";
import { MembersTable } from "~/components/team/members-table";
import { FormError } from "~/components/ui/field";
import { canChangeRole, ROLE_LABELS, roleAtLeast } from "~/domain/roles";
import {
  changeMemberRole,
  createInvite,
  getMemberRole,
  LastOwnerError,
  listMembers,
  listOpenInvites,
  removeMember,
  revokeInvite,
} from "~/models/team.server";
import { createTeamReset, listResettableMembers, ResetNotAllowedError } from "~/models/password-reset.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { formatDay } from "~/domain/dates";

export const meta: MetaFunction = () => [{ title: "Members · Token Poker" }];

const RoleSchema = z.enum(["owner", "manager", "member", "observer"]);
const MemberIntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("invite"), role: z.enum(["manager", "member", "observer"]) }),
  z.object({ intent: z.literal("revoke-invite"), inviteId: Id }),
  z.object({ intent: z.literal("change-role"), userId: Id, role: RoleSchema }),
  z.object({ intent: z.literal("remove"), userId: Id }),
  z.object({ intent: z.literal("reset-link"), userId: Id }),
]);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role, user } = await requireTeamRole(request, params.team, "observer");
  const canManage = roleAtLeast(role, "manager");
  const resettable = canManage
    ? await listResettableMembers(db, { teamId: team.id, makerId: user.id })
    : new Set<number>();
  const members = (await listMembers(db, team.id)).map((m) => ({ ...m, resettable: resettable.has(m.userId) }));
  return {
    me: user.id,
    role,
    canManage,
    members,
    invites: canManage ? await listOpenInvites(db, team.id) : [],
  };
}

type ActionResult = {
  ok: boolean;
  errors: Record<string, string>;
  link?: { kind: "invite" | "reset"; url: string; note: string };
};

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, role, user } = await requireTeamRole(request, params.team, "manager");
  const form = parseForm(await request.formData(), MemberIntentSchema);
  if (!form.ok) return invalid(form.errors);
  const origin = new URL(request.url).origin;
  const input = form.data;
  try {
    switch (input.intent) {
      case "invite": {
        const { token, expiresAt } = await createInvite(db, { teamId: team.id, role: input.role, createdBy: user.id });
        return data<ActionResult>({
          ok: true,
          errors: {},
          link: {
            kind: "invite",
            url: `${origin}/invite/${token}`,
            note: `Anyone with this link can join as ${ROLE_LABELS[input.role].toLowerCase()} until ${formatDay(expiresAt)}. It is shown only now.`,
          },
        });
      }
      case "revoke-invite":
        await revokeInvite(db, { teamId: team.id, inviteId: input.inviteId });
        return data<ActionResult>({ ok: true, errors: {} });
      case "change-role": {
        const current = await getMemberRole(db, { teamId: team.id, userId: input.userId });
        if (!current) throw new Response("Member not found", { status: 404 });
        if (!canChangeRole(role, current, input.role))
          return invalid({ form: "Only an owner can make or unmake owners." });
        await changeMemberRole(db, { teamId: team.id, userId: input.userId, role: input.role });
        return data<ActionResult>({ ok: true, errors: {} });
      }
      case "remove": {
        const current = await getMemberRole(db, { teamId: team.id, userId: input.userId });
        if (!current) throw new Response("Member not found", { status: 404 });
        if (current === "owner" && role !== "owner") return invalid({ form: "Only an owner can remove an owner." });
        await removeMember(db, { teamId: team.id, userId: input.userId });
        return data<ActionResult>({ ok: true, errors: {} });
      }
      case "reset-link": {
        const current = await getMemberRole(db, { teamId: team.id, userId: input.userId });
        if (!current) throw new Response("Member not found", { status: 404 });
        // Refused unless this team's maker outranks the person in every team they belong to.
        const { token } = await createTeamReset(db, { teamId: team.id, makerId: user.id, userId: input.userId });
        return data<ActionResult>({
          ok: true,
          errors: {},
          link: {
            kind: "reset",
            url: `${origin}/reset/${token}`,
            note: "Works once, for 24 hours. Send it to the member yourself.",
          },
        });
      }
    }
  } catch (error) {
    if (error instanceof LastOwnerError || error instanceof ResetNotAllowedError)
      return invalid({ form: error.message });
    throw error;
  }
}

export default function MembersPage() {
  const { members, invites, canManage, me, role } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  return (
    <div className="stack">
      <FormError message={result?.errors.form} />
      {result?.link ? (
        <div className="alert alert-ok" role="status">
          <p>
            <strong>{result.link.kind === "invite" ? "Invite link" : "Password reset link"}</strong> —{" "}
            {result.link.note}
          </p>
          <input
            className="copy-box"
            readOnly
            value={result.link.url}
            aria-label="Link"
            onFocus={(e) => e.currentTarget.select()}
          />
        </div>
      ) : null}

      {canManage ? (
        <section className="card stack">
          <h2>Invite people</h2>
          <Form method="post" className="row">
            <input type="hidden" name="intent" value="invite" />
            <label htmlFor="invite-role">Role</label>
            <select id="invite-role" name="role" defaultValue="member">
              <option value="member">Member — votes, edits stories</option>
              <option value="manager">Manager — sprints, members, settings</option>
              <option value="observer">Observer — reads only</option>
            </select>
            <button type="submit" className="btn btn-primary">
              Create invite link
            </button>
          </Form>
          {invites.length ? (
            <ul className="plain-list">
              {invites.map((inv) => (
                <li key={inv.id} className="row">
                  <span>
                    {ROLE_LABELS[inv.role]} invite, expires {formatDay(inv.expiresAt)}
                  </span>
                  <Form method="post">
                    <input type="hidden" name="intent" value="revoke-invite" />
                    <input type="hidden" name="inviteId" value={inv.id} />
                    <button type="submit" className="btn btn-ghost">
                      Revoke
                    </button>
                  </Form>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No open invite links.</p>
          )}
        </section>
      ) : null}

      <section className="card">
        <h2>Members</h2>
        <MembersTable members={members} me={me} myRole={role} canManage={canManage} />
      </section>
    </div>
  );
}
