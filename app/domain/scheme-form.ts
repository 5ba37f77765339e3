// The sizing-scheme editor's form, read back into a scheme. Field names are the scheme paths that
// validateScheme reports ("base[1][2]", "bands[0].high", "risk[2].label"), so each error lands next
// to the input it is about. The shape (which levels exist, how many bands) comes from the current
// scheme: the editor changes numbers and words, never level ids, which old votes and estimates use.

import { riskMedianAt, validateScheme, type SchemeError } from "~/domain/sizing";
import { CONTROL_MESSAGE, MAX_CREDITS, hasBlockControl, hasLineControl } from "~/domain/form-fields";
import { DIMENSIONS, type DimensionId, type SizingScheme } from "~/domain/sizing-scheme";

export const schemeField = {
  levelLabel: (d: DimensionId, i: number) => `${d}[${i}].label`,
  levelDescription: (d: DimensionId, i: number) => `${d}[${i}].description`,
  base: (i: number, j: number) => `base[${i}][${j}]`,
  multiplier: (i: number) => `p80Multiplier[${i}]`,
  riskMedian: (i: number) => `riskMedian[${i}]`,
  bandLabel: (i: number) => `bands[${i}].label`,
  bandHigh: (i: number) => `bands[${i}].high`,
  bandLow: (i: number) => `bands[${i}].low`,
};

/** The text an input shows for a scheme value (what the form would submit unchanged). */
export function schemeFormValues(scheme: SizingScheme): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { id } of DIMENSIONS) {
    scheme[id].forEach((level, i) => {
      values[schemeField.levelLabel(id, i)] = level.label;
      values[schemeField.levelDescription(id, i)] = level.description;
    });
  }
  scheme.base.forEach((row, i) => row.forEach((cost, j) => (values[schemeField.base(i, j)] = String(cost))));
  scheme.p80Multiplier.forEach((m, i) => (values[schemeField.multiplier(i)] = String(m)));
  scheme.risk.forEach((_, i) => (values[schemeField.riskMedian(i)] = String(riskMedianAt(scheme, i))));
  scheme.bands.forEach((band, i) => {
    values[schemeField.bandLabel(i)] = band.label;
    if (band.high !== null) values[schemeField.bandHigh(i)] = String(band.high);
  });
  return values;
}

const TOO_LARGE = `At most ${MAX_CREDITS.toLocaleString("en-US")} credits`;
/** A p80 multiplier past this is no estimate. */
const MAX_MULTIPLIER = 100;

/** "1,500" and " 150 " read as numbers; anything else (empty included) is NaN for the validator. */
function readNumber(text: string | undefined): number {
  const cleaned = (text ?? "").trim().replace(/[,_\s]/g, "");
  return cleaned === "" ? Number.NaN : Number(cleaned);
}

/**
 * The scheme the form describes, and every problem with it. Each band starts where the one before
 * ends (the editor only asks for upper edges), so bands are contiguous by construction; the last
 * band has no upper edge.
 */
export function schemeFromForm(
  shape: SizingScheme,
  values: Record<string, string | undefined>,
): { scheme: SizingScheme; errors: SchemeError[] } {
  const errors: SchemeError[] = [];
  const levels = (d: DimensionId) =>
    shape[d].map((level, i) => {
      const label = (values[schemeField.levelLabel(d, i)] ?? level.label).trim();
      const description = (values[schemeField.levelDescription(d, i)] ?? level.description).trim();
      if (!label) errors.push({ path: schemeField.levelLabel(d, i), message: `Give the level "${level.id}" a label` });
      else if (hasLineControl(label)) errors.push({ path: schemeField.levelLabel(d, i), message: CONTROL_MESSAGE });
      if (hasBlockControl(description))
        errors.push({ path: schemeField.levelDescription(d, i), message: CONTROL_MESSAGE });
      else if (label.length > 40)
        errors.push({ path: schemeField.levelLabel(d, i), message: "Keep labels to 40 characters" });
      if (description.length > 200)
        errors.push({ path: schemeField.levelDescription(d, i), message: "Keep descriptions to 200 characters" });
      return { id: level.id, label, description };
    });

  let low = 0;
  const bands = shape.bands.map((band, i) => {
    const isLast = i === shape.bands.length - 1;
    const high = isLast ? null : readNumber(values[schemeField.bandHigh(i)]);
    const label = (values[schemeField.bandLabel(i)] ?? band.label).trim().slice(0, 12);
    if (hasLineControl(label)) errors.push({ path: schemeField.bandLabel(i), message: CONTROL_MESSAGE });
    if (high !== null && high > MAX_CREDITS) errors.push({ path: schemeField.bandHigh(i), message: TOO_LARGE });
    const result = { label, low, high };
    // An unreadable edge already has its own error; the next band then starts where this one does.
    if (high !== null && Number.isFinite(high)) low = high;
    return result;
  });

  // A form without the median factors (one rendered before they existed) keeps the current ones.
  const riskMedian = shape.risk.map((_, i) => {
    const text = values[schemeField.riskMedian(i)];
    return text === undefined ? riskMedianAt(shape, i) : readNumber(text);
  });
  const scheme: SizingScheme = {
    intensity: levels("intensity"),
    autonomy: levels("autonomy"),
    risk: levels("risk"),
    base: shape.intensity.map((_, i) => shape.autonomy.map((_, j) => readNumber(values[schemeField.base(i, j)]))),
    p80Multiplier: shape.risk.map((_, i) => readNumber(values[schemeField.multiplier(i)])),
    // All 1 is the same as none: left out, so a scheme saved unchanged stays the same version.
    ...(shape.riskMedian || riskMedian.some((f) => f !== 1) ? { riskMedian } : {}),
    bands,
  };
  // Ceilings the validator does not know: a cost times a multiplier must stay a sane number of credits.
  scheme.base.forEach((row, i) =>
    row.forEach((cost, j) => {
      if (cost > MAX_CREDITS) errors.push({ path: schemeField.base(i, j), message: TOO_LARGE });
    }),
  );
  scheme.p80Multiplier.forEach((m, i) => {
    if (m > MAX_MULTIPLIER) errors.push({ path: schemeField.multiplier(i), message: `At most ×${MAX_MULTIPLIER}` });
  });
  // In the order of the page: cost table, multipliers, bands, then level names.
  return { scheme, errors: [...validateScheme(scheme), ...errors] };
}

/** Errors keyed by field name, first message per field, for showing them in place. */
export function errorsByField(errors: SchemeError[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const e of errors) {
    // A band that cannot start where it should is about the edge above it, which the user typed.
    const match = /^bands\[(\d+)\]\.low$/.exec(e.path);
    const path = match && Number(match[1]) > 0 ? schemeField.bandHigh(Number(match[1]) - 1) : e.path;
    byField[path] ??= e.message;
  }
  return byField;
}
