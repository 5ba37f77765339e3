import { formatDay } from "~/domain/dates";
import { Form } from "@remix-run/react";
import { Field } from "~/components/ui/field";
import { ORG_ROLE_LABELS, type OrgRole } from "~/domain/organisation/roles";

export function LinkBanner({ link }: { link: { url: string; note: string } }) {
  return (
    <div className="alert alert-ok" role="status">
      <p>
        <strong>Invite link</strong> — {link.note}
      </p>
      <input
        className="copy-box"
        readOnly
        value={link.url}
        aria-label="Link"
        onFocus={(e) => e.currentTarget.select()}
      />
    </div>
  );
}

interface TeamRow {
  teamId: number;
  name: string;
  slug: string;
  status: "requested" | "accepted";
  costCenterName: string | null;
}

export function TeamsCard({ teams, isAdmin, error }: { teams: TeamRow[]; isAdmin: boolean; error?: string }) {
  return (
    <section className="card stack">
      <h2>Teams</h2>
      {teams.length ? (
        <ul className="plain-list">
          {teams.map((t) => (
            <li key={t.teamId} className="settings-row">
              <span className="settings-row-main">
                {t.status === "accepted" ? <strong>{t.name}</strong> : <code>/t/{t.slug}</code>}{" "}
                <span className="muted">
                  {t.status === "accepted"
                    ? t.costCenterName
                      ? `· ${t.costCenterName}`
                      : "· no cost center"
                    : "· waiting for the team's owner"}
                </span>
              </span>
              {isAdmin ? (
                <Form method="post" className="settings-row-actions">
                  <input type="hidden" name="intent" value="detach-team" />
                  <input type="hidden" name="teamId" value={t.teamId} />
                  <button type="submit" className="btn btn-ghost btn-sm">
                    Remove
                  </button>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No teams yet.</p>
      )}
      {isAdmin ? (
        <Form method="post" className="stack form-narrow" noValidate>
          <input type="hidden" name="intent" value="request-team" />
          <Field
            label="Ask a team to join"
            name="teamSlug"
            placeholder="payments"
            error={error}
            hint="The team's address (the part after /t/). Its owner accepts on the team's settings page; the team's own pages stay the team's."
          />
          <button type="submit" className="btn">
            Send request
          </button>
        </Form>
      ) : null}
    </section>
  );
}

export function InvitesCard({ invites }: { invites: { id: number; role: OrgRole; expiresAt: string | Date }[] }) {
  return (
    <section className="card stack">
      <h2>Invite people</h2>
      {/* The roles are explained beside the select, not in its options: "Org viewer — reads pools and
          reports" was cut off in the select on a 390 px phone. */}
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="invite" />
        <div className="row">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" name="role" defaultValue="viewer" aria-describedby="invite-role-hint">
            <option value="viewer">{ORG_ROLE_LABELS.viewer}</option>
            <option value="admin">{ORG_ROLE_LABELS.admin}</option>
          </select>
          <button type="submit" className="btn btn-primary">
            Create invite link
          </button>
        </div>
        <p id="invite-role-hint" className="muted">
          An org viewer reads pools and reports; an org admin also sets pools, allocations and teams.
        </p>
      </Form>
      {invites.length ? (
        <ul className="plain-list">
          {invites.map((inv) => (
            <li key={inv.id} className="settings-row">
              <span className="settings-row-main">
                {ORG_ROLE_LABELS[inv.role]} invite, expires {formatDay(inv.expiresAt)}
              </span>
              <Form method="post" className="settings-row-actions">
                <input type="hidden" name="intent" value="revoke-invite" />
                <input type="hidden" name="inviteId" value={inv.id} />
                <button type="submit" className="btn btn-ghost btn-sm">
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
  );
}

export function MembersCard({
  members,
  me,
  isAdmin,
}: {
  members: { userId: number; name: string; email: string; role: OrgRole }[];
  me: number;
  isAdmin: boolean;
}) {
  return (
    <section className="card stack">
      <h2>Members</h2>
      <ul className="plain-list">
        {members.map((m) => (
          <li key={m.userId} className="settings-row">
            <span className="settings-row-main">
              <strong>{m.name}</strong> <span className="muted">{isAdmin ? m.email : null}</span>
              {m.userId === me ? <span className="muted"> (you)</span> : null}
            </span>
            {isAdmin ? (
              // One row of controls: on a phone it wraps under the name as a whole (the select flush
              // left, "Remove" at the right), so "Remove" no longer lands alone on a line of its own,
              // indented by its padding.
              <div className="settings-row-actions settings-row-controls">
                <Form method="post" className="row">
                  <input type="hidden" name="intent" value="change-role" />
                  <input type="hidden" name="userId" value={m.userId} />
                  <label htmlFor={`role-${m.userId}`} className="sr-only">
                    Role of {m.name}
                  </label>
                  <select id={`role-${m.userId}`} name="role" defaultValue={m.role}>
                    <option value="admin">{ORG_ROLE_LABELS.admin}</option>
                    <option value="viewer">{ORG_ROLE_LABELS.viewer}</option>
                  </select>
                  <button type="submit" className="btn btn-ghost btn-sm">
                    Change
                  </button>
                </Form>
                <Form method="post">
                  <input type="hidden" name="intent" value="remove-member" />
                  <input type="hidden" name="userId" value={m.userId} />
                  <button type="submit" className="btn btn-ghost btn-sm">
                    Remove
                  </button>
                </Form>
              </div>
            ) : (
              <span className="muted">{ORG_ROLE_LABELS[m.role]}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
