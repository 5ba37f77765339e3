import { expect, it } from "vitest";
import { clearFailedLogins, MAX_FAILURES, recordFailedLogin, throttledScope } from "~/models/login-attempt.server";
import { createSession, deleteSession, getSessionUser } from "~/models/session.server";
import {
  acceptInvite,
  changeMemberRole,
  consumeReset,
  createInvite,
  createPasswordReset,
  createTeam,
  findUsableReset,
  getMembership,
  LastOwnerError,
  listMembers,
  removeMember,
  revokeInvite,
  listOpenInvites,
} from "~/models/team.server";
import { createUser, setPassword, verifyLogin } from "~/models/user.server";
import { describeDb } from "../helpers/db";

let n = 0;
const email = () => `user${n++}@example.com`;

describeDb("accounts and teams", (t) => {
  it("stores a hashed password and verifies logins case-insensitively by e-mail", async () => {
    const address = email();
    const user = await createUser(t.db, { email: address.toUpperCase(), name: "A", password: "long password 1" });
    const row = await t.db.selectFrom("users").select("passwordHash").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(row.passwordHash).not.toContain("long password 1");
    expect(await verifyLogin(t.db, { email: address, password: "long password 1" })).toMatchObject({ id: user.id });
    expect(await verifyLogin(t.db, { email: address, password: "wrong password" })).toBeNull();
  });

  it("ends sessions on logout and on a password change", async () => {
    const user = await createUser(t.db, { email: email(), name: "S", password: "long password 1" });
    const a = await createSession(t.db, user.id);
    const b = await createSession(t.db, user.id);
    expect(a).not.toBe(b);
    expect(await getSessionUser(t.db, a)).toMatchObject({ id: user.id });
    await deleteSession(t.db, a);
    expect(await getSessionUser(t.db, a)).toBeUndefined();
    await setPassword(t.db, { userId: user.id, password: "new password 22" });
    expect(await getSessionUser(t.db, b)).toBeUndefined();
  });

  it("throttles logins per e-mail after repeated failures", async () => {
    const subjects = { email: email(), ip: "203.0.113.9" };
    for (let i = 0; i < MAX_FAILURES.email - 1; i++) await recordFailedLogin(t.db, subjects);
    expect(await throttledScope(t.db, subjects)).toBeNull();
    await recordFailedLogin(t.db, subjects);
    expect(await throttledScope(t.db, subjects)).toBe("email");
    // Another address from another IP is not affected.
    expect(await throttledScope(t.db, { email: email(), ip: "198.51.100.1" })).toBeNull();
    await clearFailedLogins(t.db, subjects.email);
    expect(await throttledScope(t.db, subjects)).toBeNull();
  });

  it("admits people by invite with the invite's role, until revoked or expired", async () => {
    const owner = await createUser(t.db, { email: email(), name: "O", password: "long password 1" });
    const team = await createTeam(t.db, { name: "Invite Team", slug: `invite-${n++}`, ownerId: owner.id });
    const invite = await createInvite(t.db, { teamId: team.id, role: "observer", createdBy: owner.id });
    const joiner = await createUser(t.db, { email: email(), name: "J", password: "long password 1" });
    expect(await acceptInvite(t.db, { token: invite.token, userId: joiner.id })).toMatchObject({ slug: team.slug });
    expect(await getMembership(t.db, { slug: team.slug, userId: joiner.id })).toMatchObject({ role: "observer" });

    const [open] = await listOpenInvites(t.db, team.id);
    await revokeInvite(t.db, { teamId: team.id, inviteId: open!.id });
    const late = await createUser(t.db, { email: email(), name: "L", password: "long password 1" });
    expect(await acceptInvite(t.db, { token: invite.token, userId: late.id })).toBeNull();

    const expired = await createInvite(t.db, { teamId: team.id, role: "member", createdBy: owner.id, days: -1 });
    expect(await acceptInvite(t.db, { token: expired.token, userId: late.id })).toBeNull();
    expect(await getMembership(t.db, { slug: team.slug, userId: late.id })).toBeUndefined();
  });

  it("never leaves a team without an owner", async () => {
    const owner = await createUser(t.db, { email: email(), name: "O", password: "long password 1" });
    const team = await createTeam(t.db, { name: "Owner Team", slug: `owner-${n++}`, ownerId: owner.id });
    await expect(changeMemberRole(t.db, { teamId: team.id, userId: owner.id, role: "member" })).rejects.toBeInstanceOf(LastOwnerError);
    await expect(removeMember(t.db, { teamId: team.id, userId: owner.id })).rejects.toBeInstanceOf(LastOwnerError);
    const second = await createUser(t.db, { email: email(), name: "S", password: "long password 1" });
    const invite = await createInvite(t.db, { teamId: team.id, role: "manager", createdBy: owner.id });
    await acceptInvite(t.db, { token: invite.token, userId: second.id });
    await changeMemberRole(t.db, { teamId: team.id, userId: second.id, role: "owner" });
    await removeMember(t.db, { teamId: team.id, userId: owner.id });
    expect((await listMembers(t.db, team.id)).map((m) => m.role)).toEqual(["owner"]);
  });

  it("makes password-reset links work exactly once", async () => {
    const owner = await createUser(t.db, { email: email(), name: "O", password: "long password 1" });
    const team = await createTeam(t.db, { name: "Reset Team", slug: `reset-${n++}`, ownerId: owner.id });
    const { token } = await createPasswordReset(t.db, { teamId: team.id, userId: owner.id, createdBy: owner.id });
    expect(await findUsableReset(t.db, token)).toMatchObject({ userId: owner.id });
    const [first, second] = await Promise.all([consumeReset(t.db, token), consumeReset(t.db, token)]);
    expect([first, second].sort()).toEqual([false, true]);
    expect(await findUsableReset(t.db, token)).toBeUndefined();
  });
});
