import { describe, expect, test } from "bun:test";
import {
  median,
  pairedRatioMedian,
  percentile,
  percentileSorted,
  ratio,
  summarize,
} from "../../bench/lib/stats.ts";

describe("median", () => {
  test("odd and even counts, unsorted input", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  test("ignores non-finite values; NaN when nothing is left", () => {
    expect(median([Number.NaN, 7, Number.POSITIVE_INFINITY, 9])).toBe(8);
    expect(median([])).toBeNaN();
  });
  test("does not reorder the caller's array", () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe("percentiles", () => {
  const sorted = Array.from({ length: 101 }, (_, i) => i);
  test("exact ranks on 0..100", () => {
    expect(percentileSorted(sorted, 50)).toBe(50);
    expect(percentileSorted(sorted, 99)).toBe(99);
    expect(percentileSorted(sorted, 0)).toBe(0);
    expect(percentileSorted(sorted, 100)).toBe(100);
  });
  test("interpolates between ranks", () => {
    expect(percentileSorted([10, 20], 50)).toBe(15);
    expect(percentileSorted([1, 2, 3, 4], 75)).toBeCloseTo(3.25, 10);
  });
  test("unsorted input is sorted numerically, not as strings", () => {
    expect(percentile([100, 9, 20], 50)).toBe(20);
    expect(percentile(new Float64Array([3, 1, 2]), 100)).toBe(3);
  });
  test("empty input gives NaN", () => {
    expect(percentileSorted([], 50)).toBeNaN();
  });
});

describe("ratio", () => {
  test("a / b", () => {
    expect(ratio(3, 2)).toBe(1.5);
  });
  test("null when a side is missing, not finite, or b is zero", () => {
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(2, undefined)).toBeNull();
    expect(ratio(2, 0)).toBeNull();
    expect(ratio(Number.NaN, 2)).toBeNull();
  });
});

describe("summarize", () => {
  test("median, extremes and relative spread", () => {
    expect(summarize([10, 12, 8])).toEqual({ n: 3, median: 10, min: 8, max: 12, spread: 0.4 });
  });
  test("skips failed runs (NaN) and reports n = 0 when none succeeded", () => {
    expect(summarize([Number.NaN, 4]).n).toBe(1);
    const none = summarize([Number.NaN]);
    expect(none.n).toBe(0);
    expect(none.median).toBeNaN();
  });
});

describe("pairedRatioMedian", () => {
  test("median of a[i] / b[i]", () => {
    // Ratios 2, 1.5, 1 -> median 1.5; the ratio of medians would be 40 / 30 = 1.33.
    expect(pairedRatioMedian([20, 60, 40], [10, 40, 40])).toBe(1.5);
  });
  test("unpaired tails and zero denominators are skipped; nothing paired gives null", () => {
    expect(pairedRatioMedian([4, 9, 100], [2, 0])).toBe(2);
    expect(pairedRatioMedian([], [1])).toBeNull();
  });
});
