import { formatDay } from "~/domain/dates";
import { data } from "@remix-run/node";
import { z } from "zod";
import { Id, LineText } from "~/domain/form-fields";
import { ORG_ROLE_LABELS } from "~/domain/organisation/roles";
import {
  changeOrgMemberRole,
  createOrgInvite,
  detachTeam,
  OrganisationError,
  removeOrgMember,
  requestTeamAttachment,
  revokeOrgInvite,
} from "~/models/organisation.server";
import type { OrgContext } from "~/server/org-access.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";

const OrgRoleSchema = z.enum(["admin", "viewer"]);

const SettingsIntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("invite"), role: OrgRoleSchema }),
  z.object({ intent: z.literal("revoke-invite"), inviteId: Id }),
  z.object({ intent: z.literal("change-role"), userId: Id, role: OrgRoleSchema }),
  z.object({ intent: z.literal("remove-member"), userId: Id }),
  z.object({
    intent: z.literal("request-team"),
    teamSlug: LineText.toLowerCase().pipe(
      z.string().regex(/^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/, "Enter the team's address, as in /t/<address>"),
    ),
  }),
  z.object({ intent: z.literal("detach-team"), teamId: Id }),
]);

export type SettingsActionResult = {
  ok: boolean;
  errors: Record<string, string>;
  notice?: string;
  link?: { url: string; note: string };
};

/** Every change on the settings page; the route has already checked the admin role. */
export async function handleSettingsIntent(ctx: OrgContext, request: Request) {
  const form = parseForm(await request.formData(), SettingsIntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const { db, org, user } = ctx;
  const input = form.data;
  try {
    switch (input.intent) {
      case "invite": {
        const { token, expiresAt } = await createOrgInvite(db, {
          organisationId: org.id,
          role: input.role,
          createdBy: user.id,
        });
        return data<SettingsActionResult>({
          ok: true,
          errors: {},
          link: {
            url: `${new URL(request.url).origin}/orgs/invite/${token}`,
            note: `One person can join with this link, as ${ORG_ROLE_LABELS[input.role].toLowerCase()}, until ${formatDay(expiresAt)}. It is shown only now.`,
          },
        });
      }
      case "revoke-invite":
        await revokeOrgInvite(db, { organisationId: org.id, inviteId: input.inviteId });
        return data<SettingsActionResult>({ ok: true, errors: {} });
      case "change-role":
        if (!(await changeOrgMemberRole(db, { organisationId: org.id, userId: input.userId, role: input.role })))
          throw new Response("Member not found", { status: 404 });
        return data<SettingsActionResult>({ ok: true, errors: {} });
      case "remove-member":
        if (!(await removeOrgMember(db, { organisationId: org.id, userId: input.userId })))
          throw new Response("Member not found", { status: 404 });
        return data<SettingsActionResult>({ ok: true, errors: {} });
      case "request-team": {
        const outcome = await requestTeamAttachment(db, {
          organisationId: org.id,
          teamSlug: input.teamSlug,
          requestedBy: user.id,
        });
        return data<SettingsActionResult>({
          ok: true,
          errors: {},
          notice:
            outcome === "already-attached"
              ? `/t/${input.teamSlug} is already in ${org.name}.`
              : `Asked /t/${input.teamSlug} to join. If a team has that address, its owner sees the request on the team's settings page; the team appears here once accepted.`,
        });
      }
      case "detach-team":
        if (!(await detachTeam(db, { organisationId: org.id, teamId: input.teamId, actorId: user.id })))
          throw new Response("Team not found", { status: 404 });
        return data<SettingsActionResult>({
          ok: true,
          errors: {},
          notice: "The team is no longer in the organisation.",
        });
    }
  } catch (error) {
    if (error instanceof OrganisationError) return invalid({ form: error.message });
    throw error;
  }
}
