// Pure statistics for the benchmark: medians over runs, latency percentiles, ratios to peers.

/** Median of the finite values (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1
    ? (xs[mid] as number)
    : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
}

/**
 * Percentile `p` (0..100) of values already sorted ascending, by linear interpolation between
 * closest ranks (numpy's default). NaN when empty.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (p <= 0) return sorted[0] as number;
  if (p >= 100) return sorted[n - 1] as number;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const frac = rank - lo;
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * frac;
}

/** Percentile `p` of unsorted values (copies, then sorts numerically). */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return percentileSorted(sorted, p);
}

/** a / b, or null when either side is missing or b is zero (no ratio to show). */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** (max - min) / median: how noisy the runs were (0 = identical runs). */
  spread: number;
}

/** Median, extremes and relative spread of several runs of one figure. */
export function summarize(values: readonly number[]): Summary {
  const xs = values.filter(Number.isFinite);
  if (xs.length === 0)
    return { n: 0, median: Number.NaN, min: Number.NaN, max: Number.NaN, spread: Number.NaN };
  const med = median(xs);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return { n: xs.length, median: med, min, max, spread: med === 0 ? 0 : (max - min) / med };
}

/**
 * Median of run-by-run ratios a[i] / b[i] (runs paired in time, so a busy moment of the machine
 * hits both sides of a pair): steadier than the ratio of medians on a noisy machine. Null when
 * there are no complete pairs.
 */
export function pairedRatioMedian(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = ratio(a[i], b[i]);
    if (r !== null) ratios.push(r);
  }
  return ratios.length === 0 ? null : median(ratios);
}
