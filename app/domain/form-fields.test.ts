import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BlockText,
  Checkbox,
  Credits,
  Id,
  IdList,
  IsoDay,
  isIsoDay,
  LineText,
  OptionalId,
  OptionalSlug,
  Password,
  queryDay,
  queryText,
  safeSum,
  sortParam,
  Tokens,
} from "~/domain/form-fields";

describe("text fields", () => {
  it("refuse NUL and other control characters in one-line text, keep line breaks in blocks", () => {
    for (const bad of ["a\u0000b", "\u0000", "x\u001b[2J", "a\nb", "a\tb", "a\u007fb", "a\u0085b", "a\u2028b"]) {
      expect(LineText.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(LineText.parse("  Dana Kim  ")).toBe("Dana Kim");
    expect(BlockText.parse("line one\n\tline two\r\n")).toBe("line one\n\tline two");
    for (const bad of ["a\u0000b", "x\u001b[2J", "a\u0007"]) expect(BlockText.safeParse(bad).success).toBe(false);
    expect(Password.safeParse("long password\u0000").success).toBe(false);
    expect(Password.parse("  spaces count  ")).toBe("  spaces count  ");
  });

  it("never lets a NUL byte through any text schema, whatever surrounds it", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const text = `${a}\u0000${b}`;
        for (const schema of [LineText, BlockText, Password]) expect(schema.safeParse(text).success).toBe(false);
        expect(queryText(1_000).parse(text)).toBeUndefined();
      }),
    );
  });
});

describe("ids and checkboxes", () => {
  it("take positive whole numbers a bigint column holds", () => {
    expect(Id.parse("42")).toBe(42);
    for (const bad of ["0", "-1", "1.5", "abc", "", "99999999999999999999", "Infinity", "NaN"])
      expect(Id.safeParse(bad).success, bad).toBe(false);
    expect(OptionalId.parse("")).toBeNull();
    expect(OptionalId.parse(undefined)).toBeNull();
    expect(IdList.parse(undefined)).toEqual([]);
    expect(IdList.parse("3")).toEqual([3]);
    expect(IdList.parse(["3", "4"])).toEqual([3, 4]);
  });

  it("has one checkbox: on, true or 1 is ticked; anything else is not", () => {
    for (const on of ["on", "true", "1"]) expect(Checkbox.parse(on)).toBe(true);
    for (const off of [undefined, "", "off", "false", "0", "yes", ["on", "on"]])
      expect(Checkbox.parse(off)).toBe(false);
  });
});

describe("days", () => {
  it("accept real days from 2000 to 2100 only", () => {
    expect(IsoDay.parse("2026-11-24")).toBe("2026-11-24");
    expect(isIsoDay("2000-01-01") && isIsoDay("2100-12-31") && isIsoDay("2028-02-29")).toBe(true);
    for (const bad of [
      "2026-13-45",
      "2026-02-30",
      "2027-02-29",
      "0000-00-00",
      "9999-12-31",
      "1999-12-31",
      "2101-01-01",
      "-271821-04-19",
      "2026-1-1",
      "2026-11-24T00:00:00Z",
    ]) {
      expect(isIsoDay(bad), bad).toBe(false);
    }
    expect(queryDay.parse("2026-13-45")).toBeUndefined();
  });
});

describe("amounts and sums", () => {
  it("cap credits at a billion and tokens at a trillion per entry", () => {
    expect(Credits.safeParse(1e9).success).toBe(true);
    for (const bad of [1.7e308, 1e9 + 1, -1, Infinity, NaN])
      expect(Credits.safeParse(bad).success, String(bad)).toBe(false);
    expect(Tokens.safeParse(1e12).success).toBe(true);
    expect(Tokens.safeParse(1e12 + 1).success).toBe(false);
  });

  it("sum to a finite number whatever the rows hold", () => {
    expect(safeSum([1, 2, null, undefined, NaN, Infinity, 3])).toBe(6);
    expect(safeSum([Number.MAX_VALUE, Number.MAX_VALUE])).toBe(0);
    fc.assert(fc.property(fc.array(fc.double()), (xs) => Number.isFinite(safeSum(xs))));
  });
});

describe("sort parameters", () => {
  const sort = sortParam(["title", "credits"] as const);
  it("take whitelisted columns only, and fall back to the default on anything else", () => {
    expect(sort.parse("title")).toEqual({ id: "title", desc: false });
    expect(sort.parse("credits.desc")).toEqual({ id: "credits", desc: true });
    for (const bad of [undefined, "", "password", "title; drop table", "__proto__", "x".repeat(5_000)])
      expect(sort.parse(bad)).toBeNull();
  });
});

describe("addresses", () => {
  it("take an optional team or organisation address, lowercased, 3–40 letters, digits or dashes", () => {
    expect(OptionalSlug.parse("")).toBeUndefined();
    expect(OptionalSlug.parse(undefined)).toBeUndefined();
    expect(OptionalSlug.parse("  Acme-Eng ")).toBe("acme-eng");
    for (const bad of ["ab", "-acme", "acme-", "ac me", "a".repeat(41), "acme\u0000"])
      expect(OptionalSlug.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
