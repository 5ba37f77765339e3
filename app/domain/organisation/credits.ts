// Credit amounts at organisation level are kept to two decimals (hundredths of a credit), the
// precision of a `numeric` column a finance report shows. Floating point cannot add 0.1 + 0.2
// exactly, so every split that must add up (allocations by percentage, a sprint across months)
// is done in whole hundredths and only converted back to numbers at the end.

/** Largest amount accepted anywhere in organisation arithmetic: far above any real pool, far below
 * where doubles stop representing hundredths exactly (2^53 / 100 ≈ 9e13). */
export const MAX_CREDITS = 1e12;

/** Credits → whole hundredths, rounding half away from zero. Throws on NaN, ±Infinity, > MAX_CREDITS. */
export function toHundredths(credits: number): number {
  assertFiniteCredits("Credits", credits, { allowNegative: true });
  // Rounding the product alone misreads 1.005 (stored as 1.00499…); the epsilon nudges such
  // values to the decimal a person typed.
  const scaled = Math.abs(credits) * 100;
  const rounded = Math.round(scaled + scaled * Number.EPSILON * 4);
  return credits < 0 ? -rounded : rounded;
}

export function fromHundredths(hundredths: number): number {
  return hundredths / 100;
}

/** `x` rounded to two decimals (the value a `numeric(…, 2)` column would store). */
export function roundCredits(credits: number): number {
  return fromHundredths(toHundredths(credits));
}

/** Exact sum of amounts, each first rounded to hundredths: the sum a finance total must show. */
export function sumCredits(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += toHundredths(v);
  return fromHundredths(total);
}

/**
 * Splits `totalHundredths` into parts proportional to `weights`, in whole hundredths, so that the
 * parts add up to exactly the total (largest-remainder method: every part gets its floor, then
 * the hundredths left over go one each to the parts with the largest fractional remainders; ties
 * go to the earlier part, so the result is deterministic). All weights 0 → everything to part 0.
 */
export function distributeHundredths(totalHundredths: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(totalHundredths) || totalHundredths < 0) {
    throw new RangeError(`Total must be whole hundredths ≥ 0, got ${totalHundredths}`);
  }
  if (weights.length === 0) {
    if (totalHundredths !== 0) throw new RangeError("Cannot distribute a non-zero total over no parts");
    return [];
  }
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`Weights must be finite and ≥ 0, got ${w}`);
  }
  const weightSum = weights.reduce((a, b) => a + b, 0);
  if (weightSum === 0) return weights.map((_, i) => (i === 0 ? totalHundredths : 0));

  const exact = weights.map((w) => (totalHundredths * w) / weightSum);
  const parts = exact.map((x) => Math.floor(x));
  let left = totalHundredths - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, remainder: x - Math.floor(x) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  // `left` is at most weights.length - 1 in exact arithmetic; float noise can make the floors sum
  // one short or long, so loop (and clamp) instead of trusting a single pass.
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k]!.i]! += 1;
  for (let k = order.length - 1; left < 0; k = (k - 1 + order.length) % order.length) {
    const i = order[k]!.i;
    if (parts[i]! > 0) {
      parts[i]! -= 1;
      left++;
    }
  }
  return parts;
}

export function assertFiniteCredits(name: string, value: number, options: { allowNegative?: boolean } = {}): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${String(value)}`);
  }
  if (!options.allowNegative && value < 0) throw new RangeError(`${name} must be ≥ 0, got ${value}`);
  if (Math.abs(value) > MAX_CREDITS) {
    throw new RangeError(`${name} must be at most ${MAX_CREDITS.toExponential()} credits, got ${value}`);
  }
}
