import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { addMember } from "~/models/team.server";
import { createStories, getStory, recordEstimate } from "~/models/story.server";
import {
  closeSprint,
  commitStory,
  createSprint,
  decideCommitRequest,
  getSprint,
  getSprintDashboard,
  listAllocations,
  listBacklogForBoard,
  listClosedSprintActuals,
  listCommitRequests,
  listSprintEvents,
  listSprintStories,
  listSprintSummaries,
  removeStory,
  setAllocations,
  setSprintStoryDone,
  SprintError,
  sprintBurn,
  type SprintSettingsInput,
} from "~/models/sprint.server";
import { checkBurnAlerts, listSprintAlerts, setTeamWebhook } from "~/models/sprint-alert.server";
import { actualsByStory, dailyAttributedSpend, refreshRollups } from "~/models/attributed-spend.server";
import { dailySpendForSprint } from "~/models/sprint-spend.server";
import type { DB } from "~/utils/db.server";
import { seedBacklog } from "../../scripts/seed/backlog";
import { listDemoSprints, seedSprints } from "../../scripts/seed/sprints";
import { todayIn, workingDaysBetween } from "~/domain/capacity";
import type { SprintSnapshot } from "~/domain/sprint";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

// Mon 2026-11-23 … Fri 2026-12-04: ten working days.
const SPRINT: SprintSettingsInput = {
  name: "Sprint 1",
  goal: "Checkout v2",
  start: "2026-11-23",
  end: "2026-12-04",
  capacityKind: "credits",
  capacityCredits: 1_000,
  poolPlan: null,
  poolSeats: null,
  poolPerSeat: null,
  reservePercent: 20, // available 800
  commitBasis: "expected",
  exhaustionPolicy: "warn",
};

// standard × delegate = 150 expected; low risk p80 ×1.5 = 225.
const STANDARD_DELEGATE = { intensity: "standard", autonomy: "delegate", risk: "low" };
// standard × pair = 50 expected; medium risk p80 ×2.5 = 125.
const STANDARD_PAIR = { intensity: "standard", autonomy: "pair", risk: "medium" };

async function setup(
  db: DB,
  policy: SprintSettingsInput["exhaustionPolicy"] = "warn",
  extra: Partial<SprintSettingsInput> = {},
) {
  const { team, owner } = await makeTeam(db);
  const member = await makeUser(db, "Member");
  await addMember(db, { teamId: team.id, userId: member.id, role: "member" });
  const stories = await createStories(db, {
    teamId: team.id,
    stories: ["A", "B", "C", "D", "E", "F", "G"].map((k) => ({
      key: `PAY-${k}`,
      title: `Story ${k}`,
      link: null,
      labels: [],
      description: "",
    })),
  });
  const id = (k: string) => stories.find((s) => s.key === `PAY-${k}`)!.id;
  for (const k of ["A", "B", "C", "D", "E"]) {
    await recordEstimate(db, {
      teamId: team.id,
      storyId: id(k),
      levels: STANDARD_DELEGATE,
      source: "solo",
      createdBy: owner.id,
    });
  }
  await recordEstimate(db, {
    teamId: team.id,
    storyId: id("F"),
    levels: STANDARD_PAIR,
    source: "solo",
    createdBy: owner.id,
  });
  // G stays unestimated.
  const sprint = await createSprint(db, {
    teamId: team.id,
    createdBy: owner.id,
    ...SPRINT,
    exhaustionPolicy: policy,
    ...extra,
  });
  const commit = (k: string, by: { id: number; manager: boolean }, reason?: string) =>
    commitStory(db, {
      teamId: team.id,
      sprintId: sprint.id,
      storyId: id(k),
      actorId: by.id,
      actorIsManager: by.manager,
      reason,
    });
  return {
    team,
    owner,
    member,
    sprint,
    id,
    commit,
    mgr: { id: owner.id, manager: true },
    mem: { id: member.id, manager: false },
  };
}

let spendSeq = 0;
async function addSpend(
  db: DB,
  teamId: number,
  day: string,
  credits: number,
  extra: { storyKey?: string; storyId?: number } = {},
) {
  await sql`insert into spend_entries (team_id, occurred_at, day, source, credits, story_key, story_id, dedupe_key)
            values (${teamId}, ${`${day}T12:00:00Z`}::timestamptz, ${day}::date, 'manual', ${credits}, ${extra.storyKey ?? null}, ${extra.storyId ?? null}, ${`test-${spendSeq++}`})`.execute(
    db,
  );
  await refreshRollups(db, teamId, [day]); // as the app does with every write
}

describeDb("sprints", (t) => {
  // The webhook tests post to a receiver on this machine: allowed only with the operator's leave.
  beforeEach(() => void vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "1"));
  afterEach(() => void vi.unstubAllEnvs());

  it("commits within capacity and sets the story committed; removing puts it back", async () => {
    const s = await setup(t.db, "hard-stop");
    const result = await s.commit("A", s.mem);
    expect(result.kind).toBe("committed");
    expect(result.evaluation.outcome).toBe("ok");
    expect((await getStory(t.db, { teamId: s.team.id, storyId: s.id("A") }))!.status).toBe("committed");
    expect((await listBacklogForBoard(t.db, { teamId: s.team.id })).map((r) => r.key)).not.toContain("PAY-A");
    await expect(s.commit("A", s.mem)).rejects.toThrow("already in this sprint");

    await removeStory(t.db, { teamId: s.team.id, sprintId: s.sprint.id, storyId: s.id("A"), actorId: s.member.id });
    expect((await getStory(t.db, { teamId: s.team.id, storyId: s.id("A") }))!.status).toBe("estimated");
    expect(await listSprintStories(t.db, { teamId: s.team.id, sprintId: s.sprint.id })).toEqual([]);
    const kinds = (await listSprintEvents(t.db, { teamId: s.team.id, sprintId: s.sprint.id })).map((e) => e.kind);
    expect(kinds).toEqual(["removed", "committed", "created"]);
  });

  it("warn: lets an over-capacity commit through with the warning", async () => {
    const s = await setup(t.db, "warn");
    for (const k of ["A", "B", "C", "D", "E"]) await s.commit(k, s.mem); // 750 of 800
    const over = await s.commit("F", s.mem); // +50 → 800: fits exactly
    expect(over.evaluation.outcome).toBe("ok");
    const unknown = await s.commit("G", s.mem);
    expect(unknown).toMatchObject({ kind: "committed", evaluation: { outcome: "warn", load: null } });
    const [summary] = await listSprintSummaries(t.db, { teamId: s.team.id, today: "2026-11-28" });
    expect(summary).toMatchObject({
      status: "active",
      capacity: 1_000,
      available: 800,
      committed: 800,
      committedP80: 5 * 225 + 125,
      storyCount: 7,
      unestimatedCount: 1,
    });
  });

  it("hard-stop: refuses with the amount and writes no commitment", async () => {
    const s = await setup(t.db, "hard-stop");
    for (const k of ["A", "B", "C", "D", "F"]) await s.commit(k, s.mem); // 650 of 800
    expect((await s.commit("E", s.mem)).kind).toBe("committed"); // 800: fits exactly
    await removeStory(t.db, { teamId: s.team.id, sprintId: s.sprint.id, storyId: s.id("E"), actorId: s.member.id }); // 650
    await t.db.updateTable("sprints").set({ capacityCredits: 900 }).where("id", "=", s.sprint.id).execute(); // available 720
    const r = await s.commit("E", s.mem); // 650 + 150 = 800 > 720
    expect(r.kind).toBe("refused");
    expect(r.evaluation.overBy).toBe(80);
    expect(r.evaluation.message).toBe(
      "Committing PAY-E would exceed the sprint's available 720 credits by 80 credits. The sprint's hard-stop policy refuses it.",
    );
    // Even a manager with a reason cannot pass a hard stop.
    expect((await s.commit("E", s.mgr, "urgent")).kind).toBe("refused");
    expect((await getStory(t.db, { teamId: s.team.id, storyId: s.id("E") }))!.status).toBe("estimated");
    expect(
      (await listSprintStories(t.db, { teamId: s.team.id, sprintId: s.sprint.id })).map((r) => r.key),
    ).not.toContain("PAY-E");
    expect((await s.commit("G", s.mem)).evaluation.message).toContain("has no estimate");
    expect(
      (await listSprintEvents(t.db, { teamId: s.team.id, sprintId: s.sprint.id })).filter((e) => e.kind === "refused"),
    ).toHaveLength(3);
  });

  it("hard-stop: two commits racing for the last credits cannot both get in", async () => {
    const s = await setup(t.db, "hard-stop");
    for (const k of ["A", "B", "C", "D"]) await s.commit(k, s.mem); // 600 of 800: room for one more 150
    const results = await Promise.all([
      s.commit("E", s.mem),
      s.commit("F", s.mem),
      s.commit("A", s.mem).catch((e) => e),
    ]);
    const committed = (await listSprintStories(t.db, { teamId: s.team.id, sprintId: s.sprint.id })).map((r) => r.key);
    // E (150) and F (50) together are 800: both fit. Squeeze it further and only one of two fits.
    expect(results[0]).toMatchObject({ kind: "committed" });
    expect(results[1]).toMatchObject({ kind: "committed" });
    expect(results[2]).toBeInstanceOf(SprintError);
    expect(committed.sort()).toEqual(["PAY-A", "PAY-B", "PAY-C", "PAY-D", "PAY-E", "PAY-F"]);

    const s2 = await setup(t.db, "hard-stop", { capacityCredits: 900 }); // available 720
    for (const k of ["A", "B", "C"]) await s2.commit(k, s2.mem); // 450; room for 270: one of D/E (150 each)
    const race = await Promise.all([s2.commit("D", s2.mem), s2.commit("E", s2.mem)]);
    expect(race.map((r) => r.kind).sort()).toEqual(["committed", "refused"]);
    expect(await listSprintStories(t.db, { teamId: s2.team.id, sprintId: s2.sprint.id })).toHaveLength(4);
  });

  it("approval: needs a reason, creates a pending request, and a manager approves or declines with an audit trail", async () => {
    const s = await setup(t.db, "approval");
    for (const k of ["A", "B", "C", "D", "E"]) await s.commit(k, s.mem); // 750
    await s.commit("F", s.mem); // 800
    await removeStory(t.db, { teamId: s.team.id, sprintId: s.sprint.id, storyId: s.id("F"), actorId: s.member.id });
    await removeStory(t.db, { teamId: s.team.id, sprintId: s.sprint.id, storyId: s.id("E"), actorId: s.member.id }); // 600
    await t.db.updateTable("sprints").set({ capacityCredits: 900 }).where("id", "=", s.sprint.id).execute(); // available 720

    const ask = await s.commit("E", s.mem); // 750 > 720
    expect(ask).toMatchObject({ kind: "needs-approval", evaluation: { outcome: "needs-approval", overBy: 30 } });
    expect(await listCommitRequests(t.db, { teamId: s.team.id, sprintId: s.sprint.id })).toEqual([]);

    const requested = await s.commit("E", s.mem, "Release blocker");
    expect(requested.kind).toBe("requested");
    const again = await s.commit("E", s.mem, "Please");
    expect(again).toMatchObject({ kind: "requested", requestId: (requested as { requestId: number }).requestId });
    expect((await getStory(t.db, { teamId: s.team.id, storyId: s.id("E") }))!.status).toBe("estimated");

    const [pending] = await listCommitRequests(t.db, { teamId: s.team.id, sprintId: s.sprint.id });
    expect(pending).toMatchObject({
      status: "pending",
      reason: "Release blocker",
      overBy: 30,
      loadCredits: 150,
      committedBefore: 600,
      availableCredits: 720,
      key: "PAY-E",
    });
    const approved = await decideCommitRequest(t.db, {
      teamId: s.team.id,
      sprintId: s.sprint.id,
      requestId: pending!.id,
      deciderId: s.owner.id,
      approve: true,
      note: "OK for the release",
    });
    expect(approved.kind).toBe("approved");
    expect((await getStory(t.db, { teamId: s.team.id, storyId: s.id("E") }))!.status).toBe("committed");
    await expect(
      decideCommitRequest(t.db, {
        teamId: s.team.id,
        sprintId: s.sprint.id,
        requestId: pending!.id,
        deciderId: s.owner.id,
        approve: false,
        note: "",
      }),
    ).rejects.toThrow("approved already");

    const f = await s.commit("F", s.mem, "Small one");
    const declined = await decideCommitRequest(t.db, {
      teamId: s.team.id,
      sprintId: s.sprint.id,
      requestId: (f as { requestId: number }).requestId,
      deciderId: s.owner.id,
      approve: false,
      note: "Next sprint",
    });
    expect(declined.kind).toBe("declined");
    expect((await getStory(t.db, { teamId: s.team.id, storyId: s.id("F") }))!.status).toBe("estimated");

    // A manager's own over-commit with a reason goes in, recorded as approved by them.
    const byManager = await s.commit("F", s.mgr, "I take the risk");
    expect(byManager.kind).toBe("committed");
    const requests = await listCommitRequests(t.db, { teamId: s.team.id, sprintId: s.sprint.id });
    expect(requests.map((r) => [r.key, r.status, r.decidedByName])).toEqual([
      ["PAY-F", "approved", s.owner.name],
      ["PAY-F", "declined", s.owner.name],
      ["PAY-E", "approved", s.owner.name],
    ]);
    const kinds = (await listSprintEvents(t.db, { teamId: s.team.id, sprintId: s.sprint.id })).map((e) => e.kind);
    expect(kinds.slice(0, 5)).toEqual([
      "committed",
      "declined",
      "approval-requested",
      "approved",
      "approval-requested",
    ]);
  });

  it("closes a sprint: done stays, unfinished returns or carries over, snapshot kept, history intact", async () => {
    const s = await setup(t.db, "warn");
    for (const k of ["A", "B", "C", "G"]) await s.commit(k, s.mem);
    await setSprintStoryDone(t.db, {
      teamId: s.team.id,
      sprintId: s.sprint.id,
      storyId: s.id("A"),
      done: true,
      actorId: s.member.id,
    });
    await expect(
      removeStory(t.db, { teamId: s.team.id, sprintId: s.sprint.id, storyId: s.id("A"), actorId: s.member.id }),
    ).rejects.toThrow("reopen it");
    await setAllocations(t.db, {
      teamId: s.team.id,
      sprintId: s.sprint.id,
      allocations: [
        { userId: s.member.id, credits: 300 },
        { userId: 999_999, credits: 5 },
      ],
    });
    expect((await listAllocations(t.db, { teamId: s.team.id, sprintId: s.sprint.id })).map((a) => a.credits)).toEqual([
      300,
    ]);
    const pending = await (async () => {
      await t.db
        .updateTable("sprints")
        .set({ exhaustionPolicy: "approval", capacityCredits: 100 })
        .where("id", "=", s.sprint.id)
        .execute();
      return s.commit("D", s.mem, "please");
    })();
    expect(pending.kind).toBe("requested");
    await addSpend(t.db, s.team.id, "2026-11-24", 120);

    const next = await createSprint(t.db, {
      teamId: s.team.id,
      createdBy: s.owner.id,
      ...SPRINT,
      name: "Sprint 2",
      start: "2026-12-07",
      end: "2026-12-18",
    });
    const { snapshot, plan } = await closeSprint(t.db, {
      teamId: s.team.id,
      sprintId: s.sprint.id,
      actorId: s.owner.id,
      destination: { kind: "sprint", sprintId: next.id },
      timeZone: "UTC",
      now: new Date("2026-12-04T17:00:00Z"),
    });
    expect(plan).toEqual({ done: [s.id("A")], carried: [s.id("B"), s.id("C"), s.id("G")], returned: [] });
    expect(snapshot.stories.find((x) => x.key === "PAY-A")).toMatchObject({
      outcome: "done",
      levels: STANDARD_DELEGATE,
      size: "M",
      expected: 150,
      p80: 225,
      bandLow: 100,
      bandHigh: 400,
      schemeVersion: 1,
    });
    expect(snapshot.stories.find((x) => x.key === "PAY-G")).toMatchObject({
      outcome: "carried",
      expected: null,
      levels: null,
    });
    expect(snapshot).toMatchObject({
      actualAtClose: 120,
      committed: { expected: 450, p80: 675, estimatedCount: 3, unestimatedCount: 1 },
      allocations: [{ credits: 300 }],
    });
    const closed = await getSprint(t.db, { teamId: s.team.id, sprintId: s.sprint.id });
    expect(closed!.closedAt).not.toBeNull();
    expect(closed!.snapshot).toEqual(snapshot);
    // The closed sprint keeps its history; the next one holds the unfinished stories.
    expect(
      (await listSprintStories(t.db, { teamId: s.team.id, sprintId: s.sprint.id })).map((r) => [r.key, r.outcome]),
    ).toEqual([
      ["PAY-A", "done"],
      ["PAY-B", "carried"],
      ["PAY-C", "carried"],
      ["PAY-G", "carried"],
    ]);
    expect(
      (await listSprintStories(t.db, { teamId: s.team.id, sprintId: next.id })).map((r) => [
        r.key,
        r.status,
        r.outcome,
      ]),
    ).toEqual([
      ["PAY-B", "committed", null],
      ["PAY-C", "committed", null],
      ["PAY-G", "committed", null],
    ]);
    expect((await listCommitRequests(t.db, { teamId: s.team.id, sprintId: s.sprint.id }))[0]!.status).toBe("declined");
    await expect(s.commit("E", s.mem)).rejects.toThrow("is closed");
    await expect(
      closeSprint(t.db, {
        teamId: s.team.id,
        sprintId: s.sprint.id,
        actorId: null,
        destination: { kind: "backlog" },
        timeZone: "UTC",
      }),
    ).rejects.toThrow("is closed");

    // Closing the next one returns the leftovers to the backlog (estimated, or backlog without an estimate).
    await closeSprint(t.db, {
      teamId: s.team.id,
      sprintId: next.id,
      actorId: s.owner.id,
      destination: { kind: "backlog" },
      timeZone: "UTC",
    });
    expect((await getStory(t.db, { teamId: s.team.id, storyId: s.id("B") }))!.status).toBe("estimated");
    expect((await getStory(t.db, { teamId: s.team.id, storyId: s.id("G") }))!.status).toBe("backlog");
    expect((await listBacklogForBoard(t.db, { teamId: s.team.id })).map((r) => r.key)).toContain("PAY-B");
    const history = await listClosedSprintActuals(t.db, { teamId: s.team.id });
    expect(history.map((h) => [h.name, h.actualCredits])).toEqual([
      ["Sprint 2", 0],
      ["Sprint 1", 120],
    ]);
  });

  it("reads daily spend by team-local day and by story, attributing by story key first", async () => {
    const s = await setup(t.db);
    await addSpend(t.db, s.team.id, "2026-11-22", 999); // before the sprint
    await addSpend(t.db, s.team.id, "2026-11-23", 10, { storyKey: "PAY-A" });
    await addSpend(t.db, s.team.id, "2026-11-23", 5);
    await addSpend(t.db, s.team.id, "2026-11-24", 7, { storyId: s.id("B") });
    await addSpend(t.db, s.team.id, "2026-11-25", 3, { storyKey: "PAY-A", storyId: s.id("B") }); // the key wins
    const other = await makeTeam(t.db);
    await addSpend(t.db, other.team.id, "2026-11-23", 1_000);
    expect(await dailySpendForSprint(t.db, { teamId: s.team.id, start: "2026-11-23", end: "2026-12-04" })).toEqual({
      "2026-11-23": 15,
      "2026-11-24": 7,
      "2026-11-25": 3,
    });
    expect(await dailyAttributedSpend(t.db, { teamId: s.team.id, storyIds: [s.id("A")] })).toEqual([
      { day: "2026-11-23", credits: 10 },
      { day: "2026-11-25", credits: 3 },
    ]);
    const actuals = await actualsByStory(t.db, { teamId: s.team.id, storyIds: [s.id("A"), s.id("B")] });
    expect(Object.fromEntries([...actuals].map(([id, a]) => [id, a.credits]))).toEqual({
      [s.id("A")]: 13,
      [s.id("B")]: 7,
    });
    const sprint = (await getSprint(t.db, { teamId: s.team.id, sprintId: s.sprint.id }))!;
    const burn = await sprintBurn(t.db, {
      teamId: s.team.id,
      timeZone: "UTC",
      sprint,
      now: new Date("2026-11-25T10:00:00Z"),
    });
    expect(burn).toMatchObject({ spentToDate: 25, elapsedWorkingDays: 3, available: 800 });
  });

  it("refuses webhooks to loopback and private addresses, by name or literal, and tells the team only that", async () => {
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "");
    const s = await setup(t.db);
    let received = 0;
    const server = http.createServer((req, res) => {
      received++;
      res.writeHead(200).end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const now = new Date("2026-11-26T15:00:00Z");
    const errors: (string | null)[] = [];
    try {
      await addSpend(t.db, s.team.id, "2026-11-23", 790); // 99 %: 75 and 90 crossed, posted for 90
      // localhost is a name: the lookup on the socket refuses what it resolves to. The others are
      // literals, refused before connecting; a closed port must look no different from an open one.
      for (const url of [
        `http://localhost:${port}/hook`,
        `http://127.0.0.1:${port}/hook`,
        `http://[::ffff:127.0.0.1]:${port}/hook`,
        `http://127.0.0.1:1/closed`,
      ]) {
        await setTeamWebhook(t.db, { teamId: s.team.id, webhookUrl: url });
        // Each URL gets a fresh retry of the failed alert (the first gets the crossing itself).
        await sql`update sprint_alerts set webhook_attempts = 1, webhook_error = null where team_id = ${s.team.id} and webhook_attempts > 0`.execute(
          t.db,
        );
        const posted = (await checkBurnAlerts(t.db, { teamId: s.team.id, now }))[0]!.posted;
        expect(posted, url).toMatchObject({ ok: false, error: "the webhook could not be delivered" });
        const alerts = await listSprintAlerts(t.db, { teamId: s.team.id, sprintId: s.sprint.id });
        errors.push(alerts.find((a) => a.threshold === 90)!.webhookError);
      }
      expect(received).toBe(0);
      expect(new Set(errors)).toEqual(new Set(["the webhook could not be delivered"]));

      // The operator's leave lets it through.
      vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "1");
      await setTeamWebhook(t.db, { teamId: s.team.id, webhookUrl: `http://localhost:${port}/hook` });
      await sql`update sprint_alerts set webhook_attempts = 1 where team_id = ${s.team.id} and webhook_attempts > 0`.execute(
        t.db,
      );
      expect((await checkBurnAlerts(t.db, { teamId: s.team.id, now }))[0]!.posted).toMatchObject({ ok: true });
      expect(received).toBe(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("alerts a webhook once per threshold, with a Slack-compatible text, and retries a failed POST", async () => {
    const s = await setup(t.db);
    const received: { body: Record<string, unknown> }[] = [];
    let failNext = 0;
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(500).end("nope");
          return;
        }
        received.push({ body: JSON.parse(body) });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      await setTeamWebhook(t.db, { teamId: s.team.id, webhookUrl: url });
      const now = new Date("2026-11-26T15:00:00Z");
      const check = () => checkBurnAlerts(t.db, { teamId: s.team.id, now, origin: "http://poker.test" });

      await addSpend(t.db, s.team.id, "2026-11-23", 500); // 62 % of 800
      expect((await check())[0]).toMatchObject({ crossed: [], posted: null });
      expect(received).toHaveLength(0);

      await addSpend(t.db, s.team.id, "2026-11-24", 110); // 610 → 76 %
      expect((await check())[0]).toMatchObject({ crossed: [75], posted: { threshold: 75, ok: true } });
      expect(received).toHaveLength(1);
      expect(received[0]!.body).toMatchObject({ threshold: 75, spentCredits: 610, availableCredits: 800 });
      expect(received[0]!.body.text).toMatch(
        /^⚠️ .* · Sprint 1 reached 75 % of its available AI credits: 610 of 800 credits spent \(76 %\)\./,
      );
      expect(received[0]!.body.text).toContain(
        `<http://poker.test/t/${s.team.slug}/sprints/${s.sprint.id}|Open the sprint>`,
      );

      // Checking again, even twice at once, sends nothing new.
      await Promise.all([check(), check()]);
      expect(received).toHaveLength(1);

      // A jump past 90 and 100 at once sends one message for 100; the receiver fails first, then the retry lands.
      failNext = 1;
      await addSpend(t.db, s.team.id, "2026-11-25", 300); // 910 → 114 %
      expect((await check())[0]).toMatchObject({
        crossed: [90, 100],
        posted: { threshold: 100, ok: false, error: "the webhook could not be delivered (HTTP 500)" },
      });
      expect(received).toHaveLength(1);
      expect((await check())[0]).toMatchObject({ crossed: [], posted: { threshold: 100, ok: true } });
      expect(received).toHaveLength(2);
      expect(received[1]!.body).toMatchObject({ threshold: 100 });
      expect(String(received[1]!.body.text)).toMatch(/^🛑/);
      await check();
      expect(received).toHaveLength(2);

      const alerts = await listSprintAlerts(t.db, { teamId: s.team.id, sprintId: s.sprint.id });
      expect(alerts.map((a) => [a.threshold, a.webhookAttempts, a.webhookSentAt !== null])).toEqual([
        [75, 1, true],
        [90, 0, false],
        [100, 2, true],
      ]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("gives up on a dead webhook after three attempts and records crossings without a webhook", async () => {
    const s = await setup(t.db);
    const now = new Date("2026-11-26T15:00:00Z");
    await addSpend(t.db, s.team.id, "2026-11-23", 700);
    expect((await checkBurnAlerts(t.db, { teamId: s.team.id, now }))[0]).toMatchObject({ crossed: [75], posted: null });

    const server = http.createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      await setTeamWebhook(t.db, {
        teamId: s.team.id,
        webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      });
      await addSpend(t.db, s.team.id, "2026-11-24", 100); // 800 → 100 %, 90 too
      const posts = [];
      for (let i = 0; i < 5; i++) posts.push((await checkBurnAlerts(t.db, { teamId: s.team.id, now }))[0]!.posted);
      expect(posts.map((p) => p?.ok ?? null)).toEqual([false, false, false, null, null]);
      const alerts = await listSprintAlerts(t.db, { teamId: s.team.id, sprintId: s.sprint.id });
      expect(alerts.find((a) => a.threshold === 100)).toMatchObject({
        webhookAttempts: 3,
        webhookSentAt: null,
        webhookError: "the webhook could not be delivered (HTTP 503)",
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("keeps teams apart", async () => {
    const a = await setup(t.db);
    const b = await setup(t.db);
    await expect(
      commitStory(t.db, {
        teamId: b.team.id,
        sprintId: a.sprint.id,
        storyId: b.id("A"),
        actorId: b.owner.id,
        actorIsManager: true,
      }),
    ).rejects.toThrow("Sprint not found");
    await expect(
      commitStory(t.db, {
        teamId: a.team.id,
        sprintId: a.sprint.id,
        storyId: b.id("A"),
        actorId: a.owner.id,
        actorIsManager: true,
      }),
    ).rejects.toThrow("Story not found");
    expect(await getSprint(t.db, { teamId: b.team.id, sprintId: a.sprint.id })).toBeUndefined();
  });

  it("shows the running sprint's burn on the dashboard, or the next one", async () => {
    const s = await setup(t.db);
    const now = new Date("2026-11-25T12:00:00Z");
    await addSpend(t.db, s.team.id, "2026-11-23", 650);
    await s.commit("A", s.mem);
    const dash = await getSprintDashboard(t.db, { teamId: s.team.id, timeZone: "UTC", now });
    expect(dash.current).toMatchObject({
      id: s.sprint.id,
      spent: 650,
      available: 800,
      committed: 150,
      crossed: [75],
      remainingWorkingDays: 7,
      overdue: false,
    });
    const early = await getSprintDashboard(t.db, {
      teamId: s.team.id,
      timeZone: "UTC",
      now: new Date("2026-11-20T12:00:00Z"),
    });
    expect(early).toMatchObject({ current: null, next: { id: s.sprint.id, start: "2026-11-23" } });
  });

  it("seeds the demo: four closed sprints with snapshots and one running today, idempotently", async () => {
    const { team, owner } = await makeTeam(t.db);
    const manager = await makeUser(t.db, "Manager");
    const member = await makeUser(t.db, "Member");
    await addMember(t.db, { teamId: team.id, userId: manager.id, role: "manager" });
    await addMember(t.db, { teamId: team.id, userId: member.id, role: "member" });
    const ctx = {
      db: t.db,
      teamId: team.id,
      members: [
        { id: owner.id, email: owner.email, name: owner.name, role: "owner" as const },
        { id: manager.id, email: manager.email, name: manager.name, role: "manager" as const },
        { id: member.id, email: member.email, name: member.name, role: "member" as const },
      ],
    };
    await seedBacklog(ctx);
    await seedSprints(ctx);
    await seedSprints(ctx);
    const sprints = await listDemoSprints(t.db, team.id);
    const today = todayIn("UTC", new Date());
    expect(sprints.map((x) => x.closed)).toEqual([true, true, true, true, false]);
    const running = sprints[4]!;
    expect(running.start <= today && today <= running.end).toBe(true);
    for (const [i, sprint] of sprints.entries()) {
      expect(workingDaysBetween(sprint.start, sprint.end)).toBe(10);
      if (i > 0) expect(sprint.start > sprints[i - 1]!.end).toBe(true);
      expect(sprint.storyKeys.length).toBeGreaterThan(4);
      expect(sprint.stories.every((st) => st.key !== null)).toBe(true);
    }
    expect(running.storyKeys).toEqual(expect.arrayContaining(["PAY-401", "PAY-409", "PAY-415", "PAY-370"]));
    for (const closed of sprints.slice(0, 4)) {
      const row = (await getSprint(t.db, { teamId: team.id, sprintId: closed.id }))!;
      const snap = row.snapshot as SprintSnapshot;
      expect(snap.stories.length).toBe(closed.storyKeys.length);
      expect(snap.stories.every((st) => st.expected !== null && st.schemeVersion === 1)).toBe(true);
      // Every closed sprint was planned near, not past, its available credits.
      expect(snap.committed.expected / snap.capacity.available).toBeGreaterThan(0.7);
      expect(snap.committed.expected).toBeLessThanOrEqual(snap.capacity.available);
    }
    const requests = await listCommitRequests(t.db, { teamId: team.id, sprintId: running.id });
    expect(requests.map((r) => [r.key, r.status])).toEqual([
      ["PAY-414", "pending"],
      ["PAY-415", "approved"],
    ]);
  });
});
