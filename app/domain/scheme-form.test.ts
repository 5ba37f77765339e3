import { describe, expect, it } from "vitest";
import { errorsByField, schemeField, schemeFormValues, schemeFromForm } from "~/domain/scheme-form";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";

describe("scheme form", () => {
  it("reads the unchanged form back into the same scheme", () => {
    const { scheme, errors } = schemeFromForm(DEFAULT_SCHEME, schemeFormValues(DEFAULT_SCHEME));
    expect(errors).toEqual([]);
    expect(scheme).toEqual(DEFAULT_SCHEME);
  });

  it("reads the risk median factors, and leaves them out while they are all 1", () => {
    const values = { ...schemeFormValues(DEFAULT_SCHEME), [schemeField.riskMedian(2)]: "1.2" };
    const { scheme, errors } = schemeFromForm(DEFAULT_SCHEME, values);
    expect(errors).toEqual([]);
    expect(scheme.riskMedian).toEqual([1, 1, 1.2]);
    // The defaults have none; an unchanged form must not add [1, 1, 1] (a new version for nothing).
    expect(schemeFormValues(DEFAULT_SCHEME)[schemeField.riskMedian(0)]).toBe("1");
    expect("riskMedian" in schemeFromForm(DEFAULT_SCHEME, schemeFormValues(DEFAULT_SCHEME)).scheme).toBe(false);
    const zero = { ...schemeFormValues(DEFAULT_SCHEME), [schemeField.riskMedian(0)]: "0" };
    expect(errorsByField(schemeFromForm(DEFAULT_SCHEME, zero).errors)[schemeField.riskMedian(0)]).toMatch(
      /between 0.1 and 10/,
    );
  });

  it("starts each band where the previous one ends and leaves the last open", () => {
    const values = {
      ...schemeFormValues(DEFAULT_SCHEME),
      [schemeField.bandHigh(0)]: "30",
      [schemeField.bandHigh(3)]: "2,000",
    };
    const { scheme, errors } = schemeFromForm(DEFAULT_SCHEME, values);
    expect(errors).toEqual([]);
    expect(scheme.bands.map((b) => [b.low, b.high])).toEqual([
      [0, 30],
      [30, 100],
      [100, 400],
      [400, 2000],
      [2000, null],
    ]);
  });

  it("puts each problem on the input that causes it", () => {
    const values = {
      ...schemeFormValues(DEFAULT_SCHEME),
      [schemeField.base(1, 2)]: "10", // below its left neighbour (50) and the cell above (40)
      [schemeField.multiplier(0)]: "0.5",
      [schemeField.bandHigh(1)]: "20", // below the band's start (25)
      [schemeField.levelLabel("risk", 2)]: " ",
      [schemeField.base(0, 0)]: "five",
    };
    const byField = errorsByField(schemeFromForm(DEFAULT_SCHEME, values).errors);
    expect(byField[schemeField.base(1, 2)]).toBe(
      "Standard × Delegate (10) must not cost less than Light × Delegate (40)",
    );
    expect(byField[schemeField.base(0, 0)]).toBe("Light × Assist must be a number of credits above 0");
    expect(byField[schemeField.multiplier(0)]).toBe("The p80 multiplier for Low risk must be 1 or more");
    expect(byField[schemeField.bandHigh(1)]).toBe("Band S must end above where it starts (25)");
    expect(byField[schemeField.levelLabel("risk", 2)]).toBe('Give the level "high" a label');
  });

  it("flags an empty upper edge of a middle band on it", () => {
    const values = { ...schemeFormValues(DEFAULT_SCHEME), [schemeField.bandHigh(2)]: "" };
    const byField = errorsByField(schemeFromForm(DEFAULT_SCHEME, values).errors);
    expect(byField[schemeField.bandHigh(2)]).toBe("Band M must end at a number of credits");
  });
});
