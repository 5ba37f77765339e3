// "Explain the misses": which shape of work carries most of a sprint's drift. The overrun (or
// underrun) in credits — actual minus expected, summed over the stories that have both — is split
// by each dimension's levels and by intensity × autonomy. A group "explains" the drift by how much
// more of it it carries than its share of the estimates (share of excess − share of expected); the
// grouping with the most concentrated group names the sentence ("most of the overrun is in
// Frontier × Delegate stories"). A single dimension wins over the combination unless the
// combination is clearly more concentrated, so the sentence stays as simple as the data allows.
// Groups of work only, never people.
import { formatRatio } from "~/domain/drift";
import type { DimensionId, SizingScheme } from "~/domain/sizing-scheme";

export interface MissStory {
  levels: Record<DimensionId, string | null>;
  expected: number | null;
  actual: number | null;
}

export type MissGrouping = DimensionId | "intensity×autonomy";

export interface MissGroup {
  key: string;
  label: string;
  stories: number;
  expected: number;
  actual: number;
  /** actual − expected, credits. */
  excess: number;
  /** This group's excess ÷ the sprint's net excess (may exceed 1 when other groups ran under). */
  share: number;
  /** share − the group's share of the expected credits: how concentrated the drift is here. */
  lift: number;
}

export interface MissExplanation {
  direction: "over" | "under";
  /** Net actual − expected over the compared stories. */
  excess: number;
  expected: number;
  actual: number;
  stories: number;
  grouping: MissGrouping;
  groupingLabel: string;
  /** The chosen grouping's groups, the most concentrated part of the drift first. */
  groups: MissGroup[];
  sentence: string;
  /**
   * Which part of the sizing scheme would take this drift if it repeats: the cost table's row or
   * column, or the risk level's median factor (the recalibration fits both).
   */
  schemePart: string;
}

const GROUPING_LABELS: Record<MissGrouping, string> = {
  intensity: "Model intensity",
  autonomy: "Autonomy level",
  risk: "Budget risk",
  "intensity×autonomy": "Intensity × autonomy",
};
/** Below this net drift (share of the expected total) there is nothing to explain. */
const MIN_DRIFT = 0.1;
const COMBINATION_MARGIN = 0.05;

export function explainMisses(stories: readonly MissStory[], scheme: SizingScheme): MissExplanation | null {
  const compared = stories.filter(
    (s): s is MissStory & { expected: number; actual: number } =>
      s.expected !== null &&
      s.actual !== null &&
      s.expected > 0 &&
      Number.isFinite(s.actual) &&
      Number.isFinite(s.expected),
  );
  const expected = compared.reduce((a, s) => a + s.expected, 0);
  const actual = compared.reduce((a, s) => a + s.actual, 0);
  const excess = actual - expected;
  if (compared.length < 3 || !(expected > 0) || Math.abs(excess) < MIN_DRIFT * expected) return null;
  const direction = excess > 0 ? "over" : "under";
  const label = (d: DimensionId, id: string | null) =>
    id === null ? "“?”" : (scheme[d].find((l) => l.id === id)?.label ?? id);

  const groupBy = (grouping: MissGrouping): MissGroup[] => {
    const map = new Map<string, MissGroup>();
    for (const s of compared) {
      const key =
        grouping === "intensity×autonomy"
          ? `${s.levels.intensity ?? "?"}|${s.levels.autonomy ?? "?"}`
          : (s.levels[grouping] ?? "?");
      const name =
        grouping === "intensity×autonomy"
          ? `${label("intensity", s.levels.intensity)} × ${label("autonomy", s.levels.autonomy)}`
          : label(grouping, s.levels[grouping]);
      const g = map.get(key) ?? { key, label: name, stories: 0, expected: 0, actual: 0, excess: 0, share: 0, lift: 0 };
      g.stories++;
      g.expected += s.expected;
      g.actual += s.actual;
      g.excess = g.actual - g.expected;
      map.set(key, g);
    }
    return [...map.values()]
      .map((g) => ({ ...g, share: g.excess / excess, lift: g.excess / excess - g.expected / expected }))
      .sort((a, b) => b.lift - a.lift || a.label.localeCompare(b.label));
  };

  const candidates = (["intensity", "autonomy", "risk", "intensity×autonomy"] as const).map((grouping) => ({
    grouping,
    groups: groupBy(grouping),
  }));
  const single = candidates.slice(0, 3).reduce((best, c) => (c.groups[0]!.lift > best.groups[0]!.lift ? c : best));
  const combo = candidates[3]!;
  const chosen = combo.groups[0]!.lift > single.groups[0]!.lift + COMBINATION_MARGIN ? combo : single;
  const top = chosen.groups[0]!;
  const word = direction === "over" ? "overrun" : "underrun";
  const pct = Math.round(Math.min(1, top.share) * 100);
  const ratio = top.expected > 0 ? `, which ran ${formatRatio(top.actual / top.expected)}× their estimate` : "";
  const what = `${top.label} stories (${top.stories} of ${compared.length}${ratio})`;
  const others = direction === "over" ? "ran under" : "ran over";
  const sentence =
    top.share > 1
      ? `The ${word} is all in ${what}; the other stories together ${others}.`
      : top.share >= 0.5
        ? `Most of the ${word} (${pct} %) is in ${what}.`
        : `The ${word} is spread out; the largest part (${pct} %) is in ${what}.`;
  return {
    direction,
    excess,
    expected,
    actual,
    stories: compared.length,
    grouping: chosen.grouping,
    groupingLabel: GROUPING_LABELS[chosen.grouping],
    groups: chosen.groups,
    sentence,
    schemePart: schemePartFor(chosen.grouping, top.label),
  };
}

function schemePartFor(grouping: MissGrouping, label: string): string {
  const part =
    grouping === "risk"
      ? `the median factor of ${label} risk`
      : grouping === "intensity×autonomy"
        ? `the cost table's ${label} cell`
        : `the cost table's ${label} ${grouping === "intensity" ? "row" : "column"}`;
  return `If it repeats, the recalibration on the Insights page moves ${part}.`;
}
