// Sprints: settings, commitments (with the exhaustion policy enforced here, inside the transaction
// that writes the commitment, so no request shape can skip it), approval requests, allocations,
// closing with a snapshot, and the audit trail. Every query is scoped by team.
import {
  burnUp,
  committedLoad,
  todayIn,
  type BurnUp,
  type CommitBasis,
  type ExhaustionPolicy,
  type SeatPlan,
  type Threshold,
} from "~/domain/capacity";
import {
  buildSnapshot,
  evaluateStoryCommit,
  planClose,
  sprintCapacity,
  sprintStatus,
  statusOutsideSprint,
  type CloseDestination,
  type SprintCapacity,
  type SprintDashboard,
  type SprintSnapshot,
  type SprintStatus,
  type SprintSummary,
  type StoryCommitEvaluation,
} from "~/domain/sprint";
import { ESTIMATE_BAND, ESTIMATE_FIGURES } from "~/models/estimate-columns.server";
import { refreshSuggestion } from "~/models/calibration.server";
import { dailySpendForSprint, spendTotalsForSprints } from "~/models/sprint-spend.server";
import type { DB } from "~/utils/db.server";
import { formatDayRange } from "~/domain/dates";

export interface SprintSettingsInput {
  name: string;
  goal: string;
  start: string;
  end: string;
  capacityKind: "credits" | "pool";
  capacityCredits: number | null;
  poolPlan: SeatPlan | null;
  poolSeats: number | null;
  poolPerSeat: number | null;
  reservePercent: number;
  commitBasis: CommitBasis;
  exhaustionPolicy: ExhaustionPolicy;
}

export class SprintError extends Error {
  constructor(
    message: string,
    readonly status = 409,
  ) {
    super(message);
    this.name = "SprintError";
  }
}

const SPRINT_COLUMNS = [
  "sprints.id",
  "sprints.teamId",
  "sprints.name",
  "sprints.goal",
  "sprints.startDate",
  "sprints.endDate",
  "sprints.capacityKind",
  "sprints.capacityCredits",
  "sprints.poolPlan",
  "sprints.poolSeats",
  "sprints.poolPerSeat",
  "sprints.reservePercent",
  "sprints.commitBasis",
  "sprints.exhaustionPolicy",
  "sprints.closedAt",
  "sprints.snapshot",
  "sprints.createdAt",
] as const;

export type SprintRow = NonNullable<Awaited<ReturnType<typeof getSprint>>>;

export function getSprint(db: DB, input: { teamId: number; sprintId: number }) {
  return db
    .selectFrom("sprints")
    .select(SPRINT_COLUMNS)
    .where("sprints.teamId", "=", input.teamId)
    .where("sprints.id", "=", input.sprintId)
    .executeTakeFirst();
}

/** The stored settings in the shape the domain's capacity arithmetic takes. */
export function capacityOf(sprint: SprintRow): SprintCapacity {
  return sprintCapacity({
    start: sprint.startDate,
    end: sprint.endDate,
    capacityKind: sprint.capacityKind,
    capacityCredits: sprint.capacityCredits,
    poolPlan: sprint.poolPlan,
    poolSeats: sprint.poolSeats,
    poolPerSeat: sprint.poolPerSeat,
    reservePercent: sprint.reservePercent,
  });
}

export function statusOf(sprint: Pick<SprintRow, "startDate" | "endDate" | "closedAt">, today: string): SprintStatus {
  return sprintStatus({ start: sprint.startDate, end: sprint.endDate, closed: sprint.closedAt !== null }, today);
}

function settingsValues(input: SprintSettingsInput) {
  const pool = input.capacityKind === "pool";
  return {
    name: input.name,
    goal: input.goal,
    startDate: input.start,
    endDate: input.end,
    capacityKind: input.capacityKind,
    capacityCredits: pool ? null : input.capacityCredits,
    poolPlan: pool ? input.poolPlan : null,
    poolSeats: pool ? input.poolSeats : null,
    poolPerSeat: pool && input.poolPlan === "custom" ? input.poolPerSeat : null,
    reservePercent: input.reservePercent,
    commitBasis: input.commitBasis,
    exhaustionPolicy: input.exhaustionPolicy,
  };
}

async function logEvent(
  db: DB,
  e: {
    teamId: number;
    sprintId: number;
    storyId?: number | null;
    actorId: number | null;
    kind: string;
    message: string;
  },
) {
  await db
    .insertInto("sprintEvents")
    .values({
      teamId: e.teamId,
      sprintId: e.sprintId,
      storyId: e.storyId ?? null,
      actorId: e.actorId,
      kind: e.kind,
      message: e.message,
    })
    .execute();
}

export async function createSprint(db: DB, input: { teamId: number; createdBy: number | null } & SprintSettingsInput) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("sprints")
      .values({ teamId: input.teamId, createdBy: input.createdBy, ...settingsValues(input) })
      .returning(["id"])
      .executeTakeFirstOrThrow();
    await logEvent(trx, {
      teamId: input.teamId,
      sprintId: row.id,
      actorId: input.createdBy,
      kind: "created",
      message: `Created ${input.name} (${formatDayRange(input.start, input.end)}).`,
    });
    return row;
  });
}

export async function updateSprint(
  db: DB,
  input: { teamId: number; sprintId: number; actorId: number | null } & SprintSettingsInput,
) {
  return db.transaction().execute(async (trx) => {
    const current = await lockSprint(trx, input);
    const values = settingsValues(input);
    await trx
      .updateTable("sprints")
      .set({ ...values, updatedAt: new Date() })
      .where("teamId", "=", input.teamId)
      .where("id", "=", input.sprintId)
      .execute();
    const changes: string[] = [];
    if (current.name !== input.name) changes.push(`name → ${input.name}`);
    if (current.startDate !== input.start || current.endDate !== input.end)
      changes.push(`dates → ${formatDayRange(input.start, input.end)}`);
    const before = capacityOf(current);
    const after = capacityOf({ ...current, ...values });
    if (before.capacity !== after.capacity || before.reservePercent !== after.reservePercent) {
      changes.push(`capacity → ${after.capacity} credits, reserve ${after.reservePercent} %`);
    }
    if (current.commitBasis !== input.commitBasis) changes.push(`commit basis → ${input.commitBasis}`);
    if (current.exhaustionPolicy !== input.exhaustionPolicy) changes.push(`policy → ${input.exhaustionPolicy}`);
    if (current.goal !== input.goal) changes.push("goal edited");
    await logEvent(trx, {
      teamId: input.teamId,
      sprintId: input.sprintId,
      actorId: input.actorId,
      kind: "edited",
      message: changes.length ? `Edited: ${changes.join("; ")}.` : "Saved without changes.",
    });
  });
}

/** The sprint row, locked for the rest of the transaction; refuses a missing or closed sprint. */
async function lockSprint(
  trx: DB,
  input: { teamId: number; sprintId: number },
  options: { allowClosed?: boolean } = {},
) {
  const row = await trx
    .selectFrom("sprints")
    .select(SPRINT_COLUMNS)
    .where("sprints.teamId", "=", input.teamId)
    .where("sprints.id", "=", input.sprintId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new SprintError("Sprint not found.", 404);
  if (row.closedAt && !options.allowClosed)
    throw new SprintError(`${row.name} is closed: its commitments can no longer change.`);
  return row;
}

// ---- lists ------------------------------------------------------------------------------------

export function listSprints(db: DB, input: { teamId: number }) {
  return db
    .selectFrom("sprints")
    .select(SPRINT_COLUMNS)
    .where("sprints.teamId", "=", input.teamId)
    .orderBy("sprints.startDate", "desc")
    .orderBy("sprints.id", "desc")
    .execute();
}

/** Every sprint with its headline figures: capacity, committed (on its basis) and actual spend. */
export async function listSprintSummaries(db: DB, input: { teamId: number; today: string }): Promise<SprintSummary[]> {
  const sprints = await listSprints(db, input);
  const open = sprints.filter((s) => !s.closedAt).map((s) => s.id);
  const loads = await openLoads(db, { teamId: input.teamId, sprintIds: open });
  const actuals = await spendTotalsForSprints(db, {
    teamId: input.teamId,
    sprints: sprints.map((s) => ({ id: s.id, start: s.startDate, end: s.endDate })),
  });
  return sprints.map((s) => {
    const cap = capacityOf(s);
    const snap = s.snapshot as SprintSnapshot | null;
    const load =
      s.closedAt && snap
        ? { ...snap.committed, count: snap.stories.length }
        : (loads.get(s.id) ?? { expected: 0, p80: 0, estimatedCount: 0, unestimatedCount: 0, count: 0 });
    return {
      id: s.id,
      name: s.name,
      goal: s.goal,
      start: s.startDate,
      end: s.endDate,
      status: statusOf(s, input.today),
      capacity: cap.capacity,
      available: cap.available,
      basis: s.commitBasis,
      policy: s.exhaustionPolicy,
      committed: s.commitBasis === "p80" ? load.p80 : load.expected,
      committedExpected: load.expected,
      committedP80: load.p80,
      storyCount: load.count,
      unestimatedCount: load.unestimatedCount,
      actual: actuals.get(s.id) ?? 0,
    };
  });
}

async function openLoads(db: DB, input: { teamId: number; sprintIds: number[] }) {
  const result = new Map<
    number,
    { expected: number; p80: number; estimatedCount: number; unestimatedCount: number; count: number }
  >();
  if (!input.sprintIds.length) return result;
  const rows = await db
    .selectFrom("sprintStories")
    .innerJoin("stories", "stories.id", "sprintStories.storyId")
    .leftJoin("estimates", "estimates.id", "stories.estimateId")
    .select(["sprintStories.sprintId", "estimates.expectedCredits", "estimates.p80Credits"])
    .where("sprintStories.teamId", "=", input.teamId)
    .where("sprintStories.sprintId", "in", input.sprintIds)
    .where("sprintStories.outcome", "is", null)
    .execute();
  for (const id of input.sprintIds) {
    const mine = rows.filter((r) => r.sprintId === id);
    const load = committedLoad(
      mine.map((r) => ({
        estimate:
          r.expectedCredits === null ? null : { expected: r.expectedCredits, p80: r.p80Credits ?? r.expectedCredits },
      })),
    );
    result.set(id, { ...load, count: mine.length });
  }
  return result;
}

/** Open sprints other than `excludeId`, soonest first: where a closing sprint's leftovers can go. */
export function listOpenSprints(db: DB, input: { teamId: number; excludeId?: number }) {
  let q = db
    .selectFrom("sprints")
    .select(["id", "name", "startDate", "endDate"])
    .where("teamId", "=", input.teamId)
    .where("closedAt", "is", null);
  if (input.excludeId) q = q.where("id", "!=", input.excludeId);
  return q.orderBy("startDate").orderBy("id").execute();
}

/** Closed sprints with their actual spend: the history "yesterday's weather" reads. */
export async function listClosedSprintActuals(db: DB, input: { teamId: number; limit?: number }) {
  const rows = await db
    .selectFrom("sprints")
    .select(["id", "name", "startDate", "endDate"])
    .where("teamId", "=", input.teamId)
    .where("closedAt", "is not", null)
    .orderBy("endDate", "desc")
    .limit(input.limit ?? 6)
    .execute();
  const totals = await spendTotalsForSprints(db, {
    teamId: input.teamId,
    sprints: rows.map((r) => ({ id: r.id, start: r.startDate, end: r.endDate })),
  });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    start: r.startDate,
    end: r.endDate,
    actualCredits: totals.get(r.id) ?? 0,
  }));
}

/** Open sprints that have started (today in the team's zone): the ones that burn. */
export function listRunningSprints(db: DB, input: { teamId: number; today: string }) {
  return db
    .selectFrom("sprints")
    .select(SPRINT_COLUMNS)
    .where("sprints.teamId", "=", input.teamId)
    .where("sprints.closedAt", "is", null)
    .where("sprints.startDate", "<=", input.today)
    .orderBy("sprints.startDate", "desc")
    .execute();
}

/** The active sprint containing today (else the latest active one), or null. */
export async function getCurrentSprint(db: DB, input: { teamId: number; today: string }) {
  const rows = await listRunningSprints(db, input);
  return rows.find((r) => r.endDate >= input.today) ?? rows[0] ?? null;
}

/** What the team dashboard shows about sprints: the running one's burn and alert, or the next one. */
export async function getSprintDashboard(
  db: DB,
  input: { teamId: number; timeZone: string; now?: Date },
): Promise<SprintDashboard> {
  const now = input.now ?? new Date();
  const today = todayIn(input.timeZone, now);
  const [sprint, upcoming] = await Promise.all([
    getCurrentSprint(db, { teamId: input.teamId, today }),
    db
      .selectFrom("sprints")
      .select(["id", "name", "startDate"])
      .where("teamId", "=", input.teamId)
      .where("closedAt", "is", null)
      .where("startDate", ">", today)
      .orderBy("startDate")
      .limit(1)
      .executeTakeFirst(),
  ]);
  const next = upcoming ? { id: upcoming.id, name: upcoming.name, start: upcoming.startDate } : null;
  if (!sprint) return { today, current: null, next };
  const [burn, loads] = await Promise.all([
    sprintBurn(db, { teamId: input.teamId, timeZone: input.timeZone, sprint, now }),
    openLoads(db, { teamId: input.teamId, sprintIds: [sprint.id] }),
  ]);
  const load = loads.get(sprint.id)!;
  const cap = capacityOf(sprint);
  return {
    today,
    current: {
      id: sprint.id,
      name: sprint.name,
      start: sprint.startDate,
      end: sprint.endDate,
      overdue: today > sprint.endDate,
      capacity: cap.capacity,
      available: cap.available,
      committed: sprint.commitBasis === "p80" ? load.p80 : load.expected,
      basis: sprint.commitBasis,
      unestimatedCount: load.unestimatedCount,
      spent: burn.spentToDate,
      projected: burn.projectedTotal,
      remainingWorkingDays: burn.remainingWorkingDays,
      crossed: burn.crossed,
    },
    next,
  };
}

// ---- board ------------------------------------------------------------------------------------

function storyColumns(db: DB, teamId: number) {
  return db
    .selectFrom("stories")
    .leftJoin("estimates", "estimates.id", "stories.estimateId")
    .leftJoin("sizingSchemes", "sizingSchemes.id", "estimates.schemeId")
    .select([
      "stories.id",
      "stories.key",
      "stories.title",
      "stories.status",
      "stories.rank",
      ...ESTIMATE_FIGURES,
      ...ESTIMATE_BAND,
      "sizingSchemes.version as schemeVersion",
    ])
    .where("stories.teamId", "=", teamId);
}

export type BoardStory = Awaited<ReturnType<typeof listBacklogForBoard>>[number];

/** Backlog stories that can be committed: not archived, not done, not open in any sprint. */
export function listBacklogForBoard(db: DB, input: { teamId: number; limit?: number }) {
  return storyColumns(db, input.teamId)
    .where("stories.archivedAt", "is", null)
    .where("stories.status", "in", ["backlog", "estimated"])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("sprintStories")
            .select("sprintStories.storyId")
            .whereRef("sprintStories.storyId", "=", "stories.id")
            .where("sprintStories.outcome", "is", null),
        ),
      ),
    )
    .orderBy("stories.rank")
    .limit(input.limit ?? 300)
    .execute();
}

/** The sprint's stories: open commitments, or, for a closed sprint, everything it held. */
export function listSprintStories(db: DB, input: { teamId: number; sprintId: number }) {
  return storyColumns(db, input.teamId)
    .innerJoin("sprintStories", "sprintStories.storyId", "stories.id")
    .leftJoin("users", "users.id", "sprintStories.committedBy")
    .select(["sprintStories.outcome", "sprintStories.committedAt", "users.name as committedByName"])
    .where("sprintStories.sprintId", "=", input.sprintId)
    .where("sprintStories.teamId", "=", input.teamId)
    .orderBy("stories.rank")
    .execute();
}

function estimateOf(row: { expectedCredits: number | null; p80Credits: number | null }) {
  return row.expectedCredits === null
    ? null
    : { expected: row.expectedCredits, p80: row.p80Credits ?? row.expectedCredits };
}

async function openCommitments(trx: DB, input: { teamId: number; sprintId: number }) {
  return trx
    .selectFrom("sprintStories")
    .innerJoin("stories", "stories.id", "sprintStories.storyId")
    .leftJoin("estimates", "estimates.id", "stories.estimateId")
    .select(["stories.id", "stories.status", "estimates.expectedCredits", "estimates.p80Credits"])
    .where("sprintStories.teamId", "=", input.teamId)
    .where("sprintStories.sprintId", "=", input.sprintId)
    .where("sprintStories.outcome", "is", null)
    .execute();
}

// ---- committing: the one place the exhaustion policy is enforced -------------------------------

export type CommitResult =
  /** Committed; `evaluation.outcome` is "ok" or "warn" (or "needs-approval" when a manager gave a reason). */
  | { kind: "committed"; evaluation: StoryCommitEvaluation; requestId?: number }
  /** Over capacity under `approval`: nothing written; ask again with a reason. */
  | { kind: "needs-approval"; evaluation: StoryCommitEvaluation }
  /** A pending request for a manager (new, or the one already open). */
  | { kind: "requested"; evaluation: StoryCommitEvaluation; requestId: number }
  /** Hard stop: nothing committed. */
  | { kind: "refused"; evaluation: StoryCommitEvaluation };

function label(story: { key: string | null; title: string }) {
  return story.key ?? `“${story.title}”`;
}

/**
 * Commits a story to a sprint under the sprint's exhaustion policy. The sprint row is locked, so
 * two commits racing for the last credits are evaluated one after the other. `reason` is only
 * used under `approval`: a member's becomes a pending request, a manager's approves their own
 * over-commit (both leave an audit trail).
 */
export async function commitStory(
  db: DB,
  input: {
    teamId: number;
    sprintId: number;
    storyId: number;
    actorId: number;
    actorIsManager: boolean;
    reason?: string | null;
  },
): Promise<CommitResult> {
  return db.transaction().execute(async (trx) => {
    const sprint = await lockSprint(trx, input);
    const story = await trx
      .selectFrom("stories")
      .leftJoin("estimates", "estimates.id", "stories.estimateId")
      .select([
        "stories.id",
        "stories.key",
        "stories.title",
        "stories.status",
        "stories.archivedAt",
        "estimates.expectedCredits",
        "estimates.p80Credits",
      ])
      .where("stories.teamId", "=", input.teamId)
      .where("stories.id", "=", input.storyId)
      .forUpdate(["stories"])
      .executeTakeFirst();
    if (!story || story.archivedAt) throw new SprintError("Story not found.", 404);
    const openIn = await trx
      .selectFrom("sprintStories")
      .innerJoin("sprints", "sprints.id", "sprintStories.sprintId")
      .select(["sprints.id", "sprints.name"])
      .where("sprintStories.storyId", "=", input.storyId)
      .where("sprintStories.outcome", "is", null)
      .executeTakeFirst();
    if (openIn) {
      throw new SprintError(
        openIn.id === sprint.id
          ? `${label(story)} is already in this sprint.`
          : `${label(story)} is already committed to ${openIn.name}.`,
      );
    }
    if (story.status === "done") throw new SprintError(`${label(story)} is done already.`);

    const commitments = await openCommitments(trx, input);
    const load = committedLoad(
      commitments.map((c) => ({ estimate: estimateOf(c) })),
      sprint.commitBasis,
    );
    const cap = capacityOf(sprint);
    const evaluation = evaluateStoryCommit({
      policy: sprint.exhaustionPolicy,
      basis: sprint.commitBasis,
      available: cap.available,
      committedBefore: load.credits,
      estimate: estimateOf(story),
      story: label(story),
    });
    const reason = input.reason?.trim() || null;

    const insertCommitment = async (note: string) => {
      await trx
        .insertInto("sprintStories")
        .values({ sprintId: sprint.id, storyId: story.id, teamId: input.teamId, committedBy: input.actorId })
        .execute();
      await trx
        .updateTable("stories")
        .set({ status: "committed", updatedAt: new Date() })
        .where("teamId", "=", input.teamId)
        .where("id", "=", story.id)
        .execute();
      await logEvent(trx, {
        teamId: input.teamId,
        sprintId: sprint.id,
        storyId: story.id,
        actorId: input.actorId,
        kind: "committed",
        message: note,
      });
    };

    switch (evaluation.outcome) {
      case "ok":
        await insertCommitment(`Committed ${label(story)}.`);
        return { kind: "committed", evaluation };
      case "warn":
        await insertCommitment(`Committed ${label(story)} over capacity (warn policy): ${evaluation.message}`);
        return { kind: "committed", evaluation };
      case "refused":
        await logEvent(trx, {
          teamId: input.teamId,
          sprintId: sprint.id,
          storyId: story.id,
          actorId: input.actorId,
          kind: "refused",
          message: `Refused ${label(story)}: ${evaluation.message}`,
        });
        return { kind: "refused", evaluation };
      case "needs-approval": {
        if (!reason) return { kind: "needs-approval", evaluation };
        const request = {
          teamId: input.teamId,
          sprintId: sprint.id,
          storyId: story.id,
          reason,
          loadCredits: evaluation.load,
          committedBefore: load.credits,
          availableCredits: cap.available,
          overBy: evaluation.overBy,
          requestedBy: input.actorId,
        };
        if (input.actorIsManager) {
          const row = await trx
            .insertInto("commitRequests")
            .values({
              ...request,
              status: "approved",
              decidedBy: input.actorId,
              decidedAt: new Date(),
              decisionNote: "Committed by a manager with a reason.",
            })
            .returning("id")
            .executeTakeFirstOrThrow();
          // A member's pending request for the same story is answered by this commit.
          await trx
            .updateTable("commitRequests")
            .set({
              status: "approved",
              decidedBy: input.actorId,
              decidedAt: new Date(),
              decisionNote: "Committed by a manager.",
            })
            .where("teamId", "=", input.teamId)
            .where("sprintId", "=", sprint.id)
            .where("storyId", "=", story.id)
            .where("status", "=", "pending")
            .execute();
          await insertCommitment(
            `Committed ${label(story)} over capacity with a manager's approval. Reason: ${reason}`,
          );
          return { kind: "committed", evaluation, requestId: row.id };
        }
        const existing = await trx
          .selectFrom("commitRequests")
          .select("id")
          .where("teamId", "=", input.teamId)
          .where("sprintId", "=", sprint.id)
          .where("storyId", "=", story.id)
          .where("status", "=", "pending")
          .executeTakeFirst();
        if (existing) return { kind: "requested", evaluation, requestId: existing.id };
        const row = await trx.insertInto("commitRequests").values(request).returning("id").executeTakeFirstOrThrow();
        await logEvent(trx, {
          teamId: input.teamId,
          sprintId: sprint.id,
          storyId: story.id,
          actorId: input.actorId,
          kind: "approval-requested",
          message: `Asked to commit ${label(story)} over capacity. Reason: ${reason}`,
        });
        return { kind: "requested", evaluation, requestId: row.id };
      }
    }
  });
}

/**
 * A manager approves (the story is committed, whatever the sprint's load is now — that is what the
 * approval is for) or declines a pending request. Under a sprint that has since switched to
 * hard-stop, an over-capacity approval is refused like any other commit.
 */
export async function decideCommitRequest(
  db: DB,
  input: { teamId: number; sprintId: number; requestId: number; deciderId: number; approve: boolean; note: string },
): Promise<
  { kind: "approved" | "declined"; storyLabel: string } | { kind: "refused"; evaluation: StoryCommitEvaluation }
> {
  return db.transaction().execute(async (trx) => {
    const sprint = await lockSprint(trx, input);
    const request = await trx
      .selectFrom("commitRequests")
      .innerJoin("stories", "stories.id", "commitRequests.storyId")
      .leftJoin("estimates", "estimates.id", "stories.estimateId")
      .select([
        "commitRequests.id",
        "commitRequests.status",
        "commitRequests.reason",
        "stories.id as storyId",
        "stories.key",
        "stories.title",
        "stories.status as storyStatus",
        "stories.archivedAt",
        "estimates.expectedCredits",
        "estimates.p80Credits",
      ])
      .where("commitRequests.teamId", "=", input.teamId)
      .where("commitRequests.sprintId", "=", sprint.id)
      .where("commitRequests.id", "=", input.requestId)
      .forUpdate(["commitRequests"])
      .executeTakeFirst();
    if (!request) throw new SprintError("Request not found.", 404);
    if (request.status !== "pending") throw new SprintError(`This request was ${request.status} already.`);
    const storyLabel = label(request);
    const decide = (status: "approved" | "declined") =>
      trx
        .updateTable("commitRequests")
        .set({ status, decidedBy: input.deciderId, decidedAt: new Date(), decisionNote: input.note })
        .where("id", "=", request.id)
        .execute();

    if (!input.approve) {
      await decide("declined");
      await logEvent(trx, {
        teamId: input.teamId,
        sprintId: sprint.id,
        storyId: request.storyId,
        actorId: input.deciderId,
        kind: "declined",
        message: `Declined ${storyLabel}${input.note ? `: ${input.note}` : "."}`,
      });
      return { kind: "declined", storyLabel };
    }

    if (request.archivedAt || request.storyStatus === "done")
      throw new SprintError(`${storyLabel} can no longer be committed.`);
    const openIn = await trx
      .selectFrom("sprintStories")
      .innerJoin("sprints", "sprints.id", "sprintStories.sprintId")
      .select(["sprints.name"])
      .where("sprintStories.storyId", "=", request.storyId)
      .where("sprintStories.outcome", "is", null)
      .executeTakeFirst();
    if (openIn) throw new SprintError(`${storyLabel} is already committed to ${openIn.name}.`);
    if (sprint.exhaustionPolicy === "hard-stop") {
      const commitments = await openCommitments(trx, input);
      const load = committedLoad(
        commitments.map((c) => ({ estimate: estimateOf(c) })),
        sprint.commitBasis,
      );
      const evaluation = evaluateStoryCommit({
        policy: "hard-stop",
        basis: sprint.commitBasis,
        available: capacityOf(sprint).available,
        committedBefore: load.credits,
        estimate: estimateOf(request),
        story: storyLabel,
      });
      if (evaluation.outcome === "refused") return { kind: "refused", evaluation };
    }
    await decide("approved");
    await trx
      .insertInto("sprintStories")
      .values({ sprintId: sprint.id, storyId: request.storyId, teamId: input.teamId, committedBy: input.deciderId })
      .execute();
    await trx
      .updateTable("stories")
      .set({ status: "committed", updatedAt: new Date() })
      .where("teamId", "=", input.teamId)
      .where("id", "=", request.storyId)
      .execute();
    await logEvent(trx, {
      teamId: input.teamId,
      sprintId: sprint.id,
      storyId: request.storyId,
      actorId: input.deciderId,
      kind: "approved",
      message: `Approved ${storyLabel} over capacity${input.note ? `: ${input.note}` : "."} (asked because: ${request.reason})`,
    });
    return { kind: "approved", storyLabel };
  });
}

export function listCommitRequests(db: DB, input: { teamId: number; sprintId: number }) {
  return db
    .selectFrom("commitRequests")
    .innerJoin("stories", "stories.id", "commitRequests.storyId")
    .leftJoin("users as requester", "requester.id", "commitRequests.requestedBy")
    .leftJoin("users as decider", "decider.id", "commitRequests.decidedBy")
    .select([
      "commitRequests.id",
      "commitRequests.status",
      "commitRequests.reason",
      "commitRequests.loadCredits",
      "commitRequests.committedBefore",
      "commitRequests.availableCredits",
      "commitRequests.overBy",
      "commitRequests.requestedAt",
      "commitRequests.decidedAt",
      "commitRequests.decisionNote",
      "stories.id as storyId",
      "stories.key",
      "stories.title",
      "requester.name as requestedByName",
      "decider.name as decidedByName",
    ])
    .where("commitRequests.teamId", "=", input.teamId)
    .where("commitRequests.sprintId", "=", input.sprintId)
    .orderBy("commitRequests.requestedAt", "desc")
    .orderBy("commitRequests.id", "desc")
    .execute();
}

/** Takes a story out of an open sprint; it goes back to 'estimated' (or 'backlog' without an estimate). */
export async function removeStory(
  db: DB,
  input: { teamId: number; sprintId: number; storyId: number; actorId: number },
) {
  return db.transaction().execute(async (trx) => {
    const sprint = await lockSprint(trx, input);
    const story = await trx
      .selectFrom("sprintStories")
      .innerJoin("stories", "stories.id", "sprintStories.storyId")
      .select(["stories.id", "stories.key", "stories.title", "stories.status", "stories.estimateId"])
      .where("sprintStories.teamId", "=", input.teamId)
      .where("sprintStories.sprintId", "=", sprint.id)
      .where("sprintStories.storyId", "=", input.storyId)
      .where("sprintStories.outcome", "is", null)
      .executeTakeFirst();
    if (!story) throw new SprintError("That story is not in this sprint.", 404);
    if (story.status === "done")
      throw new SprintError(`${label(story)} is done: reopen it before taking it out of the sprint.`);
    await trx.deleteFrom("sprintStories").where("sprintId", "=", sprint.id).where("storyId", "=", story.id).execute();
    await trx
      .updateTable("stories")
      .set({ status: statusOutsideSprint(story.estimateId !== null), updatedAt: new Date() })
      .where("teamId", "=", input.teamId)
      .where("id", "=", story.id)
      .execute();
    await logEvent(trx, {
      teamId: input.teamId,
      sprintId: sprint.id,
      storyId: story.id,
      actorId: input.actorId,
      kind: "removed",
      message: `Removed ${label(story)} from the sprint.`,
    });
  });
}

/** Marks a committed story done, or reopens it, while its sprint is open. */
export async function setSprintStoryDone(
  db: DB,
  input: { teamId: number; sprintId: number; storyId: number; done: boolean; actorId: number },
) {
  return db.transaction().execute(async (trx) => {
    const sprint = await lockSprint(trx, input);
    const story = await trx
      .selectFrom("sprintStories")
      .innerJoin("stories", "stories.id", "sprintStories.storyId")
      .select(["stories.id", "stories.key", "stories.title"])
      .where("sprintStories.teamId", "=", input.teamId)
      .where("sprintStories.sprintId", "=", sprint.id)
      .where("sprintStories.storyId", "=", input.storyId)
      .where("sprintStories.outcome", "is", null)
      .executeTakeFirst();
    if (!story) throw new SprintError("That story is not in this sprint.", 404);
    await trx
      .updateTable("stories")
      .set({ status: input.done ? "done" : "committed", updatedAt: new Date() })
      .where("teamId", "=", input.teamId)
      .where("id", "=", story.id)
      .execute();
    await logEvent(trx, {
      teamId: input.teamId,
      sprintId: sprint.id,
      storyId: story.id,
      actorId: input.actorId,
      kind: input.done ? "done" : "reopened",
      message: `${input.done ? "Marked done" : "Reopened"}: ${label(story)}.`,
    });
  });
}

// ---- allocations ------------------------------------------------------------------------------

export function listAllocations(db: DB, input: { teamId: number; sprintId: number }) {
  return db
    .selectFrom("sprintAllocations")
    .innerJoin("users", "users.id", "sprintAllocations.userId")
    .select(["sprintAllocations.userId", "users.name", "sprintAllocations.credits"])
    .where("sprintAllocations.teamId", "=", input.teamId)
    .where("sprintAllocations.sprintId", "=", input.sprintId)
    .orderBy("users.name")
    .execute();
}

/** Replaces the sprint's allocations; zero or empty means "no allocation"; only team members count. */
export async function setAllocations(
  db: DB,
  input: { teamId: number; sprintId: number; allocations: { userId: number; credits: number }[] },
) {
  return db.transaction().execute(async (trx) => {
    await lockSprint(trx, input);
    await trx
      .deleteFrom("sprintAllocations")
      .where("teamId", "=", input.teamId)
      .where("sprintId", "=", input.sprintId)
      .execute();
    const members = new Set(
      (await trx.selectFrom("memberships").select("userId").where("teamId", "=", input.teamId).execute()).map(
        (m) => m.userId,
      ),
    );
    const rows = input.allocations
      .filter((a) => a.credits > 0 && members.has(a.userId))
      .map((a) => ({ sprintId: input.sprintId, teamId: input.teamId, userId: a.userId, credits: a.credits }));
    if (rows.length) await trx.insertInto("sprintAllocations").values(rows).execute();
  });
}

// ---- closing ----------------------------------------------------------------------------------

/**
 * Closes the sprint: done stories stay with it, unfinished ones go back to the backlog or into
 * `destination`'s sprint, open approval requests are declined, and a snapshot of capacity and
 * commitments (with each frozen estimate) is kept for the retrospective.
 */
export async function closeSprint(
  db: DB,
  input: {
    teamId: number;
    sprintId: number;
    actorId: number | null;
    destination: CloseDestination;
    timeZone: string;
    now?: Date;
  },
) {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const sprint = await lockSprint(trx, input);
    let target: { id: number; name: string } | null = null;
    if (input.destination.kind === "sprint") {
      if (input.destination.sprintId === sprint.id)
        throw new SprintError("Pick another sprint for the unfinished stories.", 400);
      const t = await lockSprint(trx, { teamId: input.teamId, sprintId: input.destination.sprintId });
      target = { id: t.id, name: t.name };
    }
    const stories = await storyColumns(trx, input.teamId)
      .innerJoin("sprintStories", "sprintStories.storyId", "stories.id")
      .select(["stories.estimateId"])
      .where("sprintStories.sprintId", "=", sprint.id)
      .where("sprintStories.outcome", "is", null)
      .orderBy("stories.rank")
      .execute();
    const plan = planClose(
      stories.map((s) => ({ storyId: s.id, status: s.status })),
      input.destination,
    );
    const spend = await dailySpendForSprint(trx, {
      teamId: input.teamId,
      start: sprint.startDate,
      end: sprint.endDate,
    });
    const allocations = await listAllocations(trx, input);
    const snapshot = buildSnapshot({
      closedAt: now,
      sprint: {
        id: sprint.id,
        name: sprint.name,
        goal: sprint.goal,
        start: sprint.startDate,
        end: sprint.endDate,
        workingDays: capacityOf(sprint).workingDays,
        timeZone: input.timeZone,
      },
      settings: {
        start: sprint.startDate,
        end: sprint.endDate,
        capacityKind: sprint.capacityKind,
        capacityCredits: sprint.capacityCredits,
        poolPlan: sprint.poolPlan,
        poolSeats: sprint.poolSeats,
        poolPerSeat: sprint.poolPerSeat,
        reservePercent: sprint.reservePercent,
        basis: sprint.commitBasis,
        policy: sprint.exhaustionPolicy,
      },
      actualAtClose: Object.values(spend).reduce((a, b) => a + b, 0),
      allocations: allocations.map((a) => ({ userId: a.userId, name: a.name, credits: a.credits })),
      destination: input.destination,
      stories: stories.map((s) => ({
        storyId: s.id,
        key: s.key,
        title: s.title,
        status: s.status,
        levels:
          s.intensity && s.autonomy && s.risk ? { intensity: s.intensity, autonomy: s.autonomy, risk: s.risk } : null,
        size: s.size,
        expected: s.expectedCredits,
        p80: s.p80Credits,
        bandLow: s.bandLow,
        bandHigh: s.bandHigh,
        schemeVersion: s.schemeVersion,
      })),
      plan,
    });

    const setOutcome = async (ids: number[], outcome: "done" | "carried" | "returned") => {
      if (!ids.length) return;
      await trx
        .updateTable("sprintStories")
        .set({ outcome })
        .where("sprintId", "=", sprint.id)
        .where("storyId", "in", ids)
        .execute();
    };
    await setOutcome(plan.done, "done");
    await setOutcome(plan.carried, "carried");
    await setOutcome(plan.returned, "returned");
    for (const s of stories.filter((s) => plan.returned.includes(s.id))) {
      await trx
        .updateTable("stories")
        .set({ status: statusOutsideSprint(s.estimateId !== null), updatedAt: now })
        .where("teamId", "=", input.teamId)
        .where("id", "=", s.id)
        .execute();
    }
    if (target && plan.carried.length) {
      await trx
        .insertInto("sprintStories")
        .values(
          plan.carried.map((storyId) => ({
            sprintId: target.id,
            storyId,
            teamId: input.teamId,
            committedBy: input.actorId,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(["sprintId", "storyId"])
            .doUpdateSet({ outcome: null, committedBy: input.actorId, committedAt: now }),
        )
        .execute();
      await logEvent(trx, {
        teamId: input.teamId,
        sprintId: target.id,
        actorId: input.actorId,
        kind: "carried-in",
        message: `${plan.carried.length} unfinished ${plan.carried.length === 1 ? "story" : "stories"} carried over from ${sprint.name}.`,
      });
    }
    await trx
      .updateTable("commitRequests")
      .set({
        status: "declined",
        decidedBy: input.actorId,
        decidedAt: now,
        decisionNote: "The sprint was closed before a decision.",
      })
      .where("teamId", "=", input.teamId)
      .where("sprintId", "=", sprint.id)
      .where("status", "=", "pending")
      .execute();
    await trx
      .updateTable("sprints")
      .set({ closedAt: now, closedBy: input.actorId, snapshot: JSON.stringify(snapshot), updatedAt: now })
      .where("teamId", "=", input.teamId)
      .where("id", "=", sprint.id)
      .execute();
    const where = target ? `carried into ${target.name}` : "returned to the backlog";
    await logEvent(trx, {
      teamId: input.teamId,
      sprintId: sprint.id,
      actorId: input.actorId,
      kind: "closed",
      message: `Closed: ${plan.done.length} done, ${plan.carried.length + plan.returned.length} unfinished ${where}.`,
    });
    // Fit once, here: the insights page reads the stored suggestion instead of refitting per view.
    await refreshSuggestion(trx, { teamId: input.teamId, sprintId: sprint.id });
    return { plan, snapshot };
  });
}

// ---- history ----------------------------------------------------------------------------------

export function listSprintEvents(db: DB, input: { teamId: number; sprintId: number; limit?: number }) {
  return db
    .selectFrom("sprintEvents")
    .leftJoin("users", "users.id", "sprintEvents.actorId")
    .select([
      "sprintEvents.id",
      "sprintEvents.kind",
      "sprintEvents.message",
      "sprintEvents.createdAt",
      "users.name as actorName",
    ])
    .where("sprintEvents.teamId", "=", input.teamId)
    .where("sprintEvents.sprintId", "=", input.sprintId)
    .orderBy("sprintEvents.id", "desc")
    .limit(input.limit ?? 50)
    .execute();
}

// ---- burn -------------------------------------------------------------------------------------

export async function alertedThresholds(db: DB, input: { teamId: number; sprintId: number }): Promise<Threshold[]> {
  const rows = await db
    .selectFrom("sprintAlerts")
    .select("threshold")
    .where("teamId", "=", input.teamId)
    .where("sprintId", "=", input.sprintId)
    .execute();
  return rows.map((r) => r.threshold as Threshold);
}

/** The sprint's burn-up on the team's local calendar, as of `now`. */
export async function sprintBurn(
  db: DB,
  input: { teamId: number; timeZone: string; sprint: SprintRow; now?: Date },
): Promise<BurnUp> {
  const { sprint } = input;
  const today = todayIn(input.timeZone, input.now ?? new Date());
  const cap = capacityOf(sprint);
  const [dailySpend, alreadyAlerted] = await Promise.all([
    dailySpendForSprint(db, { teamId: input.teamId, start: sprint.startDate, end: sprint.endDate }),
    alertedThresholds(db, { teamId: input.teamId, sprintId: sprint.id }),
  ]);
  return burnUp({
    start: sprint.startDate,
    end: sprint.endDate,
    // A closed sprint is over: its whole range counts as elapsed.
    today: sprint.closedAt && today < sprint.endDate ? sprint.endDate : today,
    dailySpend,
    capacity: cap.capacity,
    reservePercent: cap.reservePercent,
    alreadyAlerted,
  });
}

/**
 * Every sprint of the team with the keys of the stories it held (open or closed): what a spend
 * seed or an importer needs to attribute spend to the right days and stories.
 */
export async function listSprintsWithStoryKeys(db: DB, input: { teamId: number }) {
  const sprints = await listSprints(db, input);
  const rows = await db
    .selectFrom("sprintStories")
    .innerJoin("stories", "stories.id", "sprintStories.storyId")
    .select(["sprintStories.sprintId", "stories.id", "stories.key", "stories.status", "sprintStories.outcome"])
    .where("sprintStories.teamId", "=", input.teamId)
    .orderBy("stories.rank")
    .execute();
  return sprints
    .map((s) => {
      const mine = rows.filter((r) => r.sprintId === s.id);
      const cap = capacityOf(s);
      return {
        id: s.id,
        name: s.name,
        start: s.startDate,
        end: s.endDate,
        closed: s.closedAt !== null,
        capacity: cap.capacity,
        available: cap.available,
        stories: mine.map((r) => ({ id: r.id, key: r.key, status: r.status, outcome: r.outcome })),
        storyKeys: mine.map((r) => r.key).filter((k): k is string => k !== null),
      };
    })
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id - b.id));
}
