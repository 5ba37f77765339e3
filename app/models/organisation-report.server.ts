// The finance report of an organisation month (issue 17): spend per team, cost center and month,
// per shape of work (the estimate's size and levels, the tool, the model) and the outlier stories
// with their outcome notes. Every query is scoped by the organisation's accepted teams (read here
// from the organisation id the gate gave) and by team inside them. Nothing groups by person.
import { sql } from "kysely";
import { storyDrift } from "~/domain/drift";
import { addDays } from "~/domain/capacity";
import {
  firstDayOfMonth,
  lastDayOfMonth,
  monthInstantRange,
  monthsBetween,
  previousMonth,
} from "~/domain/organisation/billing-month";
import { fromHundredths, toHundredths } from "~/domain/organisation/credits";
import {
  groupBy,
  shapeBreakdowns,
  type OrganisationReport,
  type ReportOutlier,
  type ShapeRow,
} from "~/domain/organisation/report";
import {
  actualsByTeamStory,
  attributedEntries,
  attributedStoryId,
  type StoryActual,
} from "~/models/attributed-spend.server";
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
  const range = monthInstantRange(month);
  const firstMonth = back(month, REPORT_MONTHS - 1);

  // Two rounds, each side by side: what needs only the organisation, then what needs its teams.
  const [teams, allocations, unplacedByMonth] = await Promise.all([
    listAttachedTeams(db, organisationId),
    db
      .selectFrom("teamAllocations")
      .select(["teamId", "credits"])
      .where("organisationId", "=", organisationId)
      .where("month", "=", month)
      .execute(),
    // The report's month is among these: its unplaced total comes from here too.
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
  const teamIds = teams.map((t) => t.teamId);
  const [byTeamMonth, perTeam] = await Promise.all([
    // Per team and UTC month, six months back: the "by month" rows and this month's team totals in
    // one read.
    teamIds.length ? spendByTeamAndMonth(db, { teamIds, firstMonth, month }) : Promise.resolve([]),
    teamsShapesAndOutliers(db, { teams, range }),
  ]);
  const spend = new Map<number, number>();
  const monthTotals = new Map<string, number>();
  for (const r of byTeamMonth) {
    if (r.month === month) spend.set(Number(r.teamId), (spend.get(Number(r.teamId)) ?? 0) + Number(r.credits));
    monthTotals.set(r.month, (monthTotals.get(r.month) ?? 0) + Number(r.credits));
  }
  for (const r of unplacedByMonth) monthTotals.set(r.month, (monthTotals.get(r.month) ?? 0) + Number(r.credits));
  const unplaced = unplacedByMonth.find((r) => r.month === month);

  const allocationByTeam = new Map(allocations.map((a) => [Number(a.teamId), Number(a.credits)]));
  const teamRows = teams.map((t) => ({
    team: t.name,
    costCenter: t.costCenterName ?? null,
    allocation: allocationByTeam.get(t.teamId) ?? null,
    credits: fromHundredths(toHundredths(spend.get(t.teamId) ?? 0)),
  }));
  const shapeRows = perTeam.flatMap((t) => t.shapes);
  const outliers = perTeam.flatMap((t) => t.outliers);
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

/**
 * Spend per team and UTC month from `firstMonth` to `month`. A team's local day (`day`) is within
 * a day of its entries' UTC instants (time-zone offsets are under 14 hours), so its local days from
 * the 2nd to the second-to-last of a month hold only that UTC month's spend: those come from the
 * day totals (migration 0027), whatever the history's size. The first and last day of each month,
 * and the day on each side of the range, may hold a neighbouring month's spend: their entries are
 * bucketed by their instant, as the billing month is counted.
 */
async function spendByTeamAndMonth(db: DB, input: { teamIds: readonly number[]; firstMonth: string; month: string }) {
  const months = monthsBetween(input.firstMonth, input.month);
  const edges = [
    addDays(firstDayOfMonth(input.firstMonth), -1),
    ...months.flatMap((m) => [firstDayOfMonth(m), lastDayOfMonth(m)]),
    addDays(lastDayOfMonth(input.month), 1),
  ];
  const edgeDays = sql.join(edges.map((d) => sql`${d}::date`));
  const { rows } = await sql<{ teamId: number; month: string; credits: number | string }>`
    -- Grouped by date_trunc, formatted after: to_char on every row costs twice as much.
    select "teamId", to_char(m, 'YYYY-MM') as month, coalesce(sum(credits), 0) as credits
    from (
      select team_id as "teamId", date_trunc('month', "day"::timestamp) as m, credits
      from spend_day_totals
      where team_id in (${ids(input.teamIds)})
        and "day" between ${firstDayOfMonth(input.firstMonth)}::date and ${lastDayOfMonth(input.month)}::date
        and "day" not in (${edgeDays})
      union all
      select team_id, date_trunc('month', occurred_at at time zone 'UTC'), credits
      from spend_entries
      where team_id in (${ids(input.teamIds)}) and "day" in (${edgeDays})
        and occurred_at >= ${monthInstantRange(input.firstMonth).start}::timestamptz
        and occurred_at < ${monthInstantRange(input.month).end}::timestamptz) parts
    group by 1, 2`.execute(db);
  return rows;
}

type Team = { teamId: number; name: string };
type Range = { start: string; end: string };

/**
 * Every team's spend this month by shape of work, and its outlier stories. One read gives both for
 * every team, then one read gives the actuals of every team's estimated stories, and outcome notes
 * are read only for the teams with outliers.
 */
async function teamsShapesAndOutliers(
  db: DB,
  input: { teams: readonly Team[]; range: Range },
): Promise<{ shapes: ShapeRow[]; outliers: ReportOutlier[] }[]> {
  const perTeam = await teamsShapeRows(db, input);
  const actuals = await actualsByTeamStory(
    db,
    perTeam.map((t) => ({ teamId: t.team.teamId, storyIds: [...t.stories.keys()] })),
  );
  return Promise.all(perTeam.map((t) => teamOutliers(db, { ...t, actuals: actuals.get(t.team.teamId) })));
}

/**
 * Each team's spend this month per story and shape (summed per shape by the caller), with each
 * story's estimate, so the outliers need only the stories' actuals. One statement for all the
 * teams (grouped by team too), split per team here in the teams' order.
 */
async function teamsShapeRows(db: DB, input: { teams: readonly Team[]; range: Range }) {
  const { teams, range } = input;
  if (!teams.length) return [];
  // Summed per story, tool and model first, then joined to the stories and their estimates: the
  // join meets a row per group, not one per entry.
  const spent = attributedEntries(
    db,
    teams.map((t) => t.teamId),
  )
    .select([
      "e.teamId",
      attributedStoryId.as("storyId"),
      "e.source as tool",
      "e.model",
      sql<number>`coalesce(sum(e.credits), 0)`.as("credits"),
    ])
    // The team's local day is within a day of the UTC instant: the range lets the (team_id, day)
    // index skip the teams' other months.
    .where("e.day", ">=", addDays(range.start.slice(0, 10), -1))
    .where("e.day", "<=", addDays(range.end.slice(0, 10), 1))
    .where("e.occurredAt", ">=", new Date(range.start))
    .where("e.occurredAt", "<", new Date(range.end))
    .groupBy(sql`1, 2, 3, 4`)
    .as("g");
  const all = await db
    .selectFrom(spent)
    .leftJoin("stories as s", (j) => j.onRef("s.teamId", "=", "g.teamId").onRef("s.id", "=", "g.storyId"))
    .leftJoin("estimates as est", (j) => j.onRef("est.id", "=", "s.estimateId").onRef("est.teamId", "=", "s.teamId"))
    .select([
      "g.teamId",
      "s.id as storyId",
      "s.key",
      "s.title",
      "est.size",
      "est.intensity",
      "est.autonomy",
      "est.risk",
      "est.expectedCredits",
      "est.p80Credits",
      "est.bandLow",
      "est.bandHigh",
      "g.tool",
      "g.model",
      "g.credits",
    ])
    .execute();
  return teams.map((team) => {
    const rows = all.filter((r) => Number(r.teamId) === team.teamId);
    const shapes = rows.map((r): ShapeRow => ({
      size: r.size,
      intensity: r.intensity,
      autonomy: r.autonomy,
      risk: r.risk,
      tool: r.tool,
      model: r.model,
      credits: Number(r.credits),
    }));
    // The estimated stories that spent this month (a story without an estimate cannot be off it).
    const stories = new Map<number, (typeof rows)[number]>();
    for (const r of rows) if (r.storyId !== null && r.expectedCredits !== null) stories.set(Number(r.storyId), r);
    return { team, shapes, stories };
  });
}

type ShapeRowsOfTeam = Awaited<ReturnType<typeof teamsShapeRows>>[number];

/** The team's estimated stories that are outliers this month, with their outcome notes. */
async function teamOutliers(
  db: DB,
  input: ShapeRowsOfTeam & { actuals: Map<number, StoryActual> | undefined },
): Promise<{ shapes: ShapeRow[]; outliers: ReportOutlier[] }> {
  const { team, shapes, stories, actuals } = input;
  if (!stories.size) return { shapes, outliers: [] };
  const off = [...stories.values()].flatMap((s) => {
    const actual = actuals?.get(Number(s.storyId))?.credits ?? null;
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
    return drift.outlier !== true || actual === null || drift.ratio === null
      ? []
      : [{ story: s, expected, actual, ratio: drift.ratio }];
  });
  const outcomes = off.length
    ? await listStoryOutcomes(db, { teamId: team.teamId, storyIds: off.map((o) => Number(o.story.storyId)) })
    : [];
  const outcomeByStory = new Map(outcomes.map((o) => [Number(o.storyId), o]));
  const outliers = off.map(({ story, expected, actual, ratio }): ReportOutlier => {
    const outcome = outcomeByStory.get(Number(story.storyId));
    return {
      team: team.name,
      story: story.key ? `${story.key} ${story.title}` : story.title!,
      size: story.size,
      expected,
      actual,
      ratio,
      bought: outcome?.bought ?? null,
      note: outcome?.note ?? null,
    };
  });
  return { shapes, outliers };
}

function back(month: string, n: number) {
  let m = month;
  for (let i = 0; i < n; i++) m = previousMonth(m);
  return m;
}
