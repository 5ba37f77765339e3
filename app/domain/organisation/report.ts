// Finance reports of an organisation (issue 17): spend by team, cost center, month and by shape of
// work (size, intensity, autonomy, risk, tool, model), with the outliers' outcome notes beside
// them. Groups are shapes of work and teams — never people: no function here takes or returns a
// person, and the CSV has no per-person column.
import { csvCell } from "~/domain/drift";
import { fromHundredths, toHundredths } from "./credits";

export const SHAPE_DIMENSIONS = ["size", "intensity", "autonomy", "risk", "tool", "model"] as const;
export type ShapeDimension = (typeof SHAPE_DIMENSIONS)[number];

export const SHAPE_LABELS: Record<ShapeDimension, string> = {
  size: "Size",
  intensity: "Intensity",
  autonomy: "Autonomy",
  risk: "Risk",
  tool: "Tool",
  model: "Model",
};

/** One aggregated slice of spend: the shape of the work it went to, and how much. */
export type ShapeRow = Record<ShapeDimension, string | null> & { credits: number };

export interface ReportGroup {
  group: string;
  credits: number;
  /** Share of the total of the breakdown, 0–1 (null when the total is 0). */
  share: number | null;
}

/** What a null value of a dimension means, in words. */
export function noValueLabel(dimension: ShapeDimension): string {
  return dimension === "tool" || dimension === "model" ? "unknown" : "not estimated";
}

/** Sums rows per value of one dimension, largest first (ties by name); shares of the total. */
export function groupBy(rows: readonly { key: string; credits: number }[]): ReportGroup[] {
  const sums = new Map<string, number>();
  for (const r of rows) sums.set(r.key, (sums.get(r.key) ?? 0) + toHundredths(r.credits));
  const total = [...sums.values()].reduce((a, b) => a + b, 0);
  return [...sums]
    .map(([group, h]) => ({ group, credits: fromHundredths(h), share: total > 0 ? h / total : null }))
    .sort((a, b) => b.credits - a.credits || a.group.localeCompare(b.group));
}

/** Every shape dimension's breakdown of the same spend. Each breakdown sums to the same total. */
export function shapeBreakdowns(rows: readonly ShapeRow[]): Record<ShapeDimension, ReportGroup[]> {
  const result = {} as Record<ShapeDimension, ReportGroup[]>;
  for (const d of SHAPE_DIMENSIONS) {
    result[d] = groupBy(rows.map((r) => ({ key: r[d] ?? noValueLabel(d), credits: r.credits })));
  }
  return result;
}

export interface ReportOutlier {
  team: string;
  story: string;
  size: string | null;
  expected: number;
  actual: number;
  ratio: number;
  /** The story's outcome note: what the spend bought. */
  bought: string | null;
  note: string | null;
}

export interface OrganisationReport {
  month: string;
  teams: { team: string; costCenter: string | null; allocation: number | null; credits: number }[];
  costCenters: ReportGroup[];
  /** Org-level and unplaced rows of the organisation's own report. */
  unplacedCredits: number;
  months: { month: string; credits: number }[];
  shapes: Record<ShapeDimension, ReportGroup[]>;
  outliers: ReportOutlier[];
}

export const REPORT_CSV_HEADER =
  "month,breakdown,group,credits,share,allocation_credits,expected_credits,ratio,outcome";

/**
 * The month as CSV: one row per group of each breakdown (team, cost center, each shape dimension,
 * the months before), then the outliers with their outcome notes. Cells go through the
 * retrospective's `csvCell`, so text a spreadsheet would run as a formula is defused the same way
 * as retro.csv. UTF-8, CRLF, no byte-order mark.
 */
export function reportCsv(report: OrganisationReport): string {
  const lines = [REPORT_CSV_HEADER];
  const row = (cells: (string | number | null)[]) => lines.push(cells.map((c) => csvCell(c)).join(","));
  const total = report.teams.reduce((s, t) => s + t.credits, 0) + report.unplacedCredits;
  for (const t of report.teams) {
    row([
      report.month,
      "team",
      t.team,
      t.credits,
      total > 0 ? t.credits / total : null,
      t.allocation,
      null,
      null,
      null,
    ]);
  }
  if (report.unplacedCredits > 0) {
    row([
      report.month,
      "team",
      "not placed on a team",
      report.unplacedCredits,
      total > 0 ? report.unplacedCredits / total : null,
      null,
      null,
      null,
      null,
    ]);
  }
  for (const c of report.costCenters)
    row([report.month, "cost_center", c.group, c.credits, c.share, null, null, null, null]);
  for (const d of SHAPE_DIMENSIONS) {
    for (const g of report.shapes[d]) row([report.month, d, g.group, g.credits, g.share, null, null, null, null]);
  }
  for (const m of report.months) row([m.month, "month", m.month, m.credits, null, null, null, null, null]);
  for (const o of report.outliers) {
    const outcome = [o.bought, o.note].filter(Boolean).join(" — ") || null;
    row([report.month, "outlier", `${o.team}: ${o.story}`, o.actual, null, null, o.expected, o.ratio, outcome]);
  }
  return lines.join("\r\n") + "\r\n";
}
