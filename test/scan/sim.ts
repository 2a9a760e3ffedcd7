// Seeded randomness for the timing simulations: the same figures on every run and machine.

/** mulberry32: a small 32-bit PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponentially distributed delay with the given mean (queueing jitter). */
export function exponential(random: () => number, mean: number): number {
  return -mean * Math.log(1 - random());
}
