import { expect, it } from "vitest";
import type { Role } from "~/domain/roles";
import { joinSession, loadRoomState } from "~/models/poker.server";
import { listSprints } from "~/models/sprint.server";
import { addMember } from "~/models/team.server";
import { seedBacklog } from "../../scripts/seed/backlog";
import type { DemoContext } from "../../scripts/seed/demo";
import { seedPoker } from "../../scripts/seed/poker";
import { seedSprints } from "../../scripts/seed/sprints";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

// The demo's open poker session plans the running sprint and its timer starts on the first visit
// (someone joining the room), not at seed time, so nobody's first look says "Time's up".
describeDb("demo poker seed", (t) => {
  it("names the open session after the current sprint and starts its timer on first join", async () => {
    const { team, owner } = await makeTeam(t.db, "Demo Seed Team");
    const members: DemoContext["members"] = [{ id: owner.id, email: owner.email, name: owner.name, role: "owner" }];
    for (const [name, role] of [
      ["Manager", "manager"],
      ["Member", "member"],
      ["Observer", "observer"],
    ] as [string, Role][]) {
      const user = await makeUser(t.db, name);
      await addMember(t.db, { teamId: team.id, userId: user.id, role });
      members.push({ id: user.id, email: user.email, name: user.name, role });
    }
    const ctx: DemoContext = { db: t.db, teamId: team.id, members };
    await seedBacklog(ctx);
    await seedSprints(ctx);
    await seedPoker(ctx);

    const [current, previous] = await listSprints(t.db, { teamId: team.id });
    const sessions = await t.db
      .selectFrom("pokerSessions")
      .select(["id", "name", "status"])
      .where("teamId", "=", team.id)
      .execute();
    const open = sessions.find((s) => s.status === "open")!;
    expect(open.name).toBe(`${current!.name} planning`);
    expect(sessions.find((s) => s.status === "ended")!.name).toBe(`${previous!.name} planning`);

    const roundOf = async () => {
      const state = (await loadRoomState(t.db, { teamId: team.id, sessionId: open.id }))!;
      return state.rounds.find((r) => r.itemId === state.session.currentItemId && r.status === "voting")!;
    };
    expect((await roundOf()).timerEndsAt).toBeNull();
    await joinSession(t.db, {
      teamId: team.id,
      sessionId: open.id,
      userId: owner.id,
      name: owner.name,
      role: "observer",
      keepRole: true,
    });
    const ends = (await roundOf()).timerEndsAt;
    expect(ends).not.toBeNull();
    expect(Number(ends)).toBeGreaterThan(Date.now());
    // A second visitor does not restart it.
    await joinSession(t.db, {
      teamId: team.id,
      sessionId: open.id,
      userId: members[1]!.id,
      name: "Manager",
      role: "voter",
    });
    expect((await roundOf()).timerEndsAt).toBe(ends);
  });
});
