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
            <li key={t.teamId} className="row">
              <span>
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
                <Form method="post">
                  <input type="hidden" name="intent" value="detach-team" />
                  <input type="hidden" name="teamId" value={t.teamId} />
                  <button type="submit" className="btn btn-ghost">
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
      <Form method="post" className="row">
        <input type="hidden" name="intent" value="invite" />
        <label htmlFor="invite-role">Role</label>
        <select id="invite-role" name="role" defaultValue="viewer">
          <option value="viewer">Org viewer — reads pools and reports</option>
          <option value="admin">Org admin — pools, allocations, teams</option>
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
                {ORG_ROLE_LABELS[inv.role]} invite, expires {formatDay(inv.expiresAt)}
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
          <li key={m.userId} className="row">
            <span>
              <strong>{m.name}</strong> <span className="muted">{isAdmin ? m.email : null}</span>
              {m.userId === me ? <span className="muted"> (you)</span> : null}
            </span>
            {isAdmin ? (
              <>
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
                  <button type="submit" className="btn btn-ghost">
                    Change
                  </button>
                </Form>
                <Form method="post">
                  <input type="hidden" name="intent" value="remove-member" />
                  <input type="hidden" name="userId" value={m.userId} />
                  <button type="submit" className="btn btn-ghost">
                    Remove
                  </button>
                </Form>
              </>
            ) : (
              <span className="muted">{ORG_ROLE_LABELS[m.role]}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
