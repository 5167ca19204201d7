/** Small statistics for benchmark reports. */

/**
 * The median of `values` (the mean of the two middle ones for an even count).
 * @throws Error when `values` is empty.
 */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The `p`-th percentile of `values` (0 ≤ p ≤ 100), nearest rank: the smallest value with at
 * least p % of the values at or below it.
 * @throws Error when `values` is empty.
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * The least-squares slope of `ys` over `xs` (change of y per unit of x).
 * @throws Error with fewer than two points or when every x is equal.
 */
export function slope(xs: number[], ys: number[]): number {
  if (xs.length !== ys.length || xs.length < 2) throw new Error('slope needs two or more (x, y) points');
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  if (sxx === 0) throw new Error('slope of points with equal x');
  return xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / sxx;
}
