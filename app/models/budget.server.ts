// A story's budget as the guard sees it — its estimate, its spend (every source, however
// attributed), the extensions managers granted, its open sprint's policy and remaining credits —
// and the guard's decision (app/domain/budget-guard.ts). Also the extensions themselves.
import { sql } from "kysely";
import { decideBudget, type GuardAnswer } from "~/domain/budget-guard";
import { withoutControlChars } from "~/domain/otlp/spend";
import { roundMoney } from "~/domain/spend/rate-card";
import { refreshRollupsReaching } from "~/models/attributed-spend.server";
import { capacityOf, getSprint } from "~/models/sprint.server";
import { dailySpendForSprint } from "~/models/sprint-spend.server";
import { getActualCreditsByStory } from "~/models/spend.server";
import { getStory, getStoryByKey } from "~/models/story.server";
import type { DB } from "~/utils/db.server";
import { announceSpend } from "~/utils/spend-live.server";

export interface StoryBudget extends GuardAnswer {
  story: { id: number; key: string | null; title: string };
  estimate: { expected: number; p80: number; size: string | null } | null;
  spent: number;
  extended: number;
  sprint: { id: number; name: string; policy: string; available: number; spent: number } | null;
  /** The team's remaining credits: null until organisations give teams a budget. */
  teamRemaining: number | null;
}

/** The story's open sprint (the one it is committed to and that is not closed), if any. */
async function openSprintOf(db: DB, teamId: number, storyId: number) {
  const row = await db
    .selectFrom("sprintStories as ss")
    .innerJoin("sprints as s", "s.id", "ss.sprintId")
    .select("s.id")
    .where("ss.teamId", "=", teamId)
    .where("ss.storyId", "=", storyId)
    .where("ss.outcome", "is", null)
    .where("s.closedAt", "is", null)
    .executeTakeFirst();
  return row ? getSprint(db, { teamId, sprintId: row.id }) : undefined;
}

/** Credits managers added, per story (stories without extensions are absent). */
async function extendedCreditsByStory(db: DB, input: { teamId: number; storyIds: number[] }) {
  if (input.storyIds.length === 0) return new Map<number, number>();
  const rows = await db
    .selectFrom("budgetExtensions")
    .select(["storyId", sql<number>`coalesce(sum(credits), 0)`.as("credits")])
    .where("teamId", "=", input.teamId)
    .where("storyId", "in", input.storyIds)
    .groupBy("storyId")
    .execute();
  return new Map(rows.map((r) => [r.storyId, roundMoney(Number(r.credits))]));
}

type Sprint = NonNullable<Awaited<ReturnType<typeof getSprint>>>;

/** What the guard needs of a running sprint: its policy, available credits and everything it spent. */
async function sprintFiguresOf(db: DB, teamId: number, sprint: Sprint): Promise<NonNullable<StoryBudget["sprint"]>> {
  const daily = await dailySpendForSprint(db, { teamId, start: sprint.startDate, end: sprint.endDate });
  return {
    id: sprint.id,
    name: sprint.name,
    policy: sprint.exhaustionPolicy,
    available: capacityOf(sprint).available,
    spent: roundMoney(Object.values(daily).reduce((a, b) => a + b, 0)),
  };
}

type BudgetStory = {
  id: number;
  key: string | null;
  title: string;
  expectedCredits: number | null;
  p80Credits: number | null;
  size?: string | null;
};

/** The guard's answer for one story, from figures already read (one story or a whole sprint's). */
function budgetOf(
  story: BudgetStory,
  spent: number,
  extended: number,
  sprint: { figures: StoryBudget["sprint"]; policy: Sprint["exhaustionPolicy"] } | null,
): StoryBudget {
  const estimate =
    story.expectedCredits !== null
      ? { expected: story.expectedCredits, p80: story.p80Credits ?? story.expectedCredits, size: story.size ?? null }
      : null;
  const figures = sprint?.figures ?? null;
  const answer = decideBudget({
    estimate,
    spent,
    extended,
    sprint: figures
      ? { name: figures.name, policy: sprint!.policy, available: figures.available, spent: figures.spent }
      : null,
    teamRemaining: null,
  });
  return {
    ...answer,
    story: { id: story.id, key: story.key, title: story.title },
    estimate,
    spent,
    extended,
    sprint: figures,
  };
}

/** The budget of a story named by key or id; null when the team has no such story. */
export async function getStoryBudget(
  db: DB,
  input: { teamId: number } & ({ key: string } | { storyId: number }),
): Promise<StoryBudget | null> {
  const story =
    "key" in input
      ? await getStoryByKey(db, { teamId: input.teamId, key: input.key })
      : await getStory(db, { teamId: input.teamId, storyId: input.storyId });
  if (!story) return null;
  const [actual, extended, sprint] = await Promise.all([
    getActualCreditsByStory(db, { teamId: input.teamId, storyIds: [story.id] }),
    extendedCreditsByStory(db, { teamId: input.teamId, storyIds: [story.id] }),
    openSprintOf(db, input.teamId, story.id),
  ]);
  const figures = sprint ? await sprintFiguresOf(db, input.teamId, sprint) : null;
  return budgetOf(
    story,
    actual[0]?.credits ?? 0,
    extended.get(story.id) ?? 0,
    sprint ? { figures, policy: sprint.exhaustionPolicy } : null,
  );
}

/**
 * The guard's answer for each story still open in a running sprint — the same answers
 * getStoryBudget gives one at a time, read in four queries (the sprint page's approval queue).
 */
export async function getSprintStoryBudgets(
  db: DB,
  input: { teamId: number; sprint: Sprint; stories: BudgetStory[] },
): Promise<StoryBudget[]> {
  if (input.sprint.closedAt !== null || input.stories.length === 0) return [];
  const storyIds = input.stories.map((s) => s.id);
  const [actual, extended, figures] = await Promise.all([
    getActualCreditsByStory(db, { teamId: input.teamId, storyIds }),
    extendedCreditsByStory(db, { teamId: input.teamId, storyIds }),
    sprintFiguresOf(db, input.teamId, input.sprint),
  ]);
  const spentBy = new Map(actual.map((a) => [a.storyId, a.credits]));
  const sprint = { figures, policy: input.sprint.exhaustionPolicy };
  return input.stories.map((s) => budgetOf(s, spentBy.get(s.id) ?? 0, extended.get(s.id) ?? 0, sprint));
}

export class BudgetExtensionError extends Error {}

/** A manager adds credits to a story's budget, with the reason the retro shows. */
export async function extendStoryBudget(
  db: DB,
  input: { teamId: number; storyId: number; credits: number; reason: string; userId: number | null },
) {
  const reason = withoutControlChars(input.reason).trim();
  if (!reason) throw new BudgetExtensionError("Say why the story needs more.");
  if (!(input.credits > 0) || input.credits > 1_000_000_000)
    throw new BudgetExtensionError("Give a positive number of credits.");
  const story = await getStory(db, { teamId: input.teamId, storyId: input.storyId });
  if (!story) throw new BudgetExtensionError("That story does not exist in this team.");
  const sprint = await openSprintOf(db, input.teamId, story.id);
  const credits = roundMoney(input.credits);
  const row = await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("budgetExtensions")
      .values({
        teamId: input.teamId,
        storyId: story.id,
        sprintId: sprint?.id ?? null,
        credits,
        reason: reason.slice(0, 500),
        createdBy: input.userId,
      })
      .returning(["id", "credits"])
      .executeTakeFirstOrThrow();
    if (sprint) {
      await trx
        .insertInto("sprintEvents")
        .values({
          teamId: input.teamId,
          sprintId: sprint.id,
          storyId: story.id,
          actorId: input.userId,
          kind: "budget-extended",
          message: `Budget of ${story.key ?? story.title} extended by ${credits} credits: ${reason.slice(0, 300)}`,
        })
        .execute();
    }
    return inserted;
  });
  announceSpend(input.teamId);
  return row;
}

/** A story's extensions, newest first (story page). */
export function listStoryExtensions(db: DB, input: { teamId: number; storyId: number }) {
  return db
    .selectFrom("budgetExtensions as b")
    .leftJoin("users as u", "u.id", "b.createdBy")
    .select(["b.id", "b.credits", "b.reason", "b.createdAt", "u.name as byName"])
    .where("b.teamId", "=", input.teamId)
    .where("b.storyId", "=", input.storyId)
    .orderBy("b.createdAt", "desc")
    .execute();
}

/** A sprint's extensions with their stories (the retro). */
export function listSprintExtensions(db: DB, input: { teamId: number; sprintId: number }) {
  return db
    .selectFrom("budgetExtensions as b")
    .innerJoin("stories as s", "s.id", "b.storyId")
    .leftJoin("users as u", "u.id", "b.createdBy")
    .select(["b.id", "b.credits", "b.reason", "b.createdAt", "s.key", "s.title", "u.name as byName"])
    .where("b.teamId", "=", input.teamId)
    .where("b.sprintId", "=", input.sprintId)
    .orderBy("b.createdAt")
    .execute();
}

/** The team's fail-closed choice for the guard. */
export async function getGuardFailClosed(db: DB, teamId: number): Promise<boolean> {
  const row = await db.selectFrom("teams").select("guardFailClosed").where("id", "=", teamId).executeTakeFirst();
  return row?.guardFailClosed ?? false;
}

export async function setGuardFailClosed(db: DB, input: { teamId: number; failClosed: boolean }) {
  await db.updateTable("teams").set({ guardFailClosed: input.failClosed }).where("id", "=", input.teamId).execute();
}

/** The story a Claude Code session is mapped to, by key (hook requests without a story key). */
export async function storyKeyForSession(
  db: DB,
  input: { teamId: number; sessionId: string },
): Promise<{ id: number; key: string | null } | null> {
  const row = await db
    .selectFrom("spendSessionStories as m")
    .innerJoin("stories as s", "s.id", "m.storyId")
    .select(["s.id", "s.key"])
    .where("m.teamId", "=", input.teamId)
    .where("m.sessionId", "=", input.sessionId)
    .executeTakeFirst();
  return row ?? null;
}

/** Maps a session to a story unless someone mapped it already (a hook naming its story). */
export async function claimSessionForStory(
  db: DB,
  input: { teamId: number; sessionId: string; storyId: number },
): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => claimSessionForStory(trx, input));
  const sessionId = input.sessionId.slice(0, 200);
  const claimed = await db
    .insertInto("spendSessionStories")
    .values({ teamId: input.teamId, sessionId, storyId: input.storyId, createdBy: null })
    .onConflict((oc) => oc.columns(["teamId", "sessionId"]).doNothing())
    .returning("sessionId")
    .execute();
  if (claimed.length) await refreshRollupsReaching(db, input.teamId, { sessionIds: [sessionId] });
}
