// The sizing scheme is team data, not code: this file only describes its shape and the defaults a
// new team starts from. Arithmetic on it lives in sizing.ts.

export type DimensionId = "intensity" | "autonomy" | "risk";

export interface Level {
  id: string;
  label: string;
  description: string;
}

export interface Band {
  label: string;
  /** Inclusive lower edge in credits. */
  low: number;
  /** Exclusive upper edge in credits; null for the open-ended top band. */
  high: number | null;
}

export interface SizingScheme {
  intensity: Level[];
  autonomy: Level[];
  risk: Level[];
  /** base[intensityIndex][autonomyIndex] = expected credits. */
  base: number[][];
  /** p80 multiplier per risk level, same order as `risk`. */
  p80Multiplier: number[];
  /**
   * Median cost factor per risk level, same order as `risk`: expected credits =
   * base[intensity][autonomy] × riskMedian[risk]. Riskier work retries more, so it can cost more in
   * the median too, not only in the spread; the recalibration fits these. Absent (schemes saved
   * before it existed, and the defaults) means 1 for every level: risk leaves the expected alone.
   */
  riskMedian?: number[];
  /** Contiguous, increasing, half-open bands; the first starts at 0, the last is open-ended. */
  bands: Band[];
}

export const DIMENSIONS: { id: DimensionId; label: string }[] = [
  { id: "intensity", label: "Model intensity" },
  { id: "autonomy", label: "Autonomy level" },
  { id: "risk", label: "Budget risk" },
];

export const DEFAULT_SCHEME: SizingScheme = {
  intensity: [
    { id: "light", label: "Light", description: "Haiku / mini / Flash class models" },
    { id: "standard", label: "Standard", description: "Sonnet / GPT-5.x class models" },
    { id: "frontier", label: "Frontier", description: "Opus / top-class models" },
    { id: "frontier-max", label: "Frontier max", description: "Top model at high reasoning effort" },
  ],
  autonomy: [
    { id: "assist", label: "Assist", description: "Chat or inline; a human drives" },
    { id: "pair", label: "Pair", description: "Agent proposes, a human approves each step" },
    { id: "delegate", label: "Delegate", description: "Agent runs multi-step with checkpoints, opens a PR" },
    { id: "autonomous", label: "Autonomous", description: "Long-running or parallel agents, little supervision" },
  ],
  risk: [
    { id: "low", label: "Low", description: "Narrow task, known files" },
    { id: "medium", label: "Medium", description: "Several files, a few test loops" },
    { id: "high", label: "High", description: "Ambiguous, cross-repo, exploratory; retries likely" },
  ],
  base: [
    [5, 15, 40, 100],
    [15, 50, 150, 400],
    [40, 120, 400, 1000],
    [80, 250, 800, 2000],
  ],
  p80Multiplier: [1.5, 2.5, 5],
  bands: [
    { label: "XS", low: 0, high: 25 },
    { label: "S", low: 25, high: 100 },
    { label: "M", low: 100, high: 400 },
    { label: "L", low: 400, high: 1500 },
    { label: "XL", low: 1500, high: null },
  ],
};
