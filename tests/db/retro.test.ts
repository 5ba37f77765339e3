import { sql } from "kysely";
import { expect, it } from "vitest";
import { parse as parseCsvSync } from "csv-parse/sync";
import { RETRO_CSV_HEADER, retroCsv, retroCsvValues, csvText, summarizeRetro } from "~/domain/retro";
import { createStories, recordEstimate, updateStory } from "~/models/story.server";
import {
  closeSprint,
  commitStory,
  createSprint,
  setSprintStoryDone,
  type SprintSettingsInput,
} from "~/models/sprint.server";
import { actualsByStory, refreshRollups } from "~/models/attributed-spend.server";
import {
  getLatestDriftHeadline,
  getMySpend,
  getRetro,
  listClosedSprintRows,
  listEarlierNotes,
  saveRetroNote,
} from "~/models/retro.server";
import { addMember } from "~/models/team.server";
import type { DB } from "~/utils/db.server";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

const SPRINT: SprintSettingsInput = {
  name: "Sprint 7",
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
};

// Default scheme: standard × delegate = 150 (band M [100, 400)); light × assist = 5 (XS [0, 25));
// frontier-max × autonomous = 2000 (XL [1500, ∞)). Low risk p80 ×1.5.
const M = { intensity: "standard", autonomy: "delegate", risk: "low" };
const XS = { intensity: "light", autonomy: "assist", risk: "low" };
const XL = { intensity: "frontier-max", autonomy: "autonomous", risk: "high" };

let seq = 0;
type Entry = {
  credits: number | null;
  storyKey?: string | null;
  storyId?: number | null;
  sessionId?: string | null;
  user?: string | null;
  source?: string;
  model?: string;
};
async function addSpend(db: DB, teamId: number, e: Entry) {
  await sql`insert into spend_entries (team_id, occurred_at, day, source, model, credits, story_key, story_id, session_id, external_user, dedupe_key)
            values (${teamId}, '2026-03-04T12:00:00Z'::timestamptz, '2026-03-04'::date, ${e.source ?? "manual"}, ${e.model ?? null}, ${e.credits},
                    ${e.storyKey ?? null}, ${e.storyId ?? null}, ${e.sessionId ?? null}, ${e.user ?? null}, ${`retro-${seq++}`})`.execute(
    db,
  );
  await refreshRollups(db, teamId, ["2026-03-04"]); // as the app does with every write
}

async function setup(db: DB) {
  const { team, owner } = await makeTeam(db);
  const keys = ["PAY-1", "PAY-2", "PAY-10", "PAY-3", "PAY-4"];
  const stories = await createStories(db, {
    teamId: team.id,
    stories: [
      ...keys.map((key) => ({ key, title: `Story ${key}`, link: null, labels: [], description: "" })),
      { key: null, title: '=HYPERLINK("http://x")', link: null, labels: [], description: "" },
      { key: null, title: 'Another, with "quotes"', link: null, labels: [], description: "" },
    ],
  });
  const id = (key: string) => stories.find((s) => s.key === key || s.title === key)!.id;
  await recordEstimate(db, { teamId: team.id, storyId: id("PAY-1"), levels: M, source: "solo", createdBy: owner.id });
  await recordEstimate(db, { teamId: team.id, storyId: id("PAY-2"), levels: XS, source: "solo", createdBy: owner.id });
  await recordEstimate(db, { teamId: team.id, storyId: id("PAY-10"), levels: XL, source: "solo", createdBy: owner.id });
  await recordEstimate(db, { teamId: team.id, storyId: id("PAY-3"), levels: M, source: "solo", createdBy: owner.id });
  // PAY-4 and the two keyless stories stay unestimated.
  await recordEstimate(db, {
    teamId: team.id,
    storyId: id('=HYPERLINK("http://x")'),
    levels: M,
    source: "solo",
    createdBy: owner.id,
  });
  const sprint = await createSprint(db, { teamId: team.id, createdBy: owner.id, ...SPRINT });
  for (const s of stories) {
    await commitStory(db, {
      teamId: team.id,
      sprintId: sprint.id,
      storyId: s.id,
      actorId: owner.id,
      actorIsManager: true,
    });
  }
  return { team, owner, sprint, stories, id };
}

describeDb("retrospective", (t) => {
  it("sums attributed spend in SQL exactly as summing the entries by the attribution rule", async () => {
    const { team, id, stories } = await setup(t.db);
    const other = await makeTeam(t.db, "Other");
    await sql`insert into spend_session_stories (team_id, session_id, story_id) values (${team.id}, 'sess-3', ${id("PAY-3")})`.execute(
      t.db,
    );
    const entries: Entry[] = [
      { credits: 100.125, storyKey: "PAY-1" },
      { credits: 60.5, storyKey: "PAY-1", storyId: id("PAY-2") }, // the key wins over a manual assignment
      { credits: 3, storyId: id("PAY-2") },
      { credits: 1.25, storyKey: "PAY-999", storyId: id("PAY-2") }, // unknown key: the assignment counts
      { credits: null, storyKey: "PAY-2" }, // unpriced
      { credits: 4000, storyKey: "PAY-10" },
      { credits: 20, sessionId: "sess-3" },
      { credits: 30, sessionId: "sess-3", storyId: id("PAY-1") }, // the session wins over an assignment
      { credits: 7, sessionId: "sess-3", storyKey: "PAY-1" }, // the key wins over the session
      { credits: null, storyKey: "PAY-4" },
      { credits: 999, storyKey: null }, // unattributed: nobody's
    ];
    for (const e of entries) await addSpend(t.db, team.id, e);
    // Another team's entry with the same key must not leak in.
    await addSpend(t.db, other.team.id, { credits: 5000, storyKey: "PAY-1" });

    const byKey = new Map(stories.filter((s) => s.key).map((s) => [s.key!, s.id]));
    const expected = new Map<number, { credits: number | null; entries: number; unpriced: number }>();
    for (const e of entries) {
      const story =
        (e.storyKey ? byKey.get(e.storyKey) : undefined) ??
        (e.sessionId === "sess-3" ? id("PAY-3") : undefined) ??
        e.storyId ??
        undefined;
      if (story === undefined) continue;
      const acc = expected.get(story) ?? { credits: null, entries: 0, unpriced: 0 };
      acc.entries++;
      if (e.credits === null) acc.unpriced++;
      else acc.credits = (acc.credits ?? 0) + e.credits;
      expected.set(story, acc);
    }
    const actual = await actualsByStory(t.db, { teamId: team.id, storyIds: stories.map((s) => s.id) });
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
    expect(actual.get(id("PAY-1"))).toEqual({ credits: 167.625, entries: 3, unpriced: 0 });
    expect(actual.get(id("PAY-4"))).toEqual({ credits: null, entries: 1, unpriced: 1 });
    // Asking for a subset returns only that subset.
    expect([...(await actualsByStory(t.db, { teamId: team.id, storyIds: [id("PAY-3")] })).keys()]).toEqual([
      id("PAY-3"),
    ]);
  });

  it("counts stories without estimate or spend instead of dropping them, and writes them as empty CSV cells", async () => {
    const { team, sprint, id } = await setup(t.db);
    await addSpend(t.db, team.id, { credits: 180, storyKey: "PAY-1" }); // M [100, 400): in band, 1.2×
    await addSpend(t.db, team.id, { credits: 50, storyKey: "PAY-2" }); // XS [0, 25): out, 10× — outlier
    await addSpend(t.db, team.id, { credits: 12, storyKey: "PAY-4" }); // no estimate
    const retro = (await getRetro(t.db, { teamId: team.id, sprintId: sprint.id }))!;
    expect(retro.source).toBe("live");
    expect(retro.rows).toHaveLength(7);
    const summary = summarizeRetro(retro.rows, null);
    expect(summary).toMatchObject({
      stories: 7,
      compared: 2,
      withoutEstimate: 2,
      withoutSpend: 4,
      outliers: 1,
      hitRate: 0.5,
    });
    expect(summary.totals).toMatchObject({
      matchedStories: 2,
      matchedPlanned: 155,
      matchedActual: 230,
      allActual: 242,
    });

    const csv = retroCsv(retro.rows);
    expect(csv.charCodeAt(0)).not.toBe(0xfeff);
    const records = parseCsvSync(csv) as string[][];
    expect(records[0]!.join(",")).toBe(RETRO_CSV_HEADER);
    // Key order is natural (PAY-2 before PAY-10); keyless stories follow, by title (punctuation first).
    expect(records.slice(1).map((r) => r[0] || r[1])).toEqual([
      "PAY-1",
      "PAY-2",
      "PAY-3",
      "PAY-4",
      "PAY-10",
      '\'=HYPERLINK("http://x")',
      'Another, with "quotes"',
    ]);
    const row = (key: string) => records.find((r) => r[0] === key)!;
    expect(row("PAY-1")).toEqual([
      "PAY-1",
      "Story PAY-1",
      "M",
      "standard",
      "delegate",
      "low",
      "150",
      "100",
      "400",
      "180",
      "1.2",
      "true",
    ]);
    expect(row("PAY-2")).toEqual([
      "PAY-2",
      "Story PAY-2",
      "XS",
      "light",
      "assist",
      "low",
      "5",
      "0",
      "25",
      "50",
      "10",
      "false",
    ]);
    expect(row("PAY-10")).toEqual([
      "PAY-10",
      "Story PAY-10",
      "XL",
      "frontier-max",
      "autonomous",
      "high",
      "2000",
      "1500",
      "",
      "",
      "",
      "",
    ]);
    expect(row("PAY-4")).toEqual(["PAY-4", "Story PAY-4", "", "", "", "", "", "", "", "12", "", ""]);
    // Every CSV record is the table row's values, with only the formula guard added.
    retro.rows.forEach((r) => {
      const rec = records.find((x) => x[0] === (r.key ?? "") && x[1]!.replace(/^'/, "") === r.title)!;
      expect(rec).toEqual(
        retroCsvValues(r).map((v, i) => (i === 1 && /^[=+\-@]/.test(r.title) ? `'${csvText(v)}` : csvText(v))),
      );
    });
    expect(id("PAY-1")).toBeGreaterThan(0);
  });

  it("reads a closed sprint from its snapshot, whatever changed afterwards", async () => {
    const { team, owner, sprint, id } = await setup(t.db);
    await addSpend(t.db, team.id, { credits: 300, storyKey: "PAY-1" });
    await setSprintStoryDone(t.db, {
      teamId: team.id,
      sprintId: sprint.id,
      storyId: id("PAY-1"),
      done: true,
      actorId: owner.id,
    });
    const before = (await getRetro(t.db, { teamId: team.id, sprintId: sprint.id }))!;
    await closeSprint(t.db, {
      teamId: team.id,
      sprintId: sprint.id,
      actorId: owner.id,
      destination: { kind: "backlog" },
      timeZone: "UTC",
    });
    // After the close: PAY-1 is re-estimated (XL now) and renamed; more spend arrives.
    await recordEstimate(t.db, {
      teamId: team.id,
      storyId: id("PAY-1"),
      levels: XL,
      source: "solo",
      createdBy: owner.id,
    });
    await updateStory(t.db, {
      teamId: team.id,
      storyId: id("PAY-1"),
      key: "PAY-1",
      title: "Renamed later",
      link: null,
      labels: [],
      description: "",
    });
    await addSpend(t.db, team.id, { credits: 100, storyKey: "PAY-1" });

    const retro = (await getRetro(t.db, { teamId: team.id, sprintId: sprint.id }))!;
    expect(retro.source).toBe("snapshot");
    const pay1 = retro.rows.find((r) => r.key === "PAY-1")!;
    expect(pay1).toMatchObject({
      title: "Story PAY-1",
      size: "M",
      expected: 150,
      bandLow: 100,
      bandHigh: 400,
      actual: 400,
      outcome: "done",
    });
    expect(pay1.drift.inBand).toBe(false); // 400 is the open edge of [100, 400)
    expect(retro.rows.map((r) => r.storyId)).toEqual(before.rows.map((r) => r.storyId));
    expect(retro.rows.find((r) => r.key === "PAY-2")!.outcome).toBe("returned");

    const [closed] = await listClosedSprintRows(t.db, { teamId: team.id, limit: 5 });
    expect(closed!.sprint.id).toBe(sprint.id);
    expect(closed!.rows.find((r) => r.key === "PAY-1")!.expected).toBe(150);
    expect(closed!.rows).toHaveLength(7);
    // Trends and recalibration read only what the sprint finished.
    const [finished] = await listClosedSprintRows(t.db, { teamId: team.id, limit: 5, finishedOnly: true });
    expect(finished!.rows.map((r) => [r.key, r.actual])).toEqual([["PAY-1", 400]]);
    const headline = await getLatestDriftHeadline(t.db, team.id);
    expect(headline?.text).toBe("Sprint 7: actual spend ran 2.7× the estimate; 0 % in band");
  });

  it("keeps inspection notes on the story and shows them in later retrospectives", async () => {
    const { team, owner, sprint, id } = await setup(t.db);
    const other = await makeTeam(t.db, "Other");
    const saved = await saveRetroNote(t.db, {
      teamId: team.id,
      recordedBy: owner.id,
      storyId: id("PAY-2"),
      bought: "A working importer after three retries",
      reviewBurden: "light",
      causeTags: ["retries", "worth-it"],
      note: "",
    });
    expect(saved).toBe(true);
    // Not another team's story.
    expect(
      await saveRetroNote(t.db, {
        teamId: other.team.id,
        recordedBy: null,
        storyId: id("PAY-2"),
        bought: "x",
        reviewBurden: "none",
        causeTags: [],
        note: "",
      }),
    ).toBe(false);
    const retro = (await getRetro(t.db, { teamId: team.id, sprintId: sprint.id }))!;
    expect(retro.notes[id("PAY-2")]).toMatchObject({
      bought: "A working importer after three retries",
      causeTags: ["retries", "worth-it"],
    });

    await closeSprint(t.db, {
      teamId: team.id,
      sprintId: sprint.id,
      actorId: owner.id,
      destination: { kind: "backlog" },
      timeZone: "UTC",
    });
    const earlier = await listEarlierNotes(t.db, { teamId: team.id, before: "2026-03-16" });
    expect(earlier.map((n) => [n.key, n.sprintName])).toEqual([["PAY-2", "Sprint 7"]]);
    expect(await listEarlierNotes(t.db, { teamId: team.id, before: "2026-03-13" })).toEqual([]);
    expect(await listEarlierNotes(t.db, { teamId: other.team.id, before: "2026-03-16" })).toEqual([]);
  });

  it("shows a person only their own spend, through the identity mapping", async () => {
    const { team, owner, id } = await setup(t.db);
    const kim = await makeUser(t.db, "Kim");
    await addMember(t.db, { teamId: team.id, userId: kim.id, role: "member" });
    await sql`insert into spend_identities (team_id, identity, user_id) values (${team.id}, 'owner-gh', ${owner.id}), (${team.id}, 'owner@corp.example', ${owner.id}), (${team.id}, 'kim-gh', ${kim.id})`.execute(
      t.db,
    );
    await addSpend(t.db, team.id, {
      credits: 10,
      storyKey: "PAY-1",
      user: "Owner-GH ",
      source: "copilot-usage",
      model: "gpt-5",
    });
    await addSpend(t.db, team.id, {
      credits: 5,
      storyKey: "PAY-1",
      user: "owner@corp.example",
      source: "claude-jsonl",
      model: "claude-sonnet-4-6",
    });
    await addSpend(t.db, team.id, { credits: 2.5, user: "owner-gh", source: "copilot-usage", model: "gpt-5" });
    await addSpend(t.db, team.id, {
      credits: 700,
      storyKey: "PAY-1",
      user: "kim-gh",
      source: "copilot-usage",
      model: "gpt-5",
    });
    const mine = await getMySpend(t.db, { teamId: team.id, userId: owner.id });
    expect(mine.identities).toEqual(["owner-gh", "owner@corp.example"]);
    expect(mine.total).toEqual({ credits: 17.5, entries: 3, unpriced: 0 });
    expect(mine.byStory).toEqual([
      { storyId: id("PAY-1"), key: "PAY-1", title: "Story PAY-1", credits: 15, entries: 2, unpriced: 0 },
      { storyId: null, key: null, title: null, credits: 2.5, entries: 1, unpriced: 0 },
    ]);
    expect(mine.byTool).toEqual([
      { source: "claude-jsonl", model: "claude-sonnet-4-6", credits: 5, entries: 1, unpriced: 0 },
      { source: "copilot-usage", model: "gpt-5", credits: 12.5, entries: 2, unpriced: 0 },
    ]);
    const nobody = await makeUser(t.db, "Nobody");
    expect((await getMySpend(t.db, { teamId: team.id, userId: nobody.id })).byStory).toEqual([]);
  });
});
