// The finance report of an organisation month (issue 17): spend per team, cost center and month,
// per shape of work (the estimate's size and levels, the tool, the model) and the outlier stories
// with their outcome notes. Every query is scoped by the organisation's accepted teams (read here
// from the organisation id the gate gave) and by team inside them. Nothing groups by person.
import { sql } from "kysely";
import { storyDrift } from "~/domain/drift";
import { monthInstantRange, monthsBetween, previousMonth } from "~/domain/organisation/billing-month";
import { fromHundredths, toHundredths } from "~/domain/organisation/credits";
import {
  groupBy,
  shapeBreakdowns,
  type OrganisationReport,
  type ReportOutlier,
  type ShapeRow,
} from "~/domain/organisation/report";
import { actualsByStory, attributedEntries, attributedStoryId } from "~/models/attributed-spend.server";
import { teamMonthSpend } from "~/models/credit-exception.server";
import { listAttachedTeams } from "~/models/organisation.server";
import { listStoryOutcomes } from "~/models/story-outcome.server";
import type { DB } from "~/utils/db.server";

/** How many months the "by month" breakdown goes back (the report's month included). */
export const REPORT_MONTHS = 6;
/** The outliers listed: the furthest off first. */
export const REPORT_OUTLIERS = 10;

const ids = (teamIds: readonly number[]) => sql.join(teamIds.map((id) => sql`${id}`));

export async function getOrganisationReport(
  db: DB,
  input: { organisationId: number; month: string },
): Promise<OrganisationReport> {
  const { organisationId, month } = input;
  const teams = await listAttachedTeams(db, organisationId);
  const teamIds = teams.map((t) => t.teamId);
  const range = monthInstantRange(month);
  const firstMonth = back(month, REPORT_MONTHS - 1);

  const [allocations, spend, unplaced, byMonth, unplacedByMonth] = await Promise.all([
    db
      .selectFrom("teamAllocations")
      .select(["teamId", "credits"])
      .where("organisationId", "=", organisationId)
      .where("month", "=", month)
      .execute(),
    teamMonthSpend(db, { teamIds, month }),
    db
      .selectFrom("organisationSpendRows")
      .select(sql<number>`coalesce(sum(credits), 0)`.as("credits"))
      .where("organisationId", "=", organisationId)
      .where("month", "=", month)
      .where("placement", "<>", "placed")
      .executeTakeFirst(),
    teamIds.length
      ? sql<{ month: string; credits: number | string }>`
          select to_char(occurred_at at time zone 'UTC', 'YYYY-MM') as month, coalesce(sum(credits), 0) as credits
          from spend_entries
          where team_id in (${ids(teamIds)})
            and occurred_at >= ${monthInstantRange(firstMonth).start}::timestamptz
            and occurred_at < ${range.end}::timestamptz
          group by 1`
          .execute(db)
          .then((r) => r.rows)
      : Promise.resolve([]),
    db
      .selectFrom("organisationSpendRows")
      .select(["month", sql<number>`coalesce(sum(credits), 0)`.as("credits")])
      .where("organisationId", "=", organisationId)
      .where("month", ">=", firstMonth)
      .where("month", "<=", month)
      .where("placement", "<>", "placed")
      .groupBy("month")
      .execute(),
  ]);
  const allocationByTeam = new Map(allocations.map((a) => [Number(a.teamId), Number(a.credits)]));
  const teamRows = teams.map((t) => ({
    team: t.name,
    costCenter: t.costCenterName ?? null,
    allocation: allocationByTeam.get(t.teamId) ?? null,
    credits: fromHundredths(toHundredths(spend.get(t.teamId) ?? 0)),
  }));
  const monthTotals = new Map<string, number>();
  for (const r of [...byMonth, ...unplacedByMonth])
    monthTotals.set(r.month, (monthTotals.get(r.month) ?? 0) + Number(r.credits));

  const shapeRows: ShapeRow[] = [];
  const outliers: ReportOutlier[] = [];
  for (const team of teams) {
    const rows = await attributedEntries(db, team.teamId)
      .leftJoin("stories as s", (j) => j.onRef("s.teamId", "=", "e.teamId").on("s.id", "=", attributedStoryId))
      .leftJoin("estimates as est", (j) => j.onRef("est.id", "=", "s.estimateId").onRef("est.teamId", "=", "s.teamId"))
      .select([
        "est.size",
        "est.intensity",
        "est.autonomy",
        "est.risk",
        "e.source as tool",
        "e.model",
        sql<number>`coalesce(sum(e.credits), 0)`.as("credits"),
        sql<number[]>`array_remove(array_agg(distinct s.id), null)`.as("storyIds"),
      ])
      .where("e.occurredAt", ">=", new Date(range.start))
      .where("e.occurredAt", "<", new Date(range.end))
      .groupBy(["est.size", "est.intensity", "est.autonomy", "est.risk", "e.source", "e.model"])
      .execute();
    const storyIds = new Set<number>();
    for (const r of rows) {
      shapeRows.push({
        size: r.size,
        intensity: r.intensity,
        autonomy: r.autonomy,
        risk: r.risk,
        tool: r.tool,
        model: r.model,
        credits: Number(r.credits),
      });
      for (const id of r.storyIds ?? []) storyIds.add(Number(id));
    }
    outliers.push(...(await teamOutliers(db, { teamId: team.teamId, teamName: team.name, storyIds: [...storyIds] })));
  }
  outliers.sort((a, b) => Math.abs(Math.log2(b.ratio || 1e-9)) - Math.abs(Math.log2(a.ratio || 1e-9)));

  return {
    month,
    teams: teamRows,
    costCenters: groupBy(teamRows.map((t) => ({ key: t.costCenter ?? "no cost center", credits: t.credits }))),
    unplacedCredits: Number(unplaced?.credits ?? 0),
    months: monthsBetween(firstMonth, month)
      .reverse()
      .map((m) => ({ month: m, credits: fromHundredths(toHundredths(monthTotals.get(m) ?? 0)) })),
    shapes: shapeBreakdowns(shapeRows),
    outliers: outliers.slice(0, REPORT_OUTLIERS),
  };
}

function back(month: string, n: number) {
  let m = month;
  for (let i = 0; i < n; i++) m = previousMonth(m);
  return m;
}

/** The stories more than 2× off their estimate (the retrospective's rule), with outcome notes. */
async function teamOutliers(db: DB, input: { teamId: number; teamName: string; storyIds: number[] }) {
  if (!input.storyIds.length) return [];
  const [stories, actuals, outcomes] = await Promise.all([
    db
      .selectFrom("stories as s")
      .innerJoin("estimates as e", (j) => j.onRef("e.id", "=", "s.estimateId").onRef("e.teamId", "=", "s.teamId"))
      .select(["s.id", "s.key", "s.title", "e.size", "e.expectedCredits", "e.p80Credits", "e.bandLow", "e.bandHigh"])
      .where("s.teamId", "=", input.teamId)
      .where("s.id", "in", input.storyIds)
      .execute(),
    actualsByStory(db, { teamId: input.teamId, storyIds: input.storyIds }),
    listStoryOutcomes(db, { teamId: input.teamId, storyIds: input.storyIds }),
  ]);
  const outcomeByStory = new Map(outcomes.map((o) => [Number(o.storyId), o]));
  return stories.flatMap((s): ReportOutlier[] => {
    const actual = actuals.get(Number(s.id))?.credits ?? null;
    const expected = Number(s.expectedCredits);
    const drift = storyDrift({
      expected,
      p80: Number(s.p80Credits),
      bandLow: Number(s.bandLow),
      bandHigh: s.bandHigh === null ? null : Number(s.bandHigh),
      actual,
      levels: { intensity: null, autonomy: null, risk: null },
      size: s.size,
    });
    if (drift.outlier !== true || actual === null || drift.ratio === null) return [];
    const outcome = outcomeByStory.get(Number(s.id));
    return [
      {
        team: input.teamName,
        story: s.key ? `${s.key} ${s.title}` : s.title,
        size: s.size,
        expected,
        actual,
        ratio: drift.ratio,
        bought: outcome?.bought ?? null,
        note: outcome?.note ?? null,
      },
    ];
  });
}
