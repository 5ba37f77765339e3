// Every page that shows spend per story agrees on which story an entry belongs to (issue 15 item 2):
// the retrospective, insights (closed sprints), the story's spend page, the outcome page, my spend,
// per-day spend, and the spend overview / dashboard / inbox figures for what has no story — for
// entries attributed by tag, by git branch, by session mapping, by hand (typed in, and assigned),
// and with a key that names no story (until a story with that key is created).
import { sql } from "kysely";
import { expect, it } from "vitest";
import {
  actualsByStory,
  actualsByTeamStory,
  attributedBy,
  attributedEntries,
  attributedStoryId,
} from "~/models/attributed-spend.server";
import { getMySpend, getRetro, listClosedSprintRows } from "~/models/retro.server";
import {
  addManualEntry,
  assignEntries,
  getActualCreditsByStory,
  getDailySpend,
  getSpendOverview,
  getStorySpend,
  getUnattributedSummary,
  importSpendJson,
  listUnattributed,
  mapIdentity,
  setSessionStory,
} from "~/models/spend.server";
import { closeSprint, commitStory, createSprint } from "~/models/sprint.server";
import { createStories } from "~/models/story.server";
import type { DB } from "~/utils/db.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";

const DAY = "2026-03-04";

async function setup(db: DB) {
  const { team, owner } = await makeTeam(db);
  const stories = await createStories(db, {
    teamId: team.id,
    stories: ["PAY-1", "PAY-2", "PAY-3", "PAY-4"].map((key) => ({
      key,
      title: key,
      link: null,
      labels: [],
      description: "",
    })),
  });
  const id = (key: string) => stories.find((s) => s.key === key)!.id;
  const at = (n: number) => `${DAY}T1${n}:00:00Z`;
  const push = (n: number, extra: Record<string, unknown>) => ({
    id: `e${n}`,
    occurred_at: at(n % 10),
    user: "me@corp",
    ...extra,
  });
  await mapIdentity(db, { teamId: team.id, identity: "me@corp", userId: owner.id, createdBy: owner.id });
  await importSpendJson(
    db,
    [
      push(1, { credits: 10, tags: ["story:PAY-1", "tool:x"] }), // by tag → PAY-1
      push(2, { credits: 20, git_branch: "feature/PAY-2-login" }), // by branch key → PAY-2
      push(3, { credits: 40, session_id: "sess-3" }), // by session mapping → PAY-3
      push(4, { credits: 80, tags: ["story:PAY-1"], session_id: "sess-3" }), // the key wins over the session
      push(5, { credits: 160, tags: ["story:NEW-9"] }), // a key that names no story: waiting
      push(6, { credits: 320, tags: ["story:NEW-9"] }), // the same, then assigned by hand → PAY-4
      push(7, { credits: 640 }), // nothing: unattributed
      push(8, { credits: 1280 }), // nothing, then assigned by hand → PAY-4
    ],
    { teamId: team.id, fileName: "hook", via: "api" },
  );
  await setSessionStory(db, { teamId: team.id, sessionId: "sess-3", storyId: id("PAY-3"), userId: owner.id });
  await addManualEntry(db, { teamId: team.id, storyId: id("PAY-4"), userId: owner.id, day: DAY, credits: TYPED_IN }); // typed in
  const toAssign = await db
    .selectFrom("spendEntries")
    .select("id")
    .where("teamId", "=", team.id)
    .where("credits", "in", [320, 1280])
    .execute();
  const entryIds = toAssign.map((e) => e.id);
  expect(entryIds).toHaveLength(2);
  await assignEntries(db, { teamId: team.id, entryIds, storyId: id("PAY-4"), mapSessions: false, userId: owner.id });
  const sprint = await createSprint(db, {
    teamId: team.id,
    createdBy: owner.id,
    name: "Sprint",
    goal: "",
    start: "2026-03-02",
    end: "2026-03-13",
    capacityKind: "credits",
    capacityCredits: 100_000,
    poolPlan: null,
    poolSeats: null,
    poolPerSeat: null,
    reservePercent: 0,
    commitBasis: "expected",
    exhaustionPolicy: "warn",
  });
  for (const s of stories) {
    await commitStory(db, {
      teamId: team.id,
      sprintId: sprint.id,
      storyId: s.id,
      actorId: owner.id,
      actorIsManager: true,
    });
  }
  return { team, owner, stories, id, sprint };
}

/** My spend counts only the entries of my tool identities: the entry typed in by hand has none. */
const TYPED_IN = 2560;

/** Each page's figure per story (credits), as the page would show it. */
async function figuresByPage(db: DB, teamId: number, sprintId: number, storyIds: number[], ownerId: number) {
  const retro = (await getRetro(db, { teamId, sprintId }))!;
  const storySpend = await Promise.all(storyIds.map((storyId) => getStorySpend(db, { teamId, storyId })));
  const outcome = await getActualCreditsByStory(db, { teamId, storyIds });
  const allStories = await getActualCreditsByStory(db, { teamId });
  const mine = await getMySpend(db, { teamId, userId: ownerId });
  const daily = await Promise.all(
    storyIds.map((s) => getDailySpend(db, { teamId, from: DAY, to: DAY, storyIds: [s] })),
  );
  const actuals = await actualsByStory(db, { teamId, storyIds });
  const rowByRow = await attributedEntries(db, teamId)
    .select([attributedStoryId.as("storyId"), sql<number>`sum(e.credits)`.as("credits")])
    .groupBy(attributedStoryId)
    .execute();
  const pick = <T>(rows: T[], story: (r: T) => number | null, credits: (r: T) => number | null) =>
    Object.fromEntries(storyIds.map((s) => [s, Number(credits(rows.find((r) => story(r) === s)!) ?? 0) || 0]));
  return {
    retro: pick(
      retro.rows,
      (r) => r.storyId,
      (r) => r.actual,
    ),
    storyPageTotal: Object.fromEntries(storyIds.map((s, i) => [s, storySpend[i]!.total.credits])),
    storyPageEntries: Object.fromEntries(
      storyIds.map((s, i) => [s, storySpend[i]!.entries.reduce((a, e) => a + Number(e.credits ?? 0), 0)]),
    ),
    outcome: pick(
      outcome,
      (r) => r.storyId,
      (r) => r.credits,
    ),
    allStories: pick(
      allStories,
      (r) => r.storyId,
      (r) => r.credits,
    ),
    mySpend: pick(
      mine.byStory,
      (r) => r.storyId,
      (r) => r.credits,
    ),
    daily: Object.fromEntries(storyIds.map((s, i) => [s, daily[i]!.reduce((a, d) => a + d.credits, 0)])),
    actuals: pick(
      [...actuals],
      ([s]) => s,
      ([, a]) => a.credits,
    ),
    rowByRow: pick(
      rowByRow,
      (r) => (r.storyId === null ? null : Number(r.storyId)),
      (r) => r.credits,
    ),
  };
}

async function nobodysFigures(db: DB, teamId: number, ownerId: number) {
  const [overview, summary, inbox, mine] = await Promise.all([
    getSpendOverview(db, teamId),
    getUnattributedSummary(db, teamId),
    listUnattributed(db, { teamId }),
    getMySpend(db, { teamId, userId: ownerId }),
  ]);
  return {
    overview: overview.unattributed.credits,
    dashboard: summary.credits,
    inbox: inbox.total.credits,
    waiting: overview.waiting,
    waitingKeys: summary.waitingKeys,
    /** My spend's "no story" row: the unattributed entries and the waiting ones (mine are all of them). */
    myNoStory: mine.byStory.find((r) => r.storyId === null)?.credits ?? 0,
  };
}

describeDb("attributed spend: one answer on every page", (t) => {
  it("agrees across pages for tag, branch key, session mapping, by hand, and a key that names no story", async () => {
    const { team, owner, id, sprint } = await setup(t.db);
    const ids = ["PAY-1", "PAY-2", "PAY-3", "PAY-4"].map(id);
    const expected = { [id("PAY-1")]: 90, [id("PAY-2")]: 20, [id("PAY-3")]: 40, [id("PAY-4")]: 320 + 1280 + 2560 };
    const pages = await figuresByPage(t.db, team.id, sprint.id, ids, owner.id);
    const mine = (figures: Record<number, number>) => ({ ...figures, [id("PAY-4")]: figures[id("PAY-4")]! - TYPED_IN });
    for (const [page, figures] of Object.entries(pages)) {
      expect({ page, figures }).toEqual({ page, figures: page === "mySpend" ? mine(expected) : expected });
    }
    expect(await nobodysFigures(t.db, team.id, owner.id)).toEqual({
      overview: 640,
      dashboard: 640,
      inbox: 640,
      waiting: [{ key: "NEW-9", entries: 2, credits: 480 }],
      waitingKeys: 1,
      myNoStory: 640 + 160,
    });
    // How each got its story, as the story page says.
    const how = async (story: string) =>
      (await getStorySpend(t.db, { teamId: team.id, storyId: id(story) })).entries.map((e) => [
        e.credits,
        e.attributedBy,
      ]);
    expect(await how("PAY-1")).toEqual(
      expect.arrayContaining([
        [10, "key"],
        [80, "key"],
      ]),
    );
    expect(await how("PAY-2")).toEqual([[20, "key"]]);
    expect(await how("PAY-3")).toEqual([[40, "session"]]);
    expect((await how("PAY-4")).map(([, by]) => by)).toEqual(["manual", "manual", "manual"]);

    // A story with the waiting key appears: both NEW-9 entries move to it at once, on every page —
    // the one assigned by hand too (the key comes first).
    const [fresh] = await createStories(t.db, {
      teamId: team.id,
      stories: [{ key: "NEW-9", title: "New", link: null, labels: [], description: "" }],
    });
    await commitStory(t.db, {
      teamId: team.id,
      sprintId: sprint.id,
      storyId: fresh!.id,
      actorId: owner.id,
      actorIsManager: true,
    });
    const after = await figuresByPage(t.db, team.id, sprint.id, [...ids, fresh!.id], owner.id);
    const expectedAfter = { ...expected, [id("PAY-4")]: 1280 + 2560, [fresh!.id]: 480 };
    for (const [page, figures] of Object.entries(after)) {
      expect({ page, figures }).toEqual({ page, figures: page === "mySpend" ? mine(expectedAfter) : expectedAfter });
    }
    expect(await nobodysFigures(t.db, team.id, owner.id)).toMatchObject({
      overview: 640,
      waiting: [],
      waitingKeys: 0,
      myNoStory: 640,
    });

    // Insights read the closed sprint's snapshot with the same actuals.
    await closeSprint(t.db, {
      teamId: team.id,
      sprintId: sprint.id,
      actorId: owner.id,
      destination: { kind: "backlog" },
      timeZone: "UTC",
    });
    const [closed] = await listClosedSprintRows(t.db, { teamId: team.id, limit: 1 });
    expect(Object.fromEntries(closed!.rows.map((r) => [r.storyId, r.actual]))).toEqual(expectedAfter);
    const retro = (await getRetro(t.db, { teamId: team.id, sprintId: sprint.id }))!;
    expect(retro.source).toBe("snapshot");
    expect(Object.fromEntries(retro.rows.map((r) => [r.storyId, r.actual]))).toEqual(expectedAfter);
  });

  it("never counts another team's entries or sessions, whatever the key", async () => {
    const a = await setup(t.db);
    const b = await setup(t.db);
    const before = await actualsByStory(t.db, { teamId: a.team.id, storyIds: a.stories.map((s) => s.id) });
    // b's stories asked for under a's team: nothing (a story id of another team names no story here).
    expect((await actualsByStory(t.db, { teamId: a.team.id, storyIds: b.stories.map((s) => s.id) })).size).toBe(0);
    const rows = await attributedEntries(t.db, a.team.id)
      .select([attributedStoryId.as("s"), attributedBy.as("by")])
      .execute();
    expect(rows.every((r) => r.s === null || a.stories.some((s) => s.id === Number(r.s)))).toBe(true);
    expect(before.get(a.id("PAY-1"))?.credits).toBe(90);
  });

  it("reads several teams' actuals in one call, equal to each team's own", async () => {
    const a = await setup(t.db);
    const b = await setup(t.db);
    const ids = (x: typeof a) => x.stories.map((s) => s.id);
    const batched = await actualsByTeamStory(t.db, [
      { teamId: a.team.id, storyIds: ids(a) },
      // The other team's story ids asked under b too: the crossed IN lists must not answer them.
      { teamId: b.team.id, storyIds: [...ids(b), ...ids(a)] },
    ]);
    const own = (x: typeof a) => actualsByStory(t.db, { teamId: x.team.id, storyIds: ids(x) });
    expect(batched.get(a.team.id)).toEqual(await own(a));
    expect(batched.get(b.team.id)).toEqual(await own(b));
    expect(batched.get(a.team.id)?.get(a.id("PAY-1"))?.credits).toBe(90);
    expect(await actualsByTeamStory(t.db, [{ teamId: a.team.id, storyIds: [] }])).toEqual(new Map());
  });

  it("answers several teams in one statement as each team's own would", async () => {
    const a = await setup(t.db);
    const b = await setup(t.db);
    const read = (teams: number | number[]) =>
      attributedEntries(t.db, teams)
        .select(["e.id", "e.teamId", attributedStoryId.as("s"), attributedBy.as("by")])
        .orderBy("e.id")
        .execute();
    const both = await read([a.team.id, b.team.id]);
    expect(both).toEqual([...(await read(a.team.id)), ...(await read(b.team.id))].sort((x, y) => x.id - y.id));
    expect(both.filter((r) => r.s !== null).length).toBeGreaterThan(1);
    expect(await read([])).toEqual([]);
  });
});
