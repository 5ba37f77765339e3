import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialRanks, rankBetween } from "~/domain/ranks";

const VALID_RANK = /^[0-9a-z]*[1-9a-z]$/;

/** Plain JS comparison: equals byte order (`COLLATE "C"`) for ASCII. */
const byteSorted = (ranks: string[]) => [...ranks].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Insert into a list kept in intended order, taking the neighbours' ranks at `position`. */
function insertAt(list: string[], position: number): string {
  const index = Math.min(position, list.length);
  const rank = rankBetween(list[index - 1] ?? null, list[index] ?? null);
  list.splice(index, 0, rank);
  return rank;
}

function expectOrderedAndValid(list: string[]) {
  expect(byteSorted(list)).toEqual(list);
  expect(new Set(list).size).toBe(list.length);
  for (const rank of list) expect(rank).toMatch(VALID_RANK);
}

describe("rankBetween", () => {
  it("starts in the middle of the range and steps at the open ends", () => {
    expect(rankBetween(null, null)).toBe("i");
    expect(rankBetween("i", null)).toBe("j");
    expect(rankBetween(null, "i")).toBe("h");
    expect(rankBetween("z", null)).toBe("z1");
    expect(rankBetween(null, "1")).toBe("0z");
    expect(rankBetween(null, "01")).toBe("00z");
    expect(rankBetween(null, "1z")).toBe("1");
  });

  it("takes the midpoint between neighbours and grows only when the gap is used up", () => {
    expect(rankBetween("a", "k")).toBe("f");
    expect(rankBetween("a", "b")).toBe("ai");
    expect(rankBetween("h", "iz")).toBe("i");
    expect(rankBetween("a", "a1")).toBe("a0i");
  });

  it("throws when before is not before after, or a rank is malformed", () => {
    expect(() => rankBetween("b", "a")).toThrow(RangeError);
    expect(() => rankBetween("a", "a")).toThrow(RangeError);
    expect(() => rankBetween("", null)).toThrow(RangeError);
    expect(() => rankBetween("a0", null)).toThrow(RangeError);
    expect(() => rankBetween(null, "A")).toThrow(RangeError);
  });

  const rank = fc.stringMatching(/^[0-9a-z]{0,6}[1-9a-z]$/);

  it("is strictly between any two ranks, and valid", () => {
    fc.assert(
      fc.property(rank, rank, (x, y) => {
        fc.pre(x !== y);
        const [a, b] = x < y ? [x, y] : [y, x];
        const mid = rankBetween(a, b);
        expect(a < mid && mid < b).toBe(true);
        expect(mid).toMatch(VALID_RANK);
      }),
    );
  });

  it("is after / before any rank at an open end", () => {
    fc.assert(
      fc.property(rank, (r) => {
        expect(rankBetween(r, null) > r).toBe(true);
        expect(rankBetween(null, r) < r).toBe(true);
        expect(rankBetween(r, null)).toMatch(VALID_RANK);
        expect(rankBetween(null, r)).toMatch(VALID_RANK);
      }),
    );
  });

  it("keeps random inserts at random positions in intended order with unique ranks", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 300 }), (positions) => {
        const list: string[] = [];
        for (const position of positions) insertAt(list, position % (list.length + 1));
        expectOrderedAndValid(list);
      }),
    );
  });

  it("keeps random inserts into a seeded backlog in order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.array(fc.nat(), { maxLength: 200 }), (n, positions) => {
        const list = initialRanks(n);
        for (const position of positions) insertAt(list, position % (list.length + 1));
        expectOrderedAndValid(list);
      }),
    );
  });

  describe("1000 inserts at the same spot keep keys short", () => {
    const longest = (list: string[]) => Math.max(...list.map((r) => r.length));

    it("at the front", () => {
      const list = ["i"];
      for (let i = 0; i < 1000; i++) insertAt(list, 0);
      expectOrderedAndValid(list);
      expect(longest(list)).toBeLessThan(40);
    });

    it("at the end", () => {
      const list = ["i"];
      for (let i = 0; i < 1000; i++) insertAt(list, list.length);
      expectOrderedAndValid(list);
      expect(longest(list)).toBeLessThan(40);
    });

    it("always right after the same item", () => {
      const list = ["h", "i"];
      for (let i = 0; i < 1000; i++) insertAt(list, 1);
      expectOrderedAndValid(list);
      expect(longest(list)).toBeLessThan(300);
    });

    it("always right before the same item", () => {
      const list = ["h", "i"];
      for (let i = 0; i < 1000; i++) insertAt(list, list.length - 1);
      expectOrderedAndValid(list);
      expect(longest(list)).toBeLessThan(300);
    });

    it("alternating sides of the same gap", () => {
      const list = ["h", "i"];
      for (let i = 0; i < 1000; i++) insertAt(list, Math.floor(list.length / 2));
      expectOrderedAndValid(list);
      expect(longest(list)).toBeLessThan(300);
    });
  });
});

describe("initialRanks", () => {
  it("gives short, evenly spread ranks", () => {
    expect(initialRanks(0)).toEqual([]);
    expect(initialRanks(1)).toEqual(["i"]);
    expect(initialRanks(3)).toEqual(["9", "i", "r"]);
    expect(initialRanks(35)).toHaveLength(35);
    expect(initialRanks(35).every((r) => r.length === 1)).toBe(true);
    expect(Math.max(...initialRanks(1000).map((r) => r.length))).toBe(2);
  });

  it("is increasing, unique and valid for any count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), (n) => {
        const ranks = initialRanks(n);
        expect(ranks).toHaveLength(n);
        expectOrderedAndValid(ranks);
      }),
      { numRuns: 30 },
    );
  });

  it("rejects a negative or fractional count", () => {
    expect(() => initialRanks(-1)).toThrow(RangeError);
    expect(() => initialRanks(1.5)).toThrow(RangeError);
  });
});
