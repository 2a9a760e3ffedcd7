import { describe, expect, test } from "bun:test";
import { bitLength, randomSecret } from "../../src/guess/random.ts";

describe("randomSecret", () => {
  test("max 1 is always 1, max 2 gives both values and nothing else", () => {
    expect(randomSecret(1n)).toBe(1n);
    const seen = new Set<bigint>();
    for (let i = 0; i < 200; i++) seen.add(randomSecret(2n));
    expect([...seen].sort()).toEqual([1n, 2n]);
  });

  test("stays in 1..max for huge maxima, and reaches both halves of the range", () => {
    for (const max of [10n ** 6n, 10n ** 100n, 10n ** 1000n, 2n ** 64n + 1n]) {
      let high = 0;
      for (let i = 0; i < 400; i++) {
        const s = randomSecret(max);
        expect(s >= 1n && s <= max).toBe(true);
        if (s > max / 2n) high++;
      }
      // 400 fair coin flips: below 120 or above 280 has probability ~1e-15.
      expect(high).toBeGreaterThan(120);
      expect(high).toBeLessThan(280);
    }
  });

  test("rejects draws at or above max instead of folding them (no modulo bias)", () => {
    // max 5: 3 bits cover 0..7. Feed 7, 6, 5 (all rejected), then 2 -> secret 3.
    const draws = [7, 6, 5, 2];
    let calls = 0;
    const fill = (bytes: Uint8Array): Uint8Array => {
      bytes[0] = (draws[calls++] as number) | 0b1111_1000; // high bits are masked away
      return bytes;
    };
    expect(randomSecret(5n, fill)).toBe(3n);
    expect(calls).toBe(4);
  });

  test("is roughly uniform on small maxima (chi-square)", () => {
    for (const max of [3, 6, 10]) {
      const n = 30_000;
      const counts = new Array<number>(max).fill(0);
      for (let i = 0; i < n; i++) {
        const k = Number(randomSecret(BigInt(max))) - 1;
        counts[k] = (counts[k] ?? 0) + 1;
      }
      const expected = n / max;
      const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
      // Critical value for 9 degrees of freedom at p = 1e-6 is about 46: a fair source
      // fails this about once in a million runs; a biased one by a few percent fails it always.
      expect(chi2).toBeLessThan(46);
    }
  });

  test("bitLength", () => {
    expect(bitLength(1n)).toBe(1);
    expect(bitLength(2n)).toBe(2);
    expect(bitLength(1_000_000n)).toBe(20);
    expect(bitLength(10n ** 100n)).toBe(333);
  });
});
