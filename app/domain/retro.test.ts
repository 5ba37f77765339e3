import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyRetroQuery,
  compareKeyTitle,
  csvText,
  driftHeadline,
  outlierRows,
  parseRetroQuery,
  RETRO_CSV_HEADER,
  retroCsv,
  retroCsvValues,
  retroNoteProblems,
  RetroNoteSchema,
  retroRows,
  schemeOrder,
  sizeDistribution,
  sprintTrend,
  summarizeRetro,
  type RetroStory,
} from "~/domain/retro";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";

let nextId = 1;
function story(partial: Partial<RetroStory> & { key?: string | null; title?: string }): RetroStory {
  const id = nextId++;
  return {
    storyId: id,
    key: `PAY-${id}`,
    title: `Story ${id}`,
    outcome: "done",
    levels: { intensity: "standard", autonomy: "delegate", risk: "low" },
    size: "M",
    expected: 150,
    p80: 225,
    bandLow: 100,
    bandHigh: 400,
    schemeVersion: 1,
    actual: 150,
    entries: 1,
    unpriced: 0,
    ...partial,
  };
}

const unestimated = {
  levels: null,
  size: null,
  expected: null,
  p80: null,
  bandLow: null,
  bandHigh: null,
  schemeVersion: null,
};

describe("retro rows and CSV", () => {
  it("orders by key naturally, then keyless stories by title", () => {
    const rows = retroRows([
      story({ key: "PAY-10" }),
      story({ key: null, title: "b" }),
      story({ key: "PAY-9" }),
      story({ key: null, title: "a" }),
      story({ key: "OPS-1" }),
    ]);
    expect(rows.map((r) => r.key ?? r.title)).toEqual(["OPS-1", "PAY-9", "PAY-10", "a", "b"]);
  });

  it("writes the exact header, CRLF lines, no BOM, empty cells for missing sides, and guards formulas", () => {
    const rows = retroRows([
      story({ key: "PAY-1", actual: 180.123456 }),
      story({ key: "PAY-2", ...unestimated, actual: 12 }),
      story({ key: "PAY-3", actual: null, entries: 0 }),
      story({ key: "PAY-4", size: "XL", bandLow: 1500, bandHigh: null, expected: 2000, actual: 1000 }),
      story({ key: "-1", title: '=cmd|" /C calc"!A0', actual: 75 }),
      story({ key: "PAY-5", title: "@SUM(1,2)\nsecond line", actual: 0 }),
    ]);
    const csv = retroCsv(rows);
    expect(csv.startsWith(RETRO_CSV_HEADER + "\r\n")).toBe(true);
    expect(csv.charCodeAt(0)).not.toBe(0xfeff);
    const records = parse(csv) as string[][];
    expect(records[0]).toEqual(RETRO_CSV_HEADER.split(","));
    expect(records).toHaveLength(7);
    const byKey = Object.fromEntries(records.slice(1).map((r) => [r[0], r]));
    expect(byKey["PAY-1"]).toEqual([
      "PAY-1",
      "Story " + rows.find((r) => r.key === "PAY-1")!.storyId,
      "M",
      "standard",
      "delegate",
      "low",
      "150",
      "100",
      "400",
      "180.1235",
      "1.2008",
      "true",
    ]);
    expect(byKey["PAY-2"]!.slice(2)).toEqual(["", "", "", "", "", "", "", "12", "", ""]);
    expect(byKey["PAY-3"]!.slice(9)).toEqual(["", "", ""]);
    expect(byKey["PAY-4"]!.slice(6)).toEqual(["2000", "1500", "", "1000", "0.5", "false"]);
    // Formula cells get a leading ' (also a key starting with -), so a spreadsheet shows text.
    expect(byKey["'-1"]![1]).toBe(`'=cmd|" /C calc"!A0`);
    expect(byKey["PAY-5"]![1]).toBe("'@SUM(1,2)\nsecond line");
    expect(byKey["PAY-5"]!.slice(9)).toEqual(["0", "0", "false"]);
  });

  /** The formula guard spelled out: a ' before a formula character where a spreadsheet may start a field. */
  const guardedTitle = (title: string) => {
    let out = "";
    let fieldStart = true;
    for (const ch of title) {
      if (fieldStart && "=+-@\t\r\uFF1D\uFF0B\uFF0D\uFF20".includes(ch)) out += "'";
      out += ch;
      fieldStart = ch === "," || ch === ";" || (fieldStart && (ch === " " || ch === '"'));
    }
    return out;
  };

  it("keeps one CSV record per story and the table's values, whatever the titles", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            title: fc.string({ minLength: 1, maxLength: 20 }),
            actual: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }),
          }),
          {
            maxLength: 12,
          },
        ),
        (specs) => {
          const rows = retroRows(specs.map((s) => story({ key: null, title: s.title, actual: s.actual })));
          const records = parse(retroCsv(rows), { relax_quotes: false }) as string[][];
          expect(records).toHaveLength(rows.length + 1);
          records.slice(1).forEach((rec, i) => {
            const row = rows[i]!;
            expect(rec[1]).toBe(guardedTitle(row.title));
            expect(rec[9]).toBe(csvText(retroCsvValues(row)[9]!));
            expect(rec).toHaveLength(12);
          });
        },
      ),
    );
  });
});

describe("table state", () => {
  it("whitelists sort columns and falls back on anything unreadable", () => {
    expect(parseRetroQuery(new URLSearchParams("sort=ratio.desc")).sort).toEqual({ id: "ratio", desc: true });
    expect(parseRetroQuery(new URLSearchParams("sort=password")).sort).toBeNull();
    expect(parseRetroQuery(new URLSearchParams("sort=title")).sort).toEqual({ id: "title", desc: false });
    const q = parseRetroQuery(
      new URLSearchParams("band=sideways&level=colour:red&outliers=1&missing=spend&q=%20pay%20"),
    );
    expect(q).toMatchObject({ band: undefined, level: null, outliers: true, missing: "spend", q: "pay" });
  });

  it("filters and sorts, missing values last in either direction", () => {
    const rows = retroRows([
      story({ key: "A", actual: 600 }), // 4×: outlier, out of band
      story({ key: "B", actual: 150 }), // in band
      story({ key: "C", actual: null, entries: 0 }),
      story({ key: "D", ...unestimated, actual: 10 }),
      story({
        key: "E",
        levels: { intensity: "light", autonomy: "assist", risk: "high" },
        size: "XS",
        expected: 5,
        p80: 25,
        bandLow: 0,
        bandHigh: 25,
        actual: 1,
      }),
    ]);
    const order = schemeOrder(DEFAULT_SCHEME);
    const keys = (query: string) =>
      applyRetroQuery(rows, parseRetroQuery(new URLSearchParams(query)), order).map((r) => r.key);
    expect(keys("")).toEqual(["A", "B", "C", "D", "E"]);
    expect(keys("sort=ratio.desc")).toEqual(["A", "B", "E", "C", "D"]);
    expect(keys("sort=ratio")).toEqual(["E", "B", "A", "C", "D"]);
    expect(keys("sort=actual")).toEqual(["E", "D", "B", "A", "C"]);
    expect(keys("sort=size")).toEqual(["E", "A", "B", "C", "D"]);
    expect(keys("sort=intensity.desc")).toEqual(["A", "B", "C", "E", "D"]);
    expect(keys("sort=key.desc")).toEqual(["E", "D", "C", "B", "A"]);
    expect(keys("outliers=1")).toEqual(["A", "E"]);
    expect(keys("band=in")).toEqual(["B", "E"]);
    expect(keys("band=unknown")).toEqual(["C", "D"]);
    expect(keys("missing=estimate")).toEqual(["D"]);
    expect(keys("missing=spend")).toEqual(["C"]);
    expect(keys("size=none")).toEqual(["D"]);
    expect(keys("level=risk:high")).toEqual(["E"]);
    expect(keys("q=e")).toEqual(["E"]);
  });
});

describe("summary, outliers, trends", () => {
  it("counts missing sides, unpriced spend, and lists outliers furthest first", () => {
    const rows = retroRows([
      story({ key: "A", actual: 600 }), // 4×
      story({ key: "B", actual: 30 }), // 0.2×
      story({ key: "C", actual: null, entries: 2, unpriced: 2 }),
      story({ key: "D", ...unestimated, actual: null, entries: 0 }),
      story({ key: "E", actual: 160, unpriced: 1, entries: 3 }),
    ]);
    const s = summarizeRetro(rows, DEFAULT_SCHEME);
    expect(s).toMatchObject({
      stories: 5,
      compared: 3,
      withoutEstimate: 1,
      withoutSpend: 2,
      unpricedOnly: 1,
      withUnpriced: 2,
      outliers: 2,
    });
    // Groups come in the scheme's order, with empty levels kept.
    expect(s.breakdowns.intensity.map((g) => g.key)).toEqual(["light", "standard", "frontier", "frontier-max", null]);
    expect(outlierRows(rows).map((r) => r.key)).toEqual(["B", "A"]);
  });

  it("says the headline in words, and a sprint's trend from its log-ratios", () => {
    const rows = retroRows([story({ actual: 300 }), story({ actual: 150 }), story({ actual: 240 })]);
    expect(driftHeadline({ id: 3, name: "Sprint 14" }, rows).text).toBe(
      "Sprint 14: actual spend ran 1.6× the estimate; 100 % in band",
    );
    expect(driftHeadline({ id: 3, name: "Sprint 9" }, retroRows([story({ actual: null })])).text).toBe(
      "Sprint 9: no story has both an estimate and a spend yet",
    );
    const trend = sprintTrend({ id: 1, name: "S1", end: "2026-01-01" }, rows);
    expect(trend.bias).toBeCloseTo(Math.log2(1.6), 10);
    expect(trend).toMatchObject({ stories: 3, compared: 3, hitRate: 1, p80Coverage: 1 / 3 });
  });

  it("summarises actual credits per size in band order, keeping sizes without data", () => {
    const rows = retroRows([
      story({ actual: 100 }),
      story({ actual: 200 }),
      story({ actual: 300 }),
      story({ actual: 1000 }),
      story({ size: "XS", actual: null }),
    ]);
    const dist = sizeDistribution(rows, DEFAULT_SCHEME.bands);
    expect(dist.map((d) => d.size)).toEqual(["XS", "S", "M", "L", "XL"]);
    expect(dist[2]).toMatchObject({
      n: 4,
      min: 100,
      q1: 175,
      median: 250,
      q3: 475,
      max: 1000,
      bandLow: 100,
      bandHigh: 400,
    });
    expect(dist[0]).toMatchObject({ n: 0, median: null });
  });
});

describe("inspection notes", () => {
  it("accepts the retrospective's tags and the outcome form's, and asks an outlier for a cause", () => {
    const parsed = RetroNoteSchema.parse({
      storyId: "4",
      bought: " A PR ",
      reviewBurden: "light",
      causeTags: ["worth-it", "flaky-ci", "worth-it"],
    });
    expect(parsed).toEqual({
      storyId: 4,
      bought: "A PR",
      reviewBurden: "light",
      causeTags: ["worth-it", "flaky-ci"],
      note: "",
    });
    expect(
      RetroNoteSchema.safeParse({ storyId: "4", bought: "x", reviewBurden: "light", causeTags: "laziness" }).success,
    ).toBe(false);
    expect(RetroNoteSchema.safeParse({ storyId: "4", bought: "  ", reviewBurden: "light" }).success).toBe(false);
    expect(retroNoteProblems({ ...parsed, causeTags: [] }, true)).toHaveProperty("causeTags");
    expect(retroNoteProblems({ ...parsed, causeTags: [] }, false)).toEqual({});
  });
});

describe("ordering", () => {
  it("compares keys before titles and ids last", () => {
    expect(compareKeyTitle({ key: "A", title: "z", storyId: 2 }, { key: "A", title: "z", storyId: 1 })).toBeGreaterThan(
      0,
    );
    expect(
      compareKeyTitle({ key: null, title: "a", storyId: 1 }, { key: "Z", title: "z", storyId: 2 }),
    ).toBeGreaterThan(0);
  });
});
