import { describe, expect, it } from "vitest";
import { poolChartScale } from "./pool-chart-scale";

describe("pool chart scale", () => {
  it("scales to the spend and projection and puts a pool far above them over the break (the demo's month)", () => {
    const s = poolChartScale({ burnTop: 5960, pool: 22800, ceiling: 24800 });
    expect(s.onScale).toEqual([]);
    expect(s.offScale.map((r) => [r.key, r.value])).toEqual([
      ["pool", 22800],
      ["ceiling", 24800],
    ]);
    expect(5960 / s.max).toBeGreaterThan(0.9);
    expect(s.ticks).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000]);
  });

  it("keeps a pool the projection comes near on the scale, and an overage budget far above over the break", () => {
    const s = poolChartScale({ burnTop: 9000, pool: 10000, ceiling: 20000 });
    expect(s.onScale.map((r) => r.key)).toEqual(["pool"]);
    expect(s.offScale.map((r) => r.key)).toEqual(["ceiling"]);
    expect(s.max).toBeCloseTo(10800);
  });

  it("scales to the pool when there is nothing spent or projected yet", () => {
    const s = poolChartScale({ burnTop: 0, pool: 5000, ceiling: 5000 });
    expect(s.onScale.map((r) => r.key)).toEqual(["pool"]);
    expect(s.offScale).toEqual([]);
    expect(s.max).toBeCloseTo(5400);
  });
});
