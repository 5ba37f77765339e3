import { Form } from "@remix-run/react";
import { useMemo } from "react";
import { DataTable, defineColumns } from "~/components/ui/data-table";
import { canChangeRole, ROLE_LABELS, ROLES, type Role } from "~/domain/roles";

export interface MemberRow {
  userId: number;
  name: string;
  email: string;
  role: Role;
  /** Whether this team may make a reset link for them (the viewer outranks them in all their teams). */
  resettable?: boolean;
}

/** The team's members; managers and owners get role, reset-link and remove controls per row. */
export function MembersTable({
  members,
  me,
  myRole,
  canManage,
}: {
  members: MemberRow[];
  me: number;
  myRole: Role;
  canManage: boolean;
}) {
  const columns = useMemo(
    () =>
      defineColumns<MemberRow>((col) => [
        col.accessor("name", {
          header: "Name",
          meta: { rowHeader: true },
          cell: (info) => (
            <>
              {info.getValue()}
              {info.row.original.userId === me ? <span className="muted"> (you)</span> : null}
            </>
          ),
        }),
        col.accessor("email", { header: "E-mail" }),
        col.accessor("role", {
          header: "Role",
          cell: (info) => {
            const m = info.row.original;
            if (!canManage) return ROLE_LABELS[m.role];
            return (
              <Form method="post" className="row">
                <input type="hidden" name="intent" value="change-role" />
                <input type="hidden" name="userId" value={m.userId} />
                <label className="sr-only" htmlFor={`role-${m.userId}`}>
                  Role of {m.name}
                </label>
                <select id={`role-${m.userId}`} name="role" defaultValue={m.role}>
                  {ROLES.filter((r) => canChangeRole(myRole, m.role, r) || r === m.role).map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                </select>
                <button type="submit" className="btn btn-ghost btn-sm">
                  Change
                </button>
              </Form>
            );
          },
        }),
        ...(canManage
          ? [
              col.display({
                id: "actions",
                header: "Actions",
                cell: (info) => {
                  const m = info.row.original;
                  return (
                    <div className="row">
                      {m.resettable ? (
                        <Form method="post">
                          <input type="hidden" name="intent" value="reset-link" />
                          <input type="hidden" name="userId" value={m.userId} />
                          <button
                            type="submit"
                            className="btn btn-ghost btn-sm"
                            aria-label={`Reset link for ${m.name}`}
                          >
                            Reset link
                          </button>
                        </Form>
                      ) : null}
                      {m.userId !== me ? (
                        <Form method="post">
                          <input type="hidden" name="intent" value="remove" />
                          <input type="hidden" name="userId" value={m.userId} />
                          <button type="submit" className="btn btn-danger btn-sm" aria-label={`Remove ${m.name}`}>
                            Remove
                          </button>
                        </Form>
                      ) : null}
                    </div>
                  );
                },
              }),
            ]
          : []),
      ]),
    [me, myRole, canManage],
  );
  return <DataTable caption="Members" columns={columns} data={members} getRowId={(m) => String(m.userId)} />;
}
