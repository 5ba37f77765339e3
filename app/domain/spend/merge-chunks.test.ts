// The merge's chunk plan (issue 15, item 6): every staged row in exactly one chunk, chunks near the
// asked size, and rows that may repeat each other (or be numbered among each other) in one bucket.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecimalSum, MERGE_BUCKETS, mergeBucket, planMergeChunks } from "~/domain/spend/merge-chunks";

describe("merge chunks", () => {
  it("puts a key and its numbered occurrences in one bucket", () => {
    const base = "copilot|2026-11-24|dana-k|Claude Sonnet 4.6|copilot_ai_credit";
    expect(mergeBucket(`${base}#1`)).toBe(mergeBucket(`${base}#2`));
    expect(mergeBucket(`${base}#17`)).toBe(mergeBucket(base));
    expect(mergeBucket("x")).toBeGreaterThanOrEqual(0);
    expect(mergeBucket("x")).toBeLessThan(MERGE_BUCKETS);
  });

  it("spreads keys over the buckets", () => {
    const used = new Set(Array.from({ length: 20_000 }, (_, i) => mergeBucket(`key-${i}`)));
    expect(used.size).toBeGreaterThan(MERGE_BUCKETS * 0.9);
  });

  it("covers every non-empty bucket exactly once, in order, each chunk within the size unless one bucket is larger", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.nat(50), fc.nat(5000)), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 3000 }),
        (counts, size) => {
          const chunks = planMergeChunks(counts, size);
          const covered = counts.map(() => 0);
          let previousTo = -1;
          for (const chunk of chunks) {
            expect(chunk.from).toBeGreaterThan(previousTo);
            expect(chunk.to).toBeGreaterThanOrEqual(chunk.from);
            previousTo = chunk.to;
            let rows = 0;
            for (let b = chunk.from; b <= chunk.to; b++) {
              covered[b]!++;
              rows += counts[b]!;
            }
            expect(chunk.rows).toBe(rows);
            expect(rows).toBeGreaterThan(0);
            if (chunk.from !== chunk.to) expect(rows).toBeLessThanOrEqual(size);
          }
          counts.forEach((n, b) => n > 0 && expect(covered[b], `bucket ${b}`).toBe(1));
          expect(chunks.reduce((sum, c) => sum + c.rows, 0)).toBe(counts.reduce((a, b) => a + b, 0));
        },
      ),
    );
  });

  it("makes one chunk of everything when the size allows, and none of nothing", () => {
    expect(planMergeChunks([0, 3, 0, 4, 0], 100)).toEqual([{ from: 1, to: 3, rows: 7 }]);
    expect(planMergeChunks([0, 0], 100)).toEqual([]);
    expect(planMergeChunks([5, 5, 5], 10)).toEqual([
      { from: 0, to: 1, rows: 10 },
      { from: 2, to: 2, rows: 5 },
    ]);
  });

  it("adds the chunks' decimal sums exactly, where floats would drift in the ninth decimal", () => {
    const sum = new DecimalSum();
    let float = 0;
    for (let i = 0; i < 100; i++) {
      sum.add("41617.79443");
      float += 41617.79443;
    }
    expect(sum.toNumber()).toBe(4161779.443);
    expect(float).not.toBe(4161779.443);
    const mixed = new DecimalSum();
    for (const v of ["-0.5", "2", ".25", "0.000000000001", null, 1.5]) mixed.add(v);
    expect(mixed.toNumber()).toBe(3.250000000001);
    expect(() => mixed.add("1e5")).toThrow();
  });
});
