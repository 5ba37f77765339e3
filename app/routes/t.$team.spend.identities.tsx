import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { FormError } from "~/components/ui/field";
import { id, LineText } from "~/domain/form-fields";
import { suggestMember } from "~/domain/spend/identity";
import { roleAtLeast } from "~/domain/roles";
import { IdentityError, listIdentities, mapIdentity, unmapIdentity } from "~/models/spend.server";
import { listMembers } from "~/models/team.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { formatDay } from "~/domain/dates";

export const meta: MetaFunction = () => [{ title: "Identities · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role, user } = await requireTeamRole(request, params.team, "observer");
  const [identities, members] = await Promise.all([listIdentities(db, team.id), listMembers(db, team.id)]);
  const canManage = roleAtLeast(role, "manager");
  return {
    canEdit: roleAtLeast(role, "member"),
    // A member maps names to themself only (the action enforces it); a manager maps anyone's.
    members: members
      .filter((m) => canManage || m.userId === user.id)
      .map((m) => ({ userId: m.userId, name: m.name, email: m.email })),
    mapped: identities.mapped.map((m) => ({ ...m, canUnmap: canManage || m.userId === user.id })),
    unknown: identities.unknown.map((u) => ({ ...u, suggested: suggestMember(u.identity, members) })),
  };
}

const IdentitySchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("map"),
    identity: LineText.min(1, "Give the user name or e-mail the tool writes.").max(320),
    userId: id("Pick a member."),
  }),
  z.object({ intent: z.literal("unmap"), identity: LineText.min(1).max(320) }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user, role } = await requireTeamRole(request, params.team, "member");
  const form = parseForm(await request.formData(), IdentitySchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  // A member maps names to themself only, and only names nobody holds; managers map anyone's.
  const actor = { userId: user.id, canManageOthers: roleAtLeast(role, "manager") };
  try {
    if (input.intent === "map") {
      await mapIdentity(db, {
        teamId: team.id,
        identity: input.identity,
        userId: input.userId,
        createdBy: user.id,
        actor,
      });
      return data({ ok: true as const, message: `“${input.identity}” now counts as that member's.` });
    }
    await unmapIdentity(db, { teamId: team.id, identity: input.identity, actor });
    return data({ ok: true as const, message: `“${input.identity}” is no longer mapped.` });
  } catch (error) {
    if (error instanceof IdentityError) return invalid({ form: error.message });
    throw error;
  }
}

type ActionResult =
  { ok: true; message: string } | { ok: false; errors: Record<string, string>; values: Record<string, string> };

export default function Identities() {
  const { canEdit, members, mapped, unknown } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state !== "idle";
  const errors = result && !result.ok ? result.errors : {};
  return (
    <div className="stack">
      <p className="muted">
        Each tool names people its own way (<code>dana-k</code> in Copilot, <code>dana.k@acme.example</code> in a
        gateway). Map each name to a team member once; the inbox can then filter by member. Spend is never ranked by
        person.
      </p>
      <FormError message={errors.form ?? errors.userId ?? errors.identity} />
      {result?.ok ? (
        <div className="alert alert-ok" role="status">
          {result.message}
        </div>
      ) : null}

      <section className="card">
        <h2>Not mapped yet</h2>
        {unknown.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name in the data</th>
                  <th scope="col" className="num">
                    Entries
                  </th>
                  <th scope="col">Last seen</th>
                  {canEdit ? <th scope="col">Member</th> : null}
                </tr>
              </thead>
              <tbody>
                {unknown.map((u, i) => (
                  <tr key={u.identity}>
                    <th scope="row">
                      <code>{u.identity}</code>
                    </th>
                    <td className="num">{u.entries.toLocaleString("en-US")}</td>
                    <td>{formatDay(u.lastSeen)}</td>
                    {canEdit ? (
                      <td>
                        <Form method="post" className="row">
                          <input type="hidden" name="intent" value="map" />
                          <input type="hidden" name="identity" value={u.identity} />
                          <label className="sr-only" htmlFor={`member-${i}`}>
                            Member for {u.identity}
                          </label>
                          <select id={`member-${i}`} name="userId" defaultValue={u.suggested ?? ""} required>
                            <option value="" disabled>
                              Pick a member…
                            </option>
                            {members.map((m) => (
                              <option key={m.userId} value={m.userId}>
                                {m.name} ({m.email})
                              </option>
                            ))}
                          </select>
                          <button type="submit" className="btn btn-sm" disabled={busy}>
                            Map
                          </button>
                          {u.suggested ? <span className="muted">suggested</span> : null}
                        </Form>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">Every user name in the imported spend is mapped.</p>
        )}
      </section>

      <section className="card">
        <h2>Mapped</h2>
        {mapped.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name in the data</th>
                  <th scope="col">Member</th>
                  <th scope="col" className="num">
                    Entries
                  </th>
                  {canEdit ? <th scope="col">Unmap</th> : null}
                </tr>
              </thead>
              <tbody>
                {mapped.map((m) => (
                  <tr key={m.identity}>
                    <th scope="row">
                      <code>{m.identity}</code>
                    </th>
                    <td>{m.name}</td>
                    <td className="num">{m.entries.toLocaleString("en-US")}</td>
                    {canEdit ? (
                      <td>
                        {m.canUnmap ? (
                          <Form method="post">
                            <input type="hidden" name="intent" value="unmap" />
                            <input type="hidden" name="identity" value={m.identity} />
                            <button
                              type="submit"
                              className="btn btn-ghost btn-sm"
                              disabled={busy}
                              aria-label={`Unmap ${m.identity}`}
                            >
                              Unmap
                            </button>
                          </Form>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No names mapped yet.</p>
        )}
        {canEdit ? (
          <Form method="post" className="toolbar identity-add">
            <input type="hidden" name="intent" value="map" />
            <div className="field">
              <label htmlFor="new-identity">User name or e-mail</label>
              <input id="new-identity" name="identity" placeholder="dana.k@acme.example" required maxLength={320} />
            </div>
            <div className="field">
              <label htmlFor="new-member">Member</label>
              <select id="new-member" name="userId" defaultValue="" required>
                <option value="" disabled>
                  Pick a member…
                </option>
                {members.map((m) => (
                  <option key={m.userId} value={m.userId}>
                    {m.name}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="btn" disabled={busy}>
              Map ahead of time
            </button>
          </Form>
        ) : null}
      </section>
    </div>
  );
}
