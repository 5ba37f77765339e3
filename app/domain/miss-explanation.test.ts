import { describe, expect, it } from "vitest";
import { explainMisses, type MissStory } from "~/domain/miss-explanation";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";

const s = (intensity: string, autonomy: string, risk: string, expected: number, actual: number): MissStory => ({
  levels: { intensity, autonomy, risk },
  expected,
  actual,
});

describe("explainMisses", () => {
  it("names the intensity × autonomy combination when the overrun sits in one cell", () => {
    const stories = [
      s("frontier", "delegate", "low", 400, 1200),
      s("frontier", "delegate", "high", 400, 1000),
      s("frontier", "assist", "low", 40, 40),
      s("frontier", "assist", "high", 40, 40),
      s("standard", "delegate", "low", 150, 150),
      s("standard", "delegate", "high", 150, 160),
      s("standard", "pair", "low", 50, 50),
    ];
    const e = explainMisses(stories, DEFAULT_SCHEME)!;
    expect(e.direction).toBe("over");
    expect(e.grouping).toBe("intensity×autonomy");
    expect(e.groups[0]!.label).toBe("Frontier × Delegate");
    expect(e.sentence).toMatch(
      /^Most of the overrun \(\d+ %\) is in Frontier × Delegate stories \(2 of 7, which ran 2\.8× their estimate\)\.$/,
    );
  });

  it("prefers one dimension when it explains the drift as well as the combination", () => {
    const stories = ["light", "standard", "frontier"].flatMap((i) => [
      s(i, "autonomous", "medium", 100, 250),
      s(i, "pair", "medium", 100, 100),
    ]);
    const e = explainMisses(stories, DEFAULT_SCHEME)!;
    expect(e.grouping).toBe("autonomy");
    expect(e.sentence).toContain("Autonomous stories (3 of 6");
    expect(e.schemePart).toBe(
      "If it repeats, the recalibration on the Insights page moves the cost table's Autonomous column.",
    );
  });

  it("points a drift in one risk level at that level's median factor", () => {
    const stories = ["light", "standard", "frontier"].flatMap((i) => [
      s(i, "pair", "high", 100, 260),
      s(i, "pair", "low", 100, 100),
    ]);
    const e = explainMisses(stories, DEFAULT_SCHEME)!;
    expect(e.grouping).toBe("risk");
    expect(e.sentence).toContain("High stories (3 of 6");
    expect(e.schemePart).toBe(
      "If it repeats, the recalibration on the Insights page moves the median factor of High risk.",
    );
  });

  it("says nothing when the sprint ran close to its estimates, and reports underruns", () => {
    expect(
      explainMisses(
        [s("light", "pair", "low", 100, 105), s("light", "pair", "low", 100, 95), s("light", "pair", "low", 100, 100)],
        DEFAULT_SCHEME,
      ),
    ).toBeNull();
    const under = explainMisses(
      [s("light", "pair", "low", 100, 20), s("light", "assist", "low", 100, 90), s("light", "assist", "low", 100, 100)],
      DEFAULT_SCHEME,
    )!;
    expect(under.direction).toBe("under");
    expect(under.sentence).toMatch(/underrun/);
  });

  it("ignores stories without an estimate or a spend, and absurd values", () => {
    const stories: MissStory[] = [
      s("light", "pair", "low", 100, 300),
      s("light", "pair", "low", 100, 300),
      s("light", "pair", "low", 100, 300),
      { levels: { intensity: null, autonomy: null, risk: null }, expected: null, actual: 1e308 },
      { levels: { intensity: "light", autonomy: "pair", risk: "low" }, expected: 0, actual: 50 },
    ];
    const e = explainMisses(stories, DEFAULT_SCHEME)!;
    expect(e.stories).toBe(3);
    expect(Number.isFinite(e.excess)).toBe(true);
  });
});

describe("explainMisses, when other groups ran the other way", () => {
  it("says the drift is all in one group instead of claiming more than 100 %", () => {
    const e = explainMisses(
      [
        { levels: { intensity: "frontier", autonomy: "pair", risk: "low" }, expected: 100, actual: 900 },
        { levels: { intensity: "standard", autonomy: "delegate", risk: "low" }, expected: 400, actual: 150 },
        { levels: { intensity: "standard", autonomy: "delegate", risk: "low" }, expected: 400, actual: 150 },
      ],
      DEFAULT_SCHEME,
    )!;
    expect(e.sentence).toMatch(
      /^The overrun is all in .* stories \(1 of 3, which ran 9× their estimate\); the other stories together ran under\.$/,
    );
  });
});
