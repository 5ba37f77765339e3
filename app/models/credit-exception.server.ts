// Credit exceptions (issue 17): a team asks its organisation for more credits in a billing month,
// with a reason and the stories that need them (their estimates copied as they were when asked);
// an organisation admin grants — from the reserve, or from another team's unused allocation — or
// declines with a reason. Rows are never deleted by a decision: they are the history the team's
// retrospective shows.
//
// A grant moves credits into the asking team's allocation (team_allocations) in the same
// transaction as the decision, and out of the source team's when it came from one. So every page
// that reads allocations — the pool page, the sprint form's "left this month", the burn and the
// alerts — sees the grant without knowing about exceptions; the reserve (pool + overage − the sum of
// allocations, never stored) shrinks by itself. The allocation's `percent` is cleared where a grant
// changed its credits, because it no longer describes them.
//
// Every query here is scoped by organisation and/or team ids that the caller took from a gate
// (requireOrgRole / requireTeamRole), never from the form.

import { sql } from "kysely";
import { grantSources, validateAllocations } from "~/domain/organisation/allocation";
import { fromHundredths, toHundredths } from "~/domain/organisation/credits";
import { firstDayOfMonth, lastDayOfMonth } from "~/domain/organisation/billing-month";
import { monthDailySpendByTeam } from "~/models/organisation-burn.server";
import { getOrOpenMonth, poolOf } from "~/models/organisation-month.server";
import type { DB } from "~/utils/db.server";

export class ExceptionError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ExceptionError";
  }
}

/** The organisation a team belongs to (accepted attachment only), or undefined. */
export function getTeamOrganisationForExceptions(db: DB, teamId: number) {
  return db
    .selectFrom("organisationTeams as ot")
    .innerJoin("organisations as o", "o.id", "ot.organisationId")
    .select(["o.id", "o.slug", "o.name"])
    .where("ot.teamId", "=", teamId)
    .where("ot.status", "=", "accepted")
    .executeTakeFirst();
}

/** Team spend (credits) in a UTC billing month (the burn model's daily figures, summed). */
export async function teamMonthSpend(db: DB, input: { teamIds: number[]; month: string }) {
  const daily = await monthDailySpendByTeam(db, input);
  return new Map([...daily].map(([teamId, days]) => [teamId, Object.values(days).reduce((a, b) => a + b, 0)]));
}

/**
 * The month as the exception pages need it: the pool and ceiling (null without a pool row), each
 * accepted team's allocation and spend, the reserve left, and what each team has unused.
 */
export async function getExceptionMonth(db: DB, input: { organisationId: number; month: string; open?: boolean }) {
  const [monthRow, teams, allocations] = await Promise.all([
    // Pages open a month nobody set up yet from the one before (like the pool page); inside a grant's
    // transaction the month must already exist, so it is only read.
    input.open
      ? getOrOpenMonth(db, input)
      : db
          .selectFrom("organisationMonths")
          .selectAll()
          .where("organisationId", "=", input.organisationId)
          .where("month", "=", input.month)
          .executeTakeFirst(),
    db
      .selectFrom("organisationTeams as ot")
      .innerJoin("teams as t", "t.id", "ot.teamId")
      .select(["t.id", "t.name", "t.slug"])
      .where("ot.organisationId", "=", input.organisationId)
      .where("ot.status", "=", "accepted")
      .orderBy("t.name")
      .execute(),
    db
      .selectFrom("teamAllocations")
      .select(["teamId", "credits"])
      .where("organisationId", "=", input.organisationId)
      .where("month", "=", input.month)
      .execute(),
  ]);
  const spend = await teamMonthSpend(db, { teamIds: teams.map((t) => t.id), month: input.month });
  const allocationByTeam = new Map(allocations.map((a) => [Number(a.teamId), Number(a.credits)]));
  const pool = monthRow ? poolOf({ ...monthRow, openedFrom: monthRow.openedFrom ?? null }) : null;
  const allocated = fromHundredths(allocations.reduce((s, a) => s + toHundredths(Number(a.credits)), 0));
  const sources = grantSources({
    reserve: pool ? Math.max(0, pool.ceiling - allocated) : 0,
    grantedFromReserve: 0,
    teams: teams.map((t) => ({
      teamId: String(t.id),
      allocation: allocationByTeam.get(t.id) ?? 0,
      spent: spend.get(t.id) ?? 0,
    })),
  });
  return {
    month: input.month,
    pool,
    allocated,
    reserve: sources.reserve,
    teams: teams.map((t, i) => ({
      ...t,
      allocation: allocationByTeam.get(t.id) ?? null,
      spent: spend.get(t.id) ?? 0,
      unused: sources.unusedByTeam[i]!.unused,
    })),
  };
}

/**
 * Stories a team can name in a request for `month`: those committed to the team's sprints that
 * overlap the month, with their current estimates (null when never estimated).
 */
export function listExceptionStoryChoices(db: DB, input: { teamId: number; month: string; sprintId?: number }) {
  let query = db
    .selectFrom("sprintStories as ss")
    .innerJoin("sprints as sp", (j) => j.onRef("sp.id", "=", "ss.sprintId").onRef("sp.teamId", "=", "ss.teamId"))
    .innerJoin("stories as s", (j) => j.onRef("s.id", "=", "ss.storyId").onRef("s.teamId", "=", "ss.teamId"))
    .leftJoin("estimates as e", (j) => j.onRef("e.id", "=", "s.estimateId").onRef("e.teamId", "=", "s.teamId"))
    .select([
      "s.id",
      "s.key",
      "s.title",
      "sp.id as sprintId",
      "sp.name as sprintName",
      "e.expectedCredits",
      "e.p80Credits",
      "e.size",
    ])
    .where("ss.teamId", "=", input.teamId)
    .where("sp.startDate", "<=", lastDayOfMonth(input.month))
    .where("sp.endDate", ">=", firstDayOfMonth(input.month))
    .where("s.archivedAt", "is", null)
    .orderBy("sp.startDate")
    .orderBy("s.rank")
    .limit(500);
  if (input.sprintId !== undefined) query = query.where("sp.id", "=", input.sprintId);
  return query.execute();
}

/** Asks for `credits` more this month. Stories must be the team's; their estimates are copied. */
export async function requestException(
  db: DB,
  input: {
    organisationId: number;
    teamId: number;
    month: string;
    sprintId: number | null;
    credits: number;
    reason: string;
    storyIds: number[];
    userId: number;
  },
) {
  return db.transaction().execute(async (trx) => {
    const attached = await trx
      .selectFrom("organisationTeams")
      .select("teamId")
      .where("organisationId", "=", input.organisationId)
      .where("teamId", "=", input.teamId)
      .where("status", "=", "accepted")
      .executeTakeFirst();
    if (!attached) throw new ExceptionError("This team is not in an organisation.");
    if (input.sprintId !== null) {
      const sprint = await trx
        .selectFrom("sprints")
        .select("id")
        .where("teamId", "=", input.teamId)
        .where("id", "=", input.sprintId)
        .executeTakeFirst();
      if (!sprint) throw new ExceptionError("That sprint is not this team's.", "sprintId");
    }
    const storyIds = [...new Set(input.storyIds)];
    const stories = storyIds.length
      ? await trx
          .selectFrom("stories as s")
          .leftJoin("estimates as e", (j) => j.onRef("e.id", "=", "s.estimateId").onRef("e.teamId", "=", "s.teamId"))
          .select(["s.id", "s.key", "s.title", "e.expectedCredits", "e.p80Credits"])
          .where("s.teamId", "=", input.teamId)
          .where("s.id", "in", storyIds)
          .execute()
      : [];
    if (stories.length !== storyIds.length)
      throw new ExceptionError("Some of those stories are not this team's.", "storyIds");
    const row = await trx
      .insertInto("creditExceptions")
      .values({
        organisationId: input.organisationId,
        teamId: input.teamId,
        month: input.month,
        sprintId: input.sprintId,
        requestedCredits: input.credits,
        reason: input.reason,
        requestedBy: input.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (stories.length) {
      await trx
        .insertInto("creditExceptionStories")
        .values(
          stories.map((s) => ({
            exceptionId: row.id,
            storyId: s.id,
            teamId: input.teamId,
            title: s.key ? `${s.key} ${s.title}` : s.title,
            expectedCredits: s.expectedCredits,
            p80Credits: s.p80Credits,
          })),
        )
        .execute();
    }
    await trx
      .insertInto("organisationEvents")
      .values({
        organisationId: input.organisationId,
        teamId: input.teamId,
        actorId: input.userId,
        kind: "exception.requested",
        message: `asked for ${input.credits} more credits in ${input.month}`,
      })
      .execute();
    return { id: Number(row.id) };
  });
}

export type ExceptionFilter =
  | { organisationId: number; month?: string }
  | { teamId: number; month?: string }
  | { teamId: number; sprint: { id: number; start: string; end: string } };

/**
 * Exceptions with their stories and the names of who asked and decided, newest first: an
 * organisation's (queue and history), a team's, or those a sprint's retrospective shows (asked for
 * that sprint, or for a month it touches without naming a sprint).
 */
export async function listExceptions(db: DB, filter: ExceptionFilter) {
  let query = db
    .selectFrom("creditExceptions as x")
    .innerJoin("teams as t", "t.id", "x.teamId")
    .leftJoin("teams as st", "st.id", "x.sourceTeamId")
    .leftJoin("users as rq", "rq.id", "x.requestedBy")
    .leftJoin("users as dc", "dc.id", "x.decidedBy")
    .select([
      "x.id",
      "x.organisationId",
      "x.teamId",
      "t.name as teamName",
      "x.month",
      "x.sprintId",
      "x.requestedCredits",
      "x.reason",
      "x.status",
      "x.source",
      "x.sourceTeamId",
      "st.name as sourceTeamName",
      "x.grantedCredits",
      "x.requestedAt",
      "rq.name as requestedByName",
      "x.decidedAt",
      "dc.name as decidedByName",
      "x.declineReason",
    ]);
  if ("organisationId" in filter) query = query.where("x.organisationId", "=", filter.organisationId);
  else query = query.where("x.teamId", "=", filter.teamId);
  if ("month" in filter && filter.month) query = query.where("x.month", "=", filter.month);
  if ("sprint" in filter) {
    const { id, start, end } = filter.sprint;
    query = query.where((eb) =>
      eb.or([
        eb("x.sprintId", "=", id),
        eb.and([
          eb("x.sprintId", "is", null),
          eb("x.month", ">=", start.slice(0, 7)),
          eb("x.month", "<=", end.slice(0, 7)),
        ]),
      ]),
    );
  }
  const rows = await query.orderBy("x.requestedAt", "desc").orderBy("x.id", "desc").limit(200).execute();
  const ids = rows.map((r) => r.id);
  const stories = ids.length
    ? await db
        .selectFrom("creditExceptionStories")
        .select(["exceptionId", "storyId", "title", "expectedCredits", "p80Credits"])
        .where("exceptionId", "in", ids)
        .orderBy("title")
        .execute()
    : [];
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    requestedCredits: Number(r.requestedCredits),
    grantedCredits: r.grantedCredits === null ? null : Number(r.grantedCredits),
    stories: stories
      .filter((s) => Number(s.exceptionId) === Number(r.id))
      .map((s) => ({
        storyId: Number(s.storyId),
        title: s.title,
        expectedCredits: s.expectedCredits === null ? null : Number(s.expectedCredits),
        p80Credits: s.p80Credits === null ? null : Number(s.p80Credits),
      })),
  }));
}

export type ExceptionRow = Awaited<ReturnType<typeof listExceptions>>[number];

/**
 * Grants a waiting request: `credits` (default: what was asked) from the reserve or from
 * `sourceTeamId`'s unused allocation, moved into the asking team's allocation. Refuses (ExceptionError)
 * when the request is not waiting, the source cannot cover it, or the result would break the rule
 * that allocations never exceed pool + overage. The request row is locked, so two admins clicking at
 * once grant once.
 */
export async function grantException(
  db: DB,
  input: {
    organisationId: number;
    exceptionId: number;
    source: "reserve" | "team";
    sourceTeamId: number | null;
    credits: number | null;
    actorId: number;
    now?: Date;
  },
) {
  return db.transaction().execute(async (trx) => {
    const request = await trx
      .selectFrom("creditExceptions")
      .select(["id", "teamId", "month", "status", "requestedCredits"])
      .where("organisationId", "=", input.organisationId)
      .where("id", "=", input.exceptionId)
      .forUpdate()
      .executeTakeFirst();
    if (!request) throw new ExceptionError("That request is not this organisation's.");
    if (request.status !== "requested") throw new ExceptionError("That request was already decided.");
    const teamId = Number(request.teamId);
    const credits = input.credits ?? Number(request.requestedCredits);
    if (!(credits > 0)) throw new ExceptionError("Grant more than 0 credits.", "credits");

    // The month's allocations are locked too: two grants from the same reserve must not both pass.
    await sql`select 1 from organisation_months where organisation_id = ${input.organisationId} and month = ${request.month} for update`.execute(
      trx,
    );
    const month = await getExceptionMonth(trx, { organisationId: input.organisationId, month: request.month });
    if (!month.pool) throw new ExceptionError(`Set the pool for ${request.month} before granting credits.`);
    if (!month.teams.some((t) => t.id === teamId))
      throw new ExceptionError("The asking team has left the organisation.");

    const next = new Map(month.teams.map((t) => [t.id, t.allocation ?? 0]));
    if (input.source === "reserve") {
      if (toHundredths(credits) > toHundredths(month.reserve)) {
        throw new ExceptionError(
          `The reserve has ${month.reserve} credits left; that is less than ${credits}.`,
          "credits",
        );
      }
    } else {
      const from = month.teams.find((t) => t.id === input.sourceTeamId);
      if (!from || from.id === teamId)
        throw new ExceptionError("Pick another team of the organisation.", "sourceTeamId");
      if (toHundredths(credits) > toHundredths(from.unused)) {
        throw new ExceptionError(
          `${from.name} has ${from.unused} credits unused this month; that is less than ${credits}.`,
          "credits",
        );
      }
      next.set(from.id, fromHundredths(toHundredths(from.allocation ?? 0) - toHundredths(credits)));
    }
    next.set(teamId, fromHundredths(toHundredths(next.get(teamId) ?? 0) + toHundredths(credits)));

    // The domain rule, checked on the whole month as it will be.
    const check = validateAllocations(
      month.pool.included,
      month.pool.usableOverage,
      [...next].map(([id, c]) => ({ teamId: String(id), kind: "credits" as const, credits: c })),
    );
    if (!check.ok) throw new ExceptionError(check.errors[0]!.message, "credits");

    const now = input.now ?? new Date();
    const changed = input.source === "team" ? [teamId, input.sourceTeamId!] : [teamId];
    for (const id of changed) {
      const value = next.get(id)!;
      await trx
        .insertInto("teamAllocations")
        .values({
          organisationId: input.organisationId,
          month: request.month,
          teamId: id,
          credits: value,
          percent: null,
          updatedBy: input.actorId,
          updatedAt: now,
        })
        .onConflict((oc) =>
          oc
            .columns(["organisationId", "month", "teamId"])
            .doUpdateSet({ credits: value, percent: null, updatedBy: input.actorId, updatedAt: now }),
        )
        .execute();
    }
    await trx
      .updateTable("creditExceptions")
      .set({
        status: "granted",
        source: input.source,
        sourceTeamId: input.source === "team" ? input.sourceTeamId : null,
        grantedCredits: credits,
        decidedBy: input.actorId,
        decidedAt: now,
      })
      .where("organisationId", "=", input.organisationId)
      .where("id", "=", input.exceptionId)
      .execute();
    const sourceName =
      input.source === "reserve" ? "the reserve" : month.teams.find((t) => t.id === input.sourceTeamId)!.name;
    const teamName = month.teams.find((t) => t.id === teamId)!.name;
    await trx
      .insertInto("organisationEvents")
      .values({
        organisationId: input.organisationId,
        teamId,
        actorId: input.actorId,
        kind: "exception.granted",
        message: `granted ${credits} credits to ${teamName} from ${sourceName} (${request.month})`,
      })
      .execute();
    return { teamId, month: request.month, credits, sourceName, teamName };
  });
}

export async function declineException(
  db: DB,
  input: { organisationId: number; exceptionId: number; reason: string; actorId: number; now?: Date },
) {
  return db.transaction().execute(async (trx) => {
    const request = await trx
      .selectFrom("creditExceptions as x")
      .innerJoin("teams as t", "t.id", "x.teamId")
      .select(["x.id", "x.teamId", "x.month", "x.status", "t.name as teamName"])
      .where("x.organisationId", "=", input.organisationId)
      .where("x.id", "=", input.exceptionId)
      .forUpdate()
      .executeTakeFirst();
    if (!request) throw new ExceptionError("That request is not this organisation's.");
    if (request.status !== "requested") throw new ExceptionError("That request was already decided.");
    await trx
      .updateTable("creditExceptions")
      .set({
        status: "declined",
        declineReason: input.reason,
        decidedBy: input.actorId,
        decidedAt: input.now ?? new Date(),
      })
      .where("organisationId", "=", input.organisationId)
      .where("id", "=", input.exceptionId)
      .execute();
    await trx
      .insertInto("organisationEvents")
      .values({
        organisationId: input.organisationId,
        teamId: request.teamId,
        actorId: input.actorId,
        kind: "exception.declined",
        message: `declined ${request.teamName}'s request (${request.month})`,
      })
      .execute();
    return { teamId: Number(request.teamId), teamName: request.teamName };
  });
}
