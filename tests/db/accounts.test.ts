import type * as NodeCrypto from "node:crypto";
import { expect, it, vi } from "vitest";
import { clearFailedLogins, forgetAttempts, LIMITS, takeAttempt } from "~/models/login-attempt.server";
import {
  createMailedReset,
  createOperatorReset,
  createTeamReset,
  findUsableReset,
  listResettableMembers,
  ResetNotAllowedError,
  redeemReset,
} from "~/models/password-reset.server";
import { createOrganisation } from "~/models/organisation.server";
import { createGuest, createPokerSession, GuestRefusedError } from "~/models/poker.server";
import { createSession, deleteSession, getSessionHolder } from "~/models/session.server";
import { createStories } from "~/models/story.server";
import {
  acceptInvite,
  addMember,
  changeMemberRole,
  createInvite,
  createTeam,
  LastOwnerError,
  listMembers,
  removeMember,
  revokeInvite,
  listOpenInvites,
} from "~/models/team.server";
import { createUser, setPassword, verifyLogin } from "~/models/user.server";
import { hashToken } from "~/utils/crypto.server";
import { describeDb } from "../helpers/db";
import { teamRoleOf } from "../helpers/memberships";

// Counts scrypt runs (the password hash) while passing every call through unchanged.
const scryptCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  const scrypt = ((...args: Parameters<typeof actual.scrypt>) => {
    scryptCalls.count++;
    return (actual.scrypt as (...a: unknown[]) => void)(...args);
  }) as typeof actual.scrypt;
  return { ...actual, default: { ...actual, scrypt }, scrypt };
});

let n = 0;
const email = () => `user${n++}@example.com`;

describeDb("accounts and teams", (t) => {
  it("stores a hashed password and verifies logins case-insensitively by e-mail", async () => {
    const address = email();
    const user = await createUser(t.db, { email: address.toUpperCase(), name: "A", password: "long password 1" });
    const row = await t.db
      .selectFrom("users")
      .select("passwordHash")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.passwordHash).not.toContain("long password 1");
    expect(await verifyLogin(t.db, { email: address, password: "long password 1" })).toMatchObject({ id: user.id });
    expect(await verifyLogin(t.db, { email: address, password: "wrong password" })).toBeNull();
  });

  it("ends sessions on logout and on a password change", async () => {
    const user = await createUser(t.db, { email: email(), name: "S", password: "long password 1" });
    const a = await createSession(t.db, user.id);
    const b = await createSession(t.db, user.id);
    expect(a).not.toBe(b);
    expect((await getSessionHolder(t.db, a))?.user).toEqual({ id: user.id, email: user.email, name: "S" });
    await deleteSession(t.db, a);
    expect(await getSessionHolder(t.db, a)).toBeUndefined();
    await setPassword(t.db, { userId: user.id, password: "new password 22" });
    expect(await getSessionHolder(t.db, b)).toBeUndefined();
  });

  it("reads who holds a session with their own teams and organisations, by name, and nobody else's", async () => {
    const user = await createUser(t.db, { email: email(), name: "H", password: "long password 1" });
    const other = await createUser(t.db, { email: email(), name: "X", password: "long password 1" });
    const zulu = await createTeam(t.db, { name: "Zulu team", slug: `zulu-${n++}`, ownerId: other.id });
    await addMember(t.db, { teamId: zulu.id, userId: user.id, role: "observer" });
    const alpha = await createTeam(t.db, { name: "Alpha team", slug: `alpha-${n++}`, ownerId: user.id });
    await createTeam(t.db, { name: "Not theirs", slug: `not-theirs-${n++}`, ownerId: other.id });
    const org = await createOrganisation(t.db, { name: "Holder org", slug: `holder-${n++}`, creatorId: user.id });
    await createOrganisation(t.db, { name: "Other org", slug: `other-${n++}`, creatorId: other.id });

    const holder = await getSessionHolder(t.db, await createSession(t.db, user.id));
    expect(holder?.user).toEqual({ id: user.id, email: user.email, name: "H" });
    expect(holder?.teams).toEqual([
      {
        teamId: alpha.id,
        slug: alpha.slug,
        name: "Alpha team",
        timeZone: "UTC",
        keyPattern: expect.any(String),
        role: "owner",
      },
      {
        teamId: zulu.id,
        slug: zulu.slug,
        name: "Zulu team",
        timeZone: "UTC",
        keyPattern: expect.any(String),
        role: "observer",
      },
    ]);
    expect(holder?.organisations).toEqual([
      { organisationId: org.id, slug: org.slug, name: "Holder org", role: "admin" },
    ]);

    // Someone in no team and no organisation yet: empty lists, not null.
    const newcomer = await createUser(t.db, { email: email(), name: "N", password: "long password 1" });
    expect(await getSessionHolder(t.db, await createSession(t.db, newcomer.id))).toMatchObject({
      teams: [],
      organisations: [],
    });
  });

  it("throttles logins per e-mail after repeated failures", async () => {
    const subjects = { email: email(), ip: "203.0.113.9" };
    for (let i = 0; i < LIMITS.email.max; i++) expect((await takeAttempt(t.db, subjects)).ok).toBe(true);
    expect(await takeAttempt(t.db, subjects)).toEqual({ ok: false, scope: "email" });
    // A refused attempt leaves no row: refusals do not extend the lock-out.
    const rows = await t.db.selectFrom("loginAttempts").select("id").where("subject", "=", subjects.email).execute();
    expect(rows).toHaveLength(LIMITS.email.max);
    // Another address from another IP is not affected.
    expect((await takeAttempt(t.db, { email: email(), ip: "198.51.100.1" })).ok).toBe(true);
    await clearFailedLogins(t.db, subjects.email);
    expect((await takeAttempt(t.db, subjects)).ok).toBe(true);
  });

  it("counts parallel attempts before checking them: of 30 at once, exactly the limit get through", async () => {
    const subjects = { email: email(), ip: "203.0.113.30" };
    const results = await Promise.all(Array.from({ length: 30 }, () => takeAttempt(t.db, subjects)));
    expect(results.filter((r) => r.ok)).toHaveLength(LIMITS.email.max);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.scope === "email")).toBe(true);
  });

  it("forgets a successful login's attempt, so successes do not fill the address's budget", async () => {
    const ip = "203.0.113.77";
    for (let i = 0; i < LIMITS.ip.max + 5; i++) {
      const attempt = await takeAttempt(t.db, { email: email(), ip });
      expect(attempt.ok).toBe(true);
      if (attempt.ok) await forgetAttempts(t.db, attempt.ids);
    }
  });

  it("spends one scrypt run on a wrong e-mail, as on a wrong password", async () => {
    const address = email();
    await createUser(t.db, { email: address, name: "T", password: "long password 1" });
    scryptCalls.count = 0;
    expect(await verifyLogin(t.db, { email: address, password: "wrong password" })).toBeNull();
    expect(scryptCalls.count).toBe(1);
    scryptCalls.count = 0;
    expect(await verifyLogin(t.db, { email: `nobody-${address}`, password: "wrong password" })).toBeNull();
    expect(scryptCalls.count).toBe(1);
  });

  it("admits people by invite with the invite's role, until revoked or expired", async () => {
    const owner = await createUser(t.db, { email: email(), name: "O", password: "long password 1" });
    const team = await createTeam(t.db, { name: "Invite Team", slug: `invite-${n++}`, ownerId: owner.id });
    const invite = await createInvite(t.db, { teamId: team.id, role: "observer", createdBy: owner.id });
    const joiner = await createUser(t.db, { email: email(), name: "J", password: "long password 1" });
    expect(await acceptInvite(t.db, { token: invite.token, userId: joiner.id })).toMatchObject({ slug: team.slug });
    expect(await teamRoleOf(t.db, joiner.id, team.slug)).toBe("observer");

    const [open] = await listOpenInvites(t.db, team.id);
    await revokeInvite(t.db, { teamId: team.id, inviteId: open!.id });
    const late = await createUser(t.db, { email: email(), name: "L", password: "long password 1" });
    expect(await acceptInvite(t.db, { token: invite.token, userId: late.id })).toBeNull();

    const expired = await createInvite(t.db, { teamId: team.id, role: "member", createdBy: owner.id, days: -1 });
    expect(await acceptInvite(t.db, { token: expired.token, userId: late.id })).toBeNull();
    expect(await teamRoleOf(t.db, late.id, team.slug)).toBeUndefined();
  });

  it("never leaves a team without an owner", async () => {
    const owner = await createUser(t.db, { email: email(), name: "O", password: "long password 1" });
    const team = await createTeam(t.db, { name: "Owner Team", slug: `owner-${n++}`, ownerId: owner.id });
    await expect(changeMemberRole(t.db, { teamId: team.id, userId: owner.id, role: "member" })).rejects.toBeInstanceOf(
      LastOwnerError,
    );
    await expect(removeMember(t.db, { teamId: team.id, userId: owner.id })).rejects.toBeInstanceOf(LastOwnerError);
    const second = await createUser(t.db, { email: email(), name: "S", password: "long password 1" });
    const invite = await createInvite(t.db, { teamId: team.id, role: "manager", createdBy: owner.id });
    await acceptInvite(t.db, { token: invite.token, userId: second.id });
    await changeMemberRole(t.db, { teamId: team.id, userId: second.id, role: "owner" });
    await removeMember(t.db, { teamId: team.id, userId: owner.id });
    expect((await listMembers(t.db, team.id)).map((m) => m.role)).toEqual(["owner"]);
  });

  /** Users with names, a team each, and helpers to place them in teams with roles. */
  async function people() {
    const user = (name: string) => createUser(t.db, { email: email(), name, password: "long password 1" });
    const [alice, bob, carol, dave] = [await user("Alice"), await user("Bob"), await user("Carol"), await user("Dave")];
    const teamA = await createTeam(t.db, { name: "Team A", slug: `team-a-${n++}`, ownerId: alice.id });
    const teamB = await createTeam(t.db, { name: "Team B", slug: `team-b-${n++}`, ownerId: carol.id });
    return { alice, bob, carol, dave, teamA, teamB };
  }
  const sessionsOf = async (userId: number) =>
    (await t.db.selectFrom("sessions").select("idHash").where("userId", "=", userId).execute()).length;

  it("lets a team make a reset link only for an account it outranks in every team the account is in", async () => {
    const { alice, bob, carol, dave, teamA, teamB } = await people();
    await addMember(t.db, { teamId: teamA.id, userId: bob.id, role: "member" });
    await addMember(t.db, { teamId: teamA.id, userId: dave.id, role: "manager" });
    // Bob is only in A, below its owner and its manager: both may.
    expect(await createTeamReset(t.db, { teamId: teamA.id, makerId: alice.id, userId: bob.id })).toMatchObject({
      token: expect.any(String),
    });
    expect(await createTeamReset(t.db, { teamId: teamA.id, makerId: dave.id, userId: bob.id })).toBeTruthy();
    // A manager does not outrank a manager, nor an owner another owner (or themself).
    await expect(
      createTeamReset(t.db, { teamId: teamA.id, makerId: dave.id, userId: alice.id }),
    ).rejects.toBeInstanceOf(ResetNotAllowedError);
    await addMember(t.db, { teamId: teamA.id, userId: carol.id, role: "owner" });
    await expect(
      createTeamReset(t.db, { teamId: teamA.id, makerId: alice.id, userId: carol.id }),
    ).rejects.toBeInstanceOf(ResetNotAllowedError);
    await expect(
      createTeamReset(t.db, { teamId: teamA.id, makerId: alice.id, userId: alice.id }),
    ).rejects.toBeInstanceOf(ResetNotAllowedError);

    // The takeover: Carol owns team B and is a mere member of A. A's owner must not reset her account.
    await changeMemberRole(t.db, { teamId: teamA.id, userId: carol.id, role: "member" });
    await expect(
      createTeamReset(t.db, { teamId: teamA.id, makerId: alice.id, userId: carol.id }),
    ).rejects.toBeInstanceOf(ResetNotAllowedError);
    // Bob joins B as a member: Alice is not in B, so A may no longer reset him either.
    await addMember(t.db, { teamId: teamB.id, userId: bob.id, role: "member" });
    await expect(createTeamReset(t.db, { teamId: teamA.id, makerId: alice.id, userId: bob.id })).rejects.toBeInstanceOf(
      ResetNotAllowedError,
    );
    // ...until Alice outranks him in B as well (B made her its manager).
    await addMember(t.db, { teamId: teamB.id, userId: alice.id, role: "manager" });
    expect(await createTeamReset(t.db, { teamId: teamA.id, makerId: alice.id, userId: bob.id })).toBeTruthy();
    // The members page shows the link button for exactly those.
    expect([...(await listResettableMembers(t.db, { teamId: teamA.id, makerId: alice.id }))].sort()).toEqual(
      [bob.id, dave.id].sort(),
    );
    expect([...(await listResettableMembers(t.db, { teamId: teamA.id, makerId: dave.id }))]).toEqual([]);
  });

  it("checks the rule again when a link is used: joining another team voids an earlier team link", async () => {
    const { alice, bob, teamA, teamB } = await people();
    await addMember(t.db, { teamId: teamA.id, userId: bob.id, role: "member" });
    const { token } = await createTeamReset(t.db, { teamId: teamA.id, makerId: alice.id, userId: bob.id });
    expect(await findUsableReset(t.db, token)).toMatchObject({ userId: bob.id });
    await addMember(t.db, { teamId: teamB.id, userId: bob.id, role: "owner" });
    expect(await findUsableReset(t.db, token)).toBeUndefined();
    expect(await redeemReset(t.db, { token, password: "taken over 123" })).toBeNull();
    expect(await verifyLogin(t.db, { email: bob.email, password: "long password 1" })).toMatchObject({ id: bob.id });
    // An old link of the kind today's code made for an owner of another team does not work either.
    const legacy = "legacy-token-from-before";
    await t.db
      .insertInto("passwordResets")
      .values({
        tokenHash: hashToken(legacy),
        userId: bob.id,
        teamId: teamA.id,
        createdBy: alice.id,
        expiresAt: new Date(Date.now() + 3_600_000),
      })
      .execute();
    expect(await redeemReset(t.db, { token: legacy, password: "taken over 123" })).toBeNull();
  });

  it("a used link sets the password, ends every session and kills the account's other links; it works once", async () => {
    const { alice, bob, teamA } = await people();
    await addMember(t.db, { teamId: teamA.id, userId: bob.id, role: "member" });
    await createSession(t.db, bob.id);
    await createSession(t.db, bob.id);
    const first = await createTeamReset(t.db, { teamId: teamA.id, makerId: alice.id, userId: bob.id });
    const other = await createOperatorReset(t.db, bob.email.toUpperCase());
    const mailed = await createMailedReset(t.db, bob.email);
    const [x, y] = await Promise.all([
      redeemReset(t.db, { token: first.token, password: "new password 111" }),
      redeemReset(t.db, { token: first.token, password: "new password 222" }),
    ]);
    expect([x, y].filter((v) => v === bob.id)).toHaveLength(1);
    expect([x, y].filter((v) => v === null)).toHaveLength(1);
    expect(await sessionsOf(bob.id)).toBe(0);
    expect(await findUsableReset(t.db, other!.token)).toBeUndefined();
    expect(await findUsableReset(t.db, mailed!.token)).toBeUndefined();
    const winner = x === bob.id ? "new password 111" : "new password 222";
    expect(await verifyLogin(t.db, { email: bob.email, password: winner })).toMatchObject({ id: bob.id });
  });

  it("the operator's and the mailed links reach any account (none for an unknown e-mail)", async () => {
    const { carol, teamA } = await people();
    await addMember(t.db, { teamId: teamA.id, userId: carol.id, role: "member" });
    const operator = await createOperatorReset(t.db, carol.email);
    expect(await findUsableReset(t.db, operator!.token)).toMatchObject({ userId: carol.id, kind: "operator" });
    expect(await createOperatorReset(t.db, `nobody-${carol.email}`)).toBeNull();
    expect(await createMailedReset(t.db, `nobody-${carol.email}`)).toBeNull();
    expect(await redeemReset(t.db, { token: operator!.token, password: "operator set 123" })).toBe(carol.id);
  });

  it("a password change, or leaving the team, kills the account's unused links", async () => {
    const { alice, bob, teamA } = await people();
    await addMember(t.db, { teamId: teamA.id, userId: bob.id, role: "member" });
    const a = await createTeamReset(t.db, { teamId: teamA.id, makerId: alice.id, userId: bob.id });
    await setPassword(t.db, { userId: bob.id, password: "changed password 1" });
    expect(await findUsableReset(t.db, a.token)).toBeUndefined();

    const b = await createTeamReset(t.db, { teamId: teamA.id, makerId: alice.id, userId: bob.id });
    const c = await createOperatorReset(t.db, bob.email);
    await removeMember(t.db, { teamId: teamA.id, userId: bob.id });
    expect(await findUsableReset(t.db, b.token)).toBeUndefined();
    expect(await redeemReset(t.db, { token: b.token, password: "after removal 1" })).toBeNull();
    expect(await findUsableReset(t.db, c!.token)).toBeUndefined();
  });

  it("keeps guests from taking a member's name and caps guests per link and per minute", async () => {
    const { alice, bob, teamA } = await people();
    await addMember(t.db, { teamId: teamA.id, userId: bob.id, role: "member" });
    await t.db.updateTable("users").set({ name: "Bob Builder" }).where("id", "=", bob.id).execute();
    const [story] = await createStories(t.db, {
      teamId: teamA.id,
      stories: [{ key: null, title: "S", link: null, labels: [], description: "" }],
    });
    const { id: sessionId } = await createPokerSession(t.db, {
      teamId: teamA.id,
      name: "Guests",
      storyIds: [story!.id],
      autoReveal: false,
      timerSeconds: null,
      allowAhead: false,
      allowGuests: true,
      createdBy: { id: alice.id, name: alice.name },
    });
    const { guestKey } = await t.db
      .selectFrom("pokerSessions")
      .select("guestKey")
      .where("id", "=", sessionId)
      .executeTakeFirstOrThrow();
    const join = (name: string, limits = { perLink: 100, perMinute: 100 }) =>
      createGuest(t.db, { guestKey: guestKey!, name, limits });
    for (const name of ["  bob builder ", "BOB  BUILDER", "Ｂｏｂ Builder", "Bob\u200b Builder", "alice"]) {
      await expect(join(name), name).rejects.toBeInstanceOf(GuestRefusedError);
    }
    expect(await join("Bob the Guest")).toMatchObject({ sessionId });

    // Per minute: 3 allowed, the 4th (all at once) refused; per link: 5 in all.
    const burst = await Promise.allSettled(
      ["g1", "g2", "g3", "g4"].map((g) => join(g, { perLink: 100, perMinute: 4 })),
    );
    expect(burst.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(
      burst
        .filter((r) => r.status === "rejected")
        .every((r) => r.status === "rejected" && r.reason instanceof GuestRefusedError),
    ).toBe(true);
    await expect(join("g5", { perLink: 4, perMinute: 100 })).rejects.toBeInstanceOf(GuestRefusedError);
    expect(await join("g5", { perLink: 5, perMinute: 100 })).toBeTruthy();
  });
});
