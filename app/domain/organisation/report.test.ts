import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  groupBy,
  REPORT_CSV_HEADER,
  reportCsv,
  SHAPE_DIMENSIONS,
  shapeBreakdowns,
  type OrganisationReport,
  type ShapeRow,
} from "./report";

const empty = { size: null, intensity: null, autonomy: null, risk: null, tool: null, model: null };

describe("organisation report", () => {
  it("groups spend by each shape of work, naming what is missing", () => {
    const rows: ShapeRow[] = [
      { ...empty, size: "M", tool: "copilot", model: "gpt-5", credits: 100 },
      { ...empty, size: "L", tool: "copilot", model: null, credits: 300 },
      { ...empty, tool: "claude-code", credits: 0.1 },
    ];
    const shapes = shapeBreakdowns(rows);
    expect(shapes.size.map((g) => [g.group, g.credits])).toEqual([
      ["L", 300],
      ["M", 100],
      ["not estimated", 0.1],
    ]);
    expect(shapes.model.map((g) => g.group)).toEqual(["unknown", "gpt-5"]);
    expect(shapes.tool[0]).toMatchObject({ group: "copilot", credits: 400 });
  });

  it("property: every breakdown adds up to the same total, exactly to the hundredth", () => {
    const value = fc.option(fc.constantFrom("a", "b", "c"), { nil: null });
    const row = fc.record({
      size: value,
      intensity: value,
      autonomy: value,
      risk: value,
      tool: value,
      model: value,
      credits: fc.integer({ min: 0, max: 1e9 }).map((h) => h / 100),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 50 }), (rows) => {
        const total = rows.reduce((s, r) => s + Math.round(r.credits * 100), 0);
        const shapes = shapeBreakdowns(rows);
        for (const d of SHAPE_DIMENSIONS) {
          expect(shapes[d].reduce((s, g) => s + Math.round(g.credits * 100), 0)).toBe(total);
        }
      }),
    );
  });

  it("gives no share when nothing was spent", () => {
    expect(groupBy([{ key: "x", credits: 0 }])).toEqual([{ group: "x", credits: 0, share: null }]);
  });

  it("writes CSV with the retrospective's formula guard and no per-person column", () => {
    const report: OrganisationReport = {
      month: "2026-12",
      teams: [{ team: '=HYPERLINK("x")', costCenter: null, allocation: 400, credits: 300 }],
      costCenters: [{ group: "Payments", credits: 300, share: 1 }],
      unplacedCredits: 100,
      months: [{ month: "2026-11", credits: 50 }],
      shapes: shapeBreakdowns([{ ...empty, size: "M", credits: 300 }]),
      outliers: [
        {
          team: "Pay",
          story: "PAY-1 Retry",
          size: "M",
          expected: 10,
          actual: 40,
          ratio: 4,
          bought: "+cmd",
          note: "big, but worth it",
        },
      ],
    };
    const csv = reportCsv(report);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(REPORT_CSV_HEADER);
    expect(REPORT_CSV_HEADER).not.toMatch(/user|person|member|email|identity/i);
    expect(lines[1]).toBe(`2026-12,team,"'=HYPERLINK(""x"")",300,0.75,400,,,`);
    expect(lines[2]).toBe("2026-12,team,not placed on a team,100,0.25,,,,");
    expect(csv).toContain('2026-12,outlier,Pay: PAY-1 Retry,40,,,10,4,"\'+cmd — big, but worth it"');
    expect(csv.endsWith("\r\n")).toBe(true);
  });
});
