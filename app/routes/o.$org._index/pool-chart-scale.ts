// The pool chart's y axis. Scaled to the pool, the month's spend sat on the floor of the chart (259
// credits on day 1 under a 22,800 pool: 1 % of the height) and the projection at a fifth of it, so
// the picture said nothing. The axis is scaled to the spend and the projection; a reference line (the
// pool, the pool plus overage) close enough to matter is on that scale, one far above sits in a band
// over a break in the axis, drawn at no scale but labelled with its value.

export interface Reference {
  key: "pool" | "ceiling";
  label: string;
  value: number;
}

export interface PoolChartScale {
  /** Top of the linear part of the axis. */
  max: number;
  ticks: number[];
  /** Drawn on the linear scale. */
  onScale: Reference[];
  /** Drawn in the band above the break, lowest first. */
  offScale: Reference[];
}

/** A reference line further above the month's burn than this many times it goes above the break. */
export const OFF_SCALE_FACTOR = 1.5;

export function poolChartScale(input: { burnTop: number; pool: number; ceiling: number }): PoolChartScale {
  const refs: Reference[] = [{ key: "pool", label: "Pool", value: input.pool }];
  if (input.ceiling > input.pool) refs.push({ key: "ceiling", label: "Pool + overage", value: input.ceiling });
  // No spend and no projection yet (a month to come): the pool is all there is to show.
  const burnTop = Math.max(0, input.burnTop);
  const near = (r: Reference) => burnTop <= 0 || r.value <= burnTop * OFF_SCALE_FACTOR;
  const onScale = refs.filter(near);
  const offScale = refs.filter((r) => !near(r));
  const max = Math.max(burnTop, ...onScale.map((r) => r.value), 1) * 1.08;
  const step = niceStep(max / 4);
  const ticks: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return { max, ticks, onScale, offScale };
}

/** 1, 2, 2.5 or 5 × a power of ten, at most `value`'s size (axis steps). */
function niceStep(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  let best = power;
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power <= value) best = m * power;
  return best;
}
