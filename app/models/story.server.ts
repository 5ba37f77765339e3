import { sql } from "kysely";
import { rankBetween } from "~/domain/ranks";
import { estimate as estimateLevels, type Levels } from "~/domain/sizing";
import type { StoryStatus } from "../../db/schema";
import { ESTIMATE_BAND, ESTIMATE_FIGURES } from "~/models/estimate-columns.server";
import { refreshRollupsReaching } from "~/models/attributed-spend.server";
import { getCurrentScheme } from "~/models/scheme.server";
import type { DB } from "~/utils/db.server";

export type { StoryStatus };
export const STORY_STATUSES: StoryStatus[] = ["backlog", "estimated", "committed", "done"];

export interface StoryInput {
  key: string | null;
  title: string;
  link: string | null;
  labels: string[];
  description: string;
}

function storiesWithEstimate(db: DB, teamId: number) {
  return db
    .selectFrom("stories")
    .leftJoin("estimates", "estimates.id", "stories.estimateId")
    .leftJoin("sizingSchemes", "sizingSchemes.id", "estimates.schemeId")
    .select([
      "stories.id",
      "stories.key",
      "stories.title",
      "stories.link",
      "stories.labels",
      "stories.description",
      "stories.status",
      "stories.rank",
      "stories.archivedAt",
      "stories.trackerClosed",
      "stories.createdAt",
      "estimates.id as estimateId",
      ...ESTIMATE_FIGURES,
      ...ESTIMATE_BAND,
      "estimates.source as estimateSource",
      "estimates.schemeId",
      "estimates.createdAt as estimatedAt",
      "sizingSchemes.version as schemeVersion",
    ])
    .where("stories.teamId", "=", teamId);
}

export type StoryRow = Awaited<ReturnType<typeof getStory>> & {};

export function getStory(db: DB, input: { teamId: number; storyId: number }) {
  return storiesWithEstimate(db, input.teamId).where("stories.id", "=", input.storyId).executeTakeFirst();
}

export function getStoryByKey(db: DB, input: { teamId: number; key: string }) {
  return storiesWithEstimate(db, input.teamId).where("stories.key", "=", input.key).executeTakeFirst();
}

export interface StoryFilters {
  status?: StoryStatus;
  label?: string;
  size?: string;
  intensity?: string;
  autonomy?: string;
  risk?: string;
  q?: string;
  archived?: boolean;
  /** Only stories without an estimate. */
  unestimated?: boolean;
}

/** Sortable columns, whitelisted: a sort parameter never reaches SQL as text. */
export const STORY_SORTS = {
  rank: "stories.rank",
  key: "stories.key",
  title: "stories.title",
  status: "stories.status",
  size: "estimates.expectedCredits",
  expected: "estimates.expectedCredits",
  created: "stories.createdAt",
} as const;
export type StorySort = keyof typeof STORY_SORTS;

export function listStories(
  db: DB,
  input: { teamId: number; filters?: StoryFilters; sort?: StorySort; desc?: boolean; limit?: number },
) {
  const f = input.filters ?? {};
  let query = storiesWithEstimate(db, input.teamId);
  query = f.archived
    ? query.where("stories.archivedAt", "is not", null)
    : query.where("stories.archivedAt", "is", null);
  if (f.status) query = query.where("stories.status", "=", f.status);
  if (f.label) query = query.where(sql<boolean>`${f.label} = any(stories.labels)`);
  if (f.size) query = query.where("estimates.size", "=", f.size);
  if (f.unestimated) query = query.where("stories.estimateId", "is", null);
  if (f.intensity) query = query.where("estimates.intensity", "=", f.intensity);
  if (f.autonomy) query = query.where("estimates.autonomy", "=", f.autonomy);
  if (f.risk) query = query.where("estimates.risk", "=", f.risk);
  // PostgreSQL text cannot hold NUL: a search containing one would be a 500, not "no match".
  const q = f.q?.replaceAll("\u0000", "");
  if (q) {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb("stories.title", "ilike", like), eb("stories.key", "ilike", like)]));
  }
  const column = STORY_SORTS[input.sort ?? "rank"];
  const direction = input.desc ? "desc" : "asc";
  return query
    .orderBy(column, (ob) => (direction === "desc" ? ob.desc().nullsLast() : ob.asc().nullsLast()))
    .orderBy("stories.rank")
    .limit(input.limit ?? 1000)
    .execute();
}

/**
 * Stories to pick from (assigning spend in the inbox, sizing in poker), in backlog order: only the
 * columns a picker shows — not descriptions, labels or the estimate's figures, which the backlog's
 * `listStories` reads for up to 1,000 rows. `open`: not done (poker sizes work still to do).
 */
export function listStoryChoices(db: DB, input: { teamId: number; open?: boolean; limit?: number }) {
  let query = db
    .selectFrom("stories")
    .leftJoin("estimates", "estimates.id", "stories.estimateId")
    .select(["stories.id", "stories.key", "stories.title", "stories.status", "estimates.size"])
    .where("stories.teamId", "=", input.teamId)
    .where("stories.archivedAt", "is", null);
  if (input.open) query = query.where("stories.status", "!=", "done");
  return query
    .orderBy("stories.rank")
    .limit(input.limit ?? 1000)
    .execute();
}

export async function listLabels(db: DB, teamId: number): Promise<string[]> {
  const rows = await db
    .selectFrom(
      sql<{
        label: string;
      }>`(select distinct unnest(labels) as label from stories where team_id = ${teamId} and archived_at is null)`.as(
        "l",
      ),
    )
    .select("label")
    .orderBy("label")
    .execute();
  return rows.map((r) => r.label);
}

export async function lastRank(db: DB, teamId: number): Promise<string | null> {
  const row = await db
    .selectFrom("stories")
    .select("rank")
    .where("teamId", "=", teamId)
    .orderBy("rank", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.rank ?? null;
}

export class DuplicateKeyError extends Error {
  constructor(readonly key: string) {
    super(`A story with key ${key} exists already.`);
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string };
  return e?.code === "23505" && (e.constraint === constraint || !!e.message?.includes(constraint));
}

/**
 * Two writers who read the same neighbouring ranks pick the same new rank; the unique rank index
 * refuses the second, which runs again on fresh ranks. Order is never corrupted, no write is lost.
 */
export async function retryingRankCollisions<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error, "stories_team_rank_idx")) throw error;
      if (attempt >= 8) throw new Error("The backlog is being changed by many people at once; try again.");
    }
  }
}

/** Adds stories at the end of the backlog, all or none (a bulk paste or CSV never half-imports). */
export async function createStories(db: DB, input: { teamId: number; stories: StoryInput[] }) {
  if (!input.stories.length) return [];
  try {
    return await retryingRankCollisions(() =>
      db.transaction().execute(async (trx) => {
        let rank = await lastRank(trx, input.teamId);
        const rows = input.stories.map((s) => {
          rank = rankBetween(rank, null);
          return { teamId: input.teamId, ...s, rank };
        });
        const created = await trx.insertInto("stories").values(rows).returning(["id", "key", "title"]).execute();
        // Entries already carrying a new story's key count for it from now on.
        await refreshRollupsReaching(trx, input.teamId, { storyKeys: created.map((s) => s.key) });
        return created;
      }),
    );
  } catch (error) {
    if (isUniqueViolation(error, "stories_team_key_idx")) {
      const detail = /\(team_id, key\)=\(\d+, ([^)]+)\)/.exec((error as { detail?: string }).detail ?? "");
      throw new DuplicateKeyError(detail?.[1] ?? "one of these keys");
    }
    throw error;
  }
}

export async function createStory(db: DB, input: { teamId: number } & StoryInput) {
  const { teamId, ...story } = input;
  const [created] = await createStories(db, { teamId, stories: [story] });
  return created!;
}

export async function updateStory(
  db: DB,
  input: { teamId: number; storyId: number } & StoryInput & { status?: StoryStatus },
) {
  const { teamId, storyId, ...values } = input;
  try {
    return await db.transaction().execute(async (trx) => {
      // Locked: of two re-keys at once, the second must see the first's key as "before", or the
      // entries of the key in between stay on this story in the rollups.
      const before = await trx
        .selectFrom("stories")
        .select("key")
        .where("teamId", "=", teamId)
        .where("id", "=", storyId)
        .forUpdate()
        .executeTakeFirst();
      const result = await trx
        .updateTable("stories")
        .set({ ...values, updatedAt: new Date() })
        .where("teamId", "=", teamId)
        .where("id", "=", storyId)
        .executeTakeFirst();
      // A new key claims the entries carrying it; the old key's entries are waiting again.
      if (before && values.key !== undefined && values.key !== before.key)
        await refreshRollupsReaching(trx, teamId, { storyKeys: [before.key, values.key] });
      return Number(result.numUpdatedRows) === 1;
    });
  } catch (error) {
    if (isUniqueViolation(error, "stories_team_key_idx") && values.key) throw new DuplicateKeyError(values.key);
    throw error;
  }
}

export async function setStoryArchived(db: DB, input: { teamId: number; storyId: number; archived: boolean }) {
  await db
    .updateTable("stories")
    .set({ archivedAt: input.archived ? new Date() : null, updatedAt: new Date() })
    .where("teamId", "=", input.teamId)
    .where("id", "=", input.storyId)
    .execute();
}

/**
 * Moves a story between two neighbours (ids as the mover saw them; null = list end): right after
 * `beforeId`, or right before `afterId` when it is the first. Ranks are read fresh in the
 * transaction; two movers picking the same gap collide and the loser retries.
 */
export async function moveStory(
  db: DB,
  input: { teamId: number; storyId: number; beforeId: number | null; afterId: number | null },
) {
  return retryingRankCollisions(() =>
    db.transaction().execute(async (trx) => {
      const others = () =>
        trx.selectFrom("stories").select("rank").where("teamId", "=", input.teamId).where("id", "!=", input.storyId);
      const rankOf = async (id: number | null) =>
        id === null ? null : ((await others().where("id", "=", id).executeTakeFirst())?.rank ?? null);
      const nextAfter = async (rank: string) =>
        (await others().where("rank", ">", rank).orderBy("rank", "asc").limit(1).executeTakeFirst())?.rank ?? null;
      const prevBefore = async (rank: string) =>
        (await others().where("rank", "<", rank).orderBy("rank", "desc").limit(1).executeTakeFirst())?.rank ?? null;

      const beforeRank = await rankOf(input.beforeId);
      const afterRank = await rankOf(input.afterId);
      let low: string | null;
      let high: string | null;
      // Right after `before` as it is now (not as the mover saw it): a story someone else dropped
      // into the same gap meanwhile stays, and ours goes next to it.
      if (beforeRank !== null) {
        [low, high] = [beforeRank, await nextAfter(beforeRank)];
      } else if (afterRank !== null) {
        [low, high] = [await prevBefore(afterRank), afterRank];
      } else if (input.beforeId === null && input.afterId === null) {
        return true; // the only story: nothing to reorder
      } else {
        return false; // both neighbours vanished: leave the story where it is
      }
      const rank = rankBetween(low, high);
      const result = await trx
        .updateTable("stories")
        .set({ rank, updatedAt: new Date() })
        .where("teamId", "=", input.teamId)
        .where("id", "=", input.storyId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    }),
  );
}

/**
 * Records an estimate on the story with the team's current scheme frozen in it: solo (quick
 * estimate) or from a poker session (with its round history).
 */
export async function recordEstimate(
  db: DB,
  input: {
    teamId: number;
    storyId: number;
    levels: Levels;
    source: "solo" | "session";
    sessionId?: number | null;
    rounds?: unknown[];
    createdBy: number | null;
  },
) {
  return db.transaction().execute(async (trx) => {
    const story = await trx
      .selectFrom("stories")
      .select(["id", "status"])
      .where("teamId", "=", input.teamId)
      .where("id", "=", input.storyId)
      .executeTakeFirst();
    if (!story) return null;
    const scheme = await getCurrentScheme(trx, input.teamId);
    const result = estimateLevels(scheme.scheme, input.levels);
    const row = await trx
      .insertInto("estimates")
      .values({
        teamId: input.teamId,
        storyId: input.storyId,
        schemeId: scheme.id,
        ...input.levels,
        size: result.size,
        expectedCredits: result.expected,
        p80Credits: result.p80,
        bandLow: result.band.low,
        bandHigh: result.band.high,
        source: input.source,
        sessionId: input.sessionId ?? null,
        rounds: JSON.stringify(input.rounds ?? []),
        createdBy: input.createdBy,
      })
      .returning(["id", "size", "expectedCredits", "p80Credits"])
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("stories")
      .set({
        estimateId: row.id,
        status: story.status === "backlog" ? "estimated" : story.status,
        updatedAt: new Date(),
      })
      .where("id", "=", input.storyId)
      .execute();
    return row;
  });
}

/** Which of these keys the team's stories use already (archived ones too: the index covers them). */
export async function findExistingKeys(db: DB, input: { teamId: number; keys: string[] }): Promise<string[]> {
  if (!input.keys.length) return [];
  const rows = await db
    .selectFrom("stories")
    .select("key")
    .where("teamId", "=", input.teamId)
    .where("key", "in", input.keys)
    .execute();
  return rows.map((r) => r.key!).filter(Boolean);
}

/** Every estimate a story has had, newest first, with the scheme version it froze and who made it. */
export function listStoryEstimates(db: DB, input: { teamId: number; storyId: number }) {
  return db
    .selectFrom("estimates")
    .innerJoin("sizingSchemes", "sizingSchemes.id", "estimates.schemeId")
    .leftJoin("users", "users.id", "estimates.createdBy")
    .select([
      "estimates.id",
      ...ESTIMATE_FIGURES,
      "estimates.source",
      "estimates.sessionId",
      "estimates.createdAt",
      "sizingSchemes.version as schemeVersion",
      "users.name as createdByName",
    ])
    .where("estimates.teamId", "=", input.teamId)
    .where("estimates.storyId", "=", input.storyId)
    .orderBy("estimates.createdAt", "desc")
    .orderBy("estimates.id", "desc")
    .execute();
}

/** Counts for the dashboard card: open (not archived) stories, how many carry an estimate. */
export async function getBacklogCounts(db: DB, teamId: number) {
  const row = await db
    .selectFrom("stories")
    .select((eb) => [
      eb.fn.countAll<number>().as("stories"),
      eb.fn.count<number>("estimateId").as("estimated"),
      eb.fn.sum<number>(eb.case().when("status", "=", "backlog").then(1).else(0).end()).as("inBacklog"),
    ])
    .where("teamId", "=", teamId)
    .where("archivedAt", "is", null)
    .executeTakeFirstOrThrow();
  const stories = Number(row.stories);
  const estimated = Number(row.estimated);
  return { stories, estimated, unestimated: stories - estimated, inBacklog: Number(row.inBacklog ?? 0) };
}

/** Whether the team has any story at all, archived ones included (for idempotent seeding). */
export async function teamHasStories(db: DB, teamId: number): Promise<boolean> {
  return !!(await db.selectFrom("stories").select("id").where("teamId", "=", teamId).limit(1).executeTakeFirst());
}
