// The retrospective's data: a sprint's committed stories with the estimates they were committed
// with (the close snapshot for a closed sprint, current commitments for an open one), the actual
// credits attributed to each story summed in SQL, the stories' inspection notes (story_outcomes,
// shared with the story page), the cross-sprint view for insights, and one person's own spend.
// Every query is scoped by team.
import { sql, type SqlBool } from "kysely";
import {
  driftHeadline,
  retroRows,
  type DriftHeadline,
  type RetroNote,
  type RetroNoteInput,
  type RetroRow,
  type RetroStory,
} from "~/domain/retro";
import type { SprintSnapshot } from "~/domain/sprint";
import { ESTIMATE_BAND, ESTIMATE_FIGURES } from "~/models/estimate-columns.server";
import {
  actualsByStory,
  attributedEntries,
  attributedStoryId,
  roundCredits,
  type StoryActual,
} from "~/models/attributed-spend.server";
import { saveStoryOutcome } from "~/models/story-outcome.server";
import type { DB } from "~/utils/db.server";

// ---------------------------------------------------------------------------------------------
// Actual spend per story

// Which story an entry counts for, and each story's actual, come from attributed-spend.server.ts.
export type { StoryActual };

// ---------------------------------------------------------------------------------------------
// One sprint

export interface RetroSprint {
  id: number;
  name: string;
  goal: string;
  start: string;
  end: string;
  closedAt: Date | null;
}

export interface Retro {
  sprint: RetroSprint;
  /** Where the committed stories and their estimates come from. */
  source: "snapshot" | "live";
  rows: RetroRow[];
  notes: Record<number, RetroNote>;
}

function snapshotStories(snapshot: SprintSnapshot): Omit<RetroStory, "actual" | "entries" | "unpriced">[] {
  return snapshot.stories.map((s) => ({
    storyId: s.storyId,
    key: s.key,
    title: s.title,
    outcome: s.outcome,
    levels: s.levels,
    size: s.size,
    expected: s.expected,
    p80: s.p80,
    bandLow: s.bandLow,
    bandHigh: s.bandHigh,
    schemeVersion: s.schemeVersion,
  }));
}

/** Current commitments of an open sprint (or every row of a closed sprint that has no snapshot). */
async function liveStories(db: DB, input: { teamId: number; sprintId: number; open: boolean }) {
  let query = db
    .selectFrom("sprintStories")
    .innerJoin("stories", "stories.id", "sprintStories.storyId")
    .leftJoin("estimates", "estimates.id", "stories.estimateId")
    .leftJoin("sizingSchemes", "sizingSchemes.id", "estimates.schemeId")
    .select([
      "stories.id",
      "stories.key",
      "stories.title",
      "sprintStories.outcome",
      ...ESTIMATE_FIGURES,
      ...ESTIMATE_BAND,
      "sizingSchemes.version as schemeVersion",
    ])
    .where("sprintStories.teamId", "=", input.teamId)
    .where("sprintStories.sprintId", "=", input.sprintId);
  if (input.open) query = query.where("sprintStories.outcome", "is", null);
  const rows = await query.execute();
  return rows.map((r) => ({
    storyId: r.id,
    key: r.key,
    title: r.title,
    outcome: r.outcome,
    levels: r.intensity && r.autonomy && r.risk ? { intensity: r.intensity, autonomy: r.autonomy, risk: r.risk } : null,
    size: r.size,
    expected: r.expectedCredits,
    p80: r.p80Credits,
    bandLow: r.bandLow,
    bandHigh: r.bandHigh,
    schemeVersion: r.schemeVersion,
  }));
}

function withActuals(
  stories: Omit<RetroStory, "actual" | "entries" | "unpriced">[],
  actuals: Map<number, StoryActual>,
): RetroStory[] {
  return stories.map((s) => {
    const a = actuals.get(s.storyId);
    return { ...s, actual: a?.credits ?? null, entries: a?.entries ?? 0, unpriced: a?.unpriced ?? 0 };
  });
}

const SPRINT_COLUMNS = ["id", "name", "goal", "startDate", "endDate", "closedAt", "snapshot"] as const;

/**
 * A sprint's retrospective. A closed sprint reads what was committed from its snapshot (stories
 * and frozen estimates as they stood at close); an open one reads the current commitments. Either
 * way each story's actual is all spend attributed to it, whenever it was booked.
 */
export async function getRetro(db: DB, input: { teamId: number; sprintId: number }): Promise<Retro | undefined> {
  const sprint = await db
    .selectFrom("sprints")
    .select(SPRINT_COLUMNS)
    .where("teamId", "=", input.teamId)
    .where("id", "=", input.sprintId)
    .executeTakeFirst();
  if (!sprint) return undefined;
  const snapshot = sprint.closedAt ? (sprint.snapshot as SprintSnapshot | null) : null;
  const stories = snapshot
    ? snapshotStories(snapshot)
    : await liveStories(db, { teamId: input.teamId, sprintId: sprint.id, open: !sprint.closedAt });
  const ids = stories.map((s) => s.storyId);
  const [actuals, notes] = await Promise.all([
    actualsByStory(db, { teamId: input.teamId, storyIds: ids }),
    listNotes(db, { teamId: input.teamId, storyIds: ids }),
  ]);
  return {
    sprint: {
      id: sprint.id,
      name: sprint.name,
      goal: sprint.goal,
      start: sprint.startDate,
      end: sprint.endDate,
      closedAt: sprint.closedAt,
    },
    source: snapshot ? "snapshot" : "live",
    rows: retroRows(withActuals(stories, actuals)),
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Inspection notes (the story's outcome note)

async function listNotes(
  db: DB,
  input: { teamId: number; storyIds: readonly number[] },
): Promise<Record<number, RetroNote>> {
  if (!input.storyIds.length) return {};
  const rows = await db
    .selectFrom("storyOutcomes")
    .select(["storyId", "bought", "reviewBurden", "causeTags", "note", "updatedAt"])
    .where("teamId", "=", input.teamId)
    .where("storyId", "in", [...input.storyIds])
    .execute();
  return Object.fromEntries(rows.map((r) => [r.storyId, toNote(r)]));
}

function toNote(r: {
  bought: string;
  reviewBurden: string;
  causeTags: string[];
  note: string;
  updatedAt: Date;
}): RetroNote {
  return {
    bought: r.bought,
    reviewBurden: r.reviewBurden,
    causeTags: r.causeTags,
    note: r.note,
    updatedAt: r.updatedAt.toISOString(),
  };
}

export interface EarlierNote extends RetroNote {
  storyId: number;
  key: string | null;
  title: string;
  sprintId: number;
  sprintName: string;
}

/**
 * Notes on stories of the team's earlier sprints (those that ended before this one started), newest
 * first: what the team learned last time stays in front of it.
 */
export async function listEarlierNotes(
  db: DB,
  input: { teamId: number; before: string; limit?: number },
): Promise<EarlierNote[]> {
  const rows = await db
    .selectFrom("storyOutcomes as o")
    .innerJoin("stories as s", "s.id", "o.storyId")
    .innerJoin("sprintStories as ss", "ss.storyId", "o.storyId")
    .innerJoin("sprints as sp", "sp.id", "ss.sprintId")
    .select([
      "o.storyId",
      "s.key",
      "s.title",
      "o.bought",
      "o.reviewBurden",
      "o.causeTags",
      "o.note",
      "o.updatedAt",
      "sp.id as sprintId",
      "sp.name as sprintName",
    ])
    .where("o.teamId", "=", input.teamId)
    .where("sp.teamId", "=", input.teamId)
    .where("sp.endDate", "<", input.before)
    // A story carried through several sprints is named once, with the last sprint it was in.
    .distinctOn("o.storyId")
    .orderBy("o.storyId")
    .orderBy("sp.endDate", "desc")
    .execute();
  return rows
    .map((r) => ({
      ...toNote(r),
      storyId: r.storyId,
      key: r.key,
      title: r.title,
      sprintId: r.sprintId,
      sprintName: r.sprintName,
    }))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, input.limit ?? 8);
}

/**
 * Saves (or replaces) the story's inspection note from the retrospective: the same note the
 * outcome form writes, through the one function that locks and upserts it; false when the story
 * is not the team's.
 */
export function saveRetroNote(
  db: DB,
  input: { teamId: number; recordedBy: number | null } & RetroNoteInput,
): Promise<boolean> {
  return saveStoryOutcome(db, { ...input, markDone: false });
}

// ---------------------------------------------------------------------------------------------
// Across sprints

export interface ClosedSprintRows {
  sprint: { id: number; name: string; start: string; end: string };
  /** Every committed story, as in the sprint's retrospective. */
  rows: RetroRow[];
}

/**
 * The team's last `limit` closed sprints (oldest first) with their committed stories from the
 * snapshot, actuals summed in one SQL pass for all of them. `finishedOnly` keeps the stories done
 * in each sprint (what trends and recalibration read; a carried story is finished, and counted,
 * in a later sprint).
 */
export async function listClosedSprintRows(
  db: DB,
  input: { teamId: number; limit: number; finishedOnly?: boolean },
): Promise<ClosedSprintRows[]> {
  const sprints = await db
    .selectFrom("sprints")
    .select(["id", "name", "startDate", "endDate", "snapshot"])
    .where("teamId", "=", input.teamId)
    .where("closedAt", "is not", null)
    .where("snapshot", "is not", null)
    .orderBy("endDate", "desc")
    .orderBy("id", "desc")
    .limit(input.limit)
    .execute();
  sprints.reverse();
  const stories = sprints.map((s) =>
    snapshotStories(s.snapshot as SprintSnapshot).filter((story) => !input.finishedOnly || story.outcome === "done"),
  );
  const actuals = await actualsByStory(db, { teamId: input.teamId, storyIds: stories.flat().map((s) => s.storyId) });
  return sprints.map((s, i) => ({
    sprint: { id: s.id, name: s.name, start: s.startDate, end: s.endDate },
    rows: retroRows(withActuals(stories[i]!, actuals)),
  }));
}

/** For the dashboard: the latest closed sprint's drift in one sentence, or null. */
export async function getLatestDriftHeadline(db: DB, teamId: number): Promise<DriftHeadline | null> {
  const [latest] = await listClosedSprintRows(db, { teamId, limit: 1 });
  if (!latest) return null;
  return driftHeadline(latest.sprint, latest.rows);
}

// ---------------------------------------------------------------------------------------------
// My own spend

export interface MySpend {
  identities: string[];
  total: { credits: number; entries: number; unpriced: number };
  byStory: {
    storyId: number | null;
    key: string | null;
    title: string | null;
    credits: number;
    entries: number;
    unpriced: number;
  }[];
  byTool: { source: string; model: string | null; credits: number; entries: number; unpriced: number }[];
}

/**
 * One person's spend: the entries whose tool user name maps to them through the team's identity
 * mapping. Only ever called with the signed-in user's own id: there is no way to ask for someone
 * else's, so no page can rank people by spend.
 */
export async function getMySpend(db: DB, input: { teamId: number; userId: number }): Promise<MySpend> {
  const identities = await db
    .selectFrom("spendIdentities")
    .select("identity")
    .where("teamId", "=", input.teamId)
    .where("userId", "=", input.userId)
    .orderBy("identity")
    .execute();
  const empty: MySpend = { identities: [], total: { credits: 0, entries: 0, unpriced: 0 }, byStory: [], byTool: [] };
  if (!identities.length) return empty;
  const names = identities.map((i) => i.identity);
  const mine = () => attributedEntries(db, input.teamId).where(sql<string>`lower(btrim(e.external_user))`, "in", names);
  const [byStory, byTool] = await Promise.all([
    mine()
      .leftJoin("stories as s", (join) => join.on(sql<SqlBool>`s.id = ${attributedStoryId}`))
      .select([
        attributedStoryId.as("storyId"),
        "s.key",
        "s.title",
        sql<number | null>`sum(e.credits)`.as("credits"),
        sql<number>`count(*)`.as("entries"),
        sql<number>`count(*) filter (where e.credits is null)`.as("unpriced"),
      ])
      .groupBy([attributedStoryId, "s.key", "s.title"])
      .orderBy(sql`s.key nulls last, s.title nulls last`)
      .execute(),
    mine()
      .select([
        "e.source",
        "e.model",
        sql<number | null>`sum(e.credits)`.as("credits"),
        sql<number>`count(*)`.as("entries"),
        sql<number>`count(*) filter (where e.credits is null)`.as("unpriced"),
      ])
      .groupBy(["e.source", "e.model"])
      .orderBy(sql`e.source, e.model nulls last`)
      .execute(),
  ]);
  const num = (x: number | null) => roundCredits(Number(x ?? 0));
  const stories = byStory.map((r) => ({
    ...r,
    storyId: r.storyId === null ? null : Number(r.storyId),
    credits: num(r.credits),
    entries: Number(r.entries),
    unpriced: Number(r.unpriced),
  }));
  return {
    identities: identities.map((i) => i.identity),
    total: {
      credits: roundCredits(stories.reduce((a, r) => a + r.credits, 0)),
      entries: stories.reduce((a, r) => a + r.entries, 0),
      unpriced: stories.reduce((a, r) => a + r.unpriced, 0),
    },
    byStory: stories,
    byTool: byTool.map((r) => ({
      ...r,
      credits: num(r.credits),
      entries: Number(r.entries),
      unpriced: Number(r.unpriced),
    })),
  };
}
