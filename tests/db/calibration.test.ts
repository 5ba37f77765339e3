import { sql, type KyselyPlugin } from "kysely";
import { expect, it } from "vitest";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";
import { computeSuggestion, getLatestSuggestion, HISTORY_SPRINTS, rollBackScheme } from "~/models/calibration.server";
import { listClosedSprintRows } from "~/models/retro.server";
import { getCurrentScheme, saveSchemeVersion } from "~/models/scheme.server";
import {
  closeSprint,
  commitStory,
  createSprint,
  setSprintStoryDone,
  type SprintSettingsInput,
} from "~/models/sprint.server";
import { createStories, recordEstimate } from "~/models/story.server";
import type { DB } from "~/utils/db.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";
import { refreshRollups } from "~/models/attributed-spend.server";

const SPRINT: SprintSettingsInput = {
  name: "Sprint 1",
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

let seq = 0;
/** A closed sprint of 10 standard × delegate stories (expected 150) that each cost `credits`. */
async function closedSprint(
  db: DB,
  team: { id: number },
  owner: { id: number },
  name: string,
  credits: number,
  size = 10,
) {
  const keys = Array.from({ length: size }, () => `CAL-${++seq}`);
  const stories = await createStories(db, {
    teamId: team.id,
    stories: keys.map((key) => ({ key, title: key, link: null, labels: [], description: "" })),
  });
  const sprint = await createSprint(db, { teamId: team.id, createdBy: owner.id, ...SPRINT, name });
  for (const s of stories) {
    await recordEstimate(db, {
      teamId: team.id,
      storyId: s.id,
      levels: { intensity: "standard", autonomy: "delegate", risk: "low" },
      source: "solo",
      createdBy: owner.id,
    });
    await commitStory(db, {
      teamId: team.id,
      sprintId: sprint.id,
      storyId: s.id,
      actorId: owner.id,
      actorIsManager: true,
    });
    await setSprintStoryDone(db, {
      teamId: team.id,
      sprintId: sprint.id,
      storyId: s.id,
      done: true,
      actorId: owner.id,
    });
    await sql`insert into spend_entries (team_id, occurred_at, day, source, credits, story_key, dedupe_key)
              values (${team.id}, '2026-03-04T12:00:00Z'::timestamptz, '2026-03-04'::date, 'manual', ${credits * (0.9 + 0.02 * (seq % 10))},
                      ${s.key}, ${`cal-${seq}-${s.id}`})`.execute(db);
    await refreshRollups(db, team.id, ["2026-03-04"]); // the app refreshes with every write
  }
  await closeSprint(db, {
    teamId: team.id,
    sprintId: sprint.id,
    actorId: owner.id,
    destination: { kind: "backlog" },
    timeZone: "UTC",
  });
  return sprint;
}

describeDb("calibration suggestions", (t) => {
  it("fits and stores a suggestion when a sprint closes, scoped to the team and its scheme version", async () => {
    const { team, owner } = await makeTeam(t.db);
    const other = await makeTeam(t.db, "Other");
    const sprint = await closedSprint(t.db, team, owner, "Sprint 1", 300);
    const scheme = await getCurrentScheme(t.db, team.id);
    const stored = (await getLatestSuggestion(t.db, { teamId: team.id, schemeId: scheme.id }))!;
    expect(stored.suggestion.schemeVersion).toBe(scheme.version);
    expect(stored.suggestion.sprints.map((s) => s.id)).toEqual([sprint.id]);
    expect(stored.suggestion.finished).toBe(10);
    // Stories ran ~2× the matrix: the suggestion doubles the cell and is worth applying.
    expect(stored.suggestion.calibration.evidence.overall.factor).toBeGreaterThan(1.6);
    expect(stored.suggestion.worthIt).toBe(true);
    // Another team sees nothing of it, even when asking with this team's scheme id.
    expect(await getLatestSuggestion(t.db, { teamId: other.team.id, schemeId: scheme.id })).toBeUndefined();
  });

  it("rolls the current version back to the one before, as a new version, once", async () => {
    const { team, owner } = await makeTeam(t.db);
    const v1 = await getCurrentScheme(t.db, team.id);
    const v2 = await saveSchemeVersion(t.db, {
      teamId: team.id,
      scheme: { ...DEFAULT_SCHEME, p80Multiplier: [2, 3, 6] },
      createdBy: owner.id,
    });
    expect(v2.version).toBe(v1.version + 1);
    const result = await rollBackScheme(t.db, { teamId: team.id, createdBy: owner.id, expectVersion: v2.version });
    expect(result).toEqual({ ok: true, version: v2.version + 1 });
    const v3 = await getCurrentScheme(t.db, team.id);
    expect(v3.scheme).toEqual(v1.scheme);
    expect(v3.note).toMatch(/Rolled back version 2/);
    // A second submit of the same form (stale version) does not roll back again.
    expect(
      await rollBackScheme(t.db, { teamId: team.id, createdBy: owner.id, expectVersion: v2.version }),
    ).toMatchObject({ ok: false });
    // The rollback refitted the suggestion against the new version.
    expect(await getLatestSuggestion(t.db, { teamId: team.id, schemeId: v3.id })).toBeDefined();
  });

  it("has nothing to roll back to on the first version", async () => {
    const { team, owner } = await makeTeam(t.db);
    const v1 = await getCurrentScheme(t.db, team.id);
    expect(
      await rollBackScheme(t.db, { teamId: team.id, createdBy: owner.id, expectVersion: v1.version }),
    ).toMatchObject({ ok: false });
  });

  it("fits the same suggestion from the sprints the insights page read already, without reading them again", async () => {
    const { team, owner } = await makeTeam(t.db);
    // One sprint more than the fit looks at, so taking the right ones from a longer list matters.
    for (let i = 0; i <= HISTORY_SPRINTS; i++) await closedSprint(t.db, team, owner, `S${i}`, 100 + 40 * i, 2);
    const fresh = await computeSuggestion(t.db, team.id);
    expect(fresh.suggestion.finished).toBeGreaterThan(0);
    const closed = await listClosedSprintRows(t.db, { teamId: team.id, limit: 24, finishedOnly: true });
    expect(closed).toHaveLength(HISTORY_SPRINTS + 1);
    let spendReads = 0;
    const count: KyselyPlugin = {
      transformQuery: (args) => {
        // Spend is read from the entries or from their rollups (per story and day).
        if (/spend_(entries|rollups)/.test(JSON.stringify(args.node))) spendReads++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const reused = await computeSuggestion(t.db.withPlugin(count), team.id, {
      closed,
      limit: 24,
      scheme: fresh.scheme,
    });
    expect(reused.suggestion).toEqual(fresh.suggestion);
    expect(spendReads).toBe(0);
    // A shorter list than the fit needs is not enough: it reads its own.
    const six = await listClosedSprintRows(t.db, { teamId: team.id, limit: 6, finishedOnly: true });
    const own = await computeSuggestion(t.db.withPlugin(count), team.id, {
      closed: six,
      limit: 6,
      scheme: fresh.scheme,
    });
    expect(own.suggestion).toEqual(fresh.suggestion);
    expect(spendReads).toBeGreaterThan(0);
  });
});
