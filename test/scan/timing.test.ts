import { describe, expect, test } from "bun:test";
import { DEFAULT_TIMING, RttEstimator } from "../../src/scan/timing.ts";

const policy = { initialMs: 300, floorMs: 10, ceilingMs: 1000 };

describe("RttEstimator", () => {
  test("uses the initial timeout until a sample arrives", () => {
    const e = new RttEstimator(policy);
    expect(e.samples).toBe(0);
    expect(e.smoothedMs).toBeUndefined();
    expect(e.timeoutMs()).toBe(300);
  });

  test("first sample: srtt = R, rttvar = R/2, timeout = 3R (RFC 6298 2.2)", () => {
    const e = new RttEstimator(policy);
    e.sample(40);
    expect(e.smoothedMs).toBe(40);
    expect(e.variationMs).toBe(20);
    expect(e.timeoutMs()).toBe(120);
  });

  test("later samples: rttvar then srtt, with alpha 1/8 and beta 1/4 (RFC 6298 2.3)", () => {
    const e = new RttEstimator(policy);
    e.sample(40);
    e.sample(80);
    // rttvar = 3/4*20 + 1/4*|40-80| = 25 ; srtt = 7/8*40 + 1/8*80 = 45
    expect(e.variationMs).toBeCloseTo(25, 10);
    expect(e.smoothedMs).toBeCloseTo(45, 10);
    expect(e.timeoutMs()).toBeCloseTo(145, 10);
  });

  test("a steady RTT converges and the variance decays", () => {
    const e = new RttEstimator(policy);
    for (let i = 0; i < 200; i++) e.sample(50);
    expect(e.smoothedMs).toBeCloseTo(50, 6);
    expect(e.variationMs as number).toBeLessThan(0.01);
    expect(e.timeoutMs()).toBeCloseTo(50, 1);
  });

  test("jitter raises the timeout above the mean", () => {
    const steady = new RttEstimator(policy);
    const jittery = new RttEstimator(policy);
    for (let i = 0; i < 100; i++) {
      steady.sample(50);
      jittery.sample(i % 2 === 0 ? 20 : 80);
    }
    expect(jittery.smoothedMs as number).toBeGreaterThan(40);
    expect(jittery.smoothedMs as number).toBeLessThan(60);
    expect(jittery.timeoutMs()).toBeGreaterThan(steady.timeoutMs() + 50);
  });

  test("clamped to the floor and the ceiling", () => {
    const fast = new RttEstimator(policy);
    for (let i = 0; i < 50; i++) fast.sample(0.01);
    expect(fast.timeoutMs()).toBe(10);
    const slow = new RttEstimator(policy);
    slow.sample(5000);
    expect(slow.timeoutMs()).toBe(1000);
    const negative = new RttEstimator(policy);
    negative.sample(-5);
    expect(negative.smoothedMs).toBe(0);
  });

  test("defaults keep an all-silent host short and loopback answers above the floor", () => {
    expect(DEFAULT_TIMING.floorMs).toBeGreaterThanOrEqual(50);
    expect(DEFAULT_TIMING.initialMs).toBeLessThanOrEqual(500);
    expect(DEFAULT_TIMING.ceilingMs).toBeGreaterThan(DEFAULT_TIMING.initialMs);
    const e = new RttEstimator();
    e.sample(0.02);
    expect(e.timeoutMs()).toBe(DEFAULT_TIMING.floorMs);
  });
});
