import { describe, expect, test } from "bun:test";
import {
  crossThreadNowMs,
  defaultSlackMs,
  RatePacer,
  sharedPacerSlot,
} from "../../src/scan/policy/pacing.ts";
import { seededRandom } from "./sim.ts";

/** The largest number of sends inside any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/**
 * Threads sharing one slot, each a probe loop that wakes every ~1 ms (epoll granularity, with
 * jitter) and sends while the pacer allows, until `activeUntil[k]`.
 */
function simulate(rate: number, activeUntil: number[], seed = 1): number[] {
  const slot = sharedPacerSlot();
  const pacers = activeUntil.map(() => new RatePacer({ ratePerSecond: rate, epochMs: 1000 }, slot));
  const random = seededRandom(seed);
  const wakes = activeUntil.map(() => 1000 + random());
  const sent: number[] = [];
  for (;;) {
    let k = -1;
    for (let i = 0; i < wakes.length; i++)
      if (
        (wakes[i] as number) < (activeUntil[i] as number) &&
        (k < 0 || (wakes[i] as number) < (wakes[k] as number))
      )
        k = i;
    if (k < 0) return sent;
    const now = wakes[k] as number;
    const pacer = pacers[k] as RatePacer;
    while (pacer.tryTake(now)) sent.push(now);
    wakes[k] = now + 0.5 + random();
  }
}

describe("RatePacer", () => {
  // Bound on any window of W ms, with the default slack.
  const bound = (rate: number, windowMs: number) =>
    (rate * windowMs) / 1000 + 1 + (defaultSlackMs(rate) * rate) / 1000;

  test("one loop waking every ~1 ms reaches N/s, far above 1000/s, within the bound", () => {
    const rate = 5000;
    const sent = simulate(rate, [11_000]);
    expect(sent.length).toBeGreaterThan(rate * 10 * 0.99);
    expect(sent.length).toBeLessThanOrEqual(bound(rate, 10_000));
    // Paced, not in bursts: any 1 ms or 100 ms holds its share and at most a slack's worth more.
    expect(maxInWindow(sent, 1)).toBeLessThanOrEqual(bound(rate, 1));
    expect(maxInWindow(sent, 100)).toBeLessThanOrEqual(bound(rate, 100));
  });

  test("four threads share one rate: N in all, not N each", () => {
    const rate = 2000;
    const sent = simulate(rate, [6000, 6000, 6000, 6000], 2);
    expect(sent.length).toBeGreaterThan(rate * 5 * 0.99);
    expect(sent.length).toBeLessThanOrEqual(bound(rate, 5000));
    expect(maxInWindow(sent, 50)).toBeLessThanOrEqual(bound(rate, 50));
  });

  test("a thread left alone still gets the whole rate (a per-thread share would give N/4)", () => {
    const rate = 2000;
    const sent = simulate(rate, [2000, 2000, 2000, 6000], 3);
    const late = sent.filter((t) => t >= 2000);
    expect(late.length).toBeGreaterThan(rate * 4 * 0.99);
  });

  test("a loop that sleeps until nextSendTime sends at even gaps of 1/N", () => {
    const pacer = new RatePacer({ ratePerSecond: 400, epochMs: 0 });
    const sent: number[] = [];
    let now = 10;
    while (sent.length < 200) {
      if (pacer.tryTake(now)) sent.push(now);
      else now = pacer.nextSendTime(now);
    }
    // The first slack's worth goes at once (a loop that starts late may catch up), then 2.5 ms.
    const gaps = sent.slice(10).map((t, i) => t - (sent[i + 9] as number));
    for (const gap of gaps) expect(gap).toBeCloseTo(2.5, 3);
  });

  test("a loop woken 20 ms late at a low rate catches up: no slot lost, at most 8 at once", () => {
    const rate = 400;
    const pacer = new RatePacer({ ratePerSecond: rate, epochMs: 0 });
    const sent: number[] = [];
    // Wakes every 20 ms (a loaded machine), for 10 s: 4000 slots are due.
    for (let now = 0; now <= 10_000; now += 20) while (pacer.tryTake(now)) sent.push(now);
    expect(sent.length).toBeGreaterThanOrEqual(rate * 10 * 0.99);
    expect(sent.length).toBeLessThanOrEqual(bound(rate, 10_000));
    expect(maxInWindow(sent, 0.5)).toBeLessThanOrEqual(1 + 8);
  });

  test("no credit is saved up while idle: after 5 s or an hour without probes, a small burst", () => {
    const rate = 10_000;
    const pacer = new RatePacer({ ratePerSecond: rate, epochMs: 0, slackMs: 1 });
    expect(pacer.tryTake(1)).toBe(true);
    for (const now of [5001, 3_600_000]) {
      expect(pacer.nextSendTime(now)).toBe(now);
      let burst = 0;
      while (pacer.tryTake(now)) burst++;
      expect(burst).toBeLessThanOrEqual(1 + rate / 1000);
      expect(burst).toBeGreaterThan(0);
      expect(pacer.nextSendTime(now)).toBeGreaterThan(now);
    }
  });

  test("a thread whose clock reading is old never moves the schedule back", () => {
    const slot = sharedPacerSlot();
    const fresh = new RatePacer({ ratePerSecond: 1000, epochMs: 0 }, slot);
    const stale = new RatePacer({ ratePerSecond: 1000, epochMs: 0 }, slot);
    let sent = 0;
    for (let now = 0; now < 1000; now += 0.25) {
      while (fresh.tryTake(now)) sent++;
      // The other thread read the clock 50 ms ago and only now gets to its CAS.
      while (stale.tryTake(Math.max(0, now - 50))) sent++;
    }
    expect(sent).toBeLessThanOrEqual(bound(1000, 1000));
  });

  test("rejects a rate that is not positive", () => {
    expect(() => new RatePacer({ ratePerSecond: 0, epochMs: 0 })).toThrow(RangeError);
  });

  test("real Workers sharing the slot never exceed the rate", async () => {
    const rate = 2000;
    const slot = sharedPacerSlot();
    const epochMs = crossThreadNowMs();
    const untilMs = epochMs + 300;
    const url = new URL("./fixtures/pacer-worker.ts", import.meta.url);
    const workers = [new Worker(url), new Worker(url)];
    const results = await Promise.all(
      workers.map(
        (w) =>
          new Promise<number[]>((resolve) => {
            w.onmessage = (e) => resolve(e.data as number[]);
            w.postMessage({ slot, ratePerSecond: rate, epochMs, untilMs });
          }),
      ),
    );
    for (const w of workers) w.terminate();
    const sent = results.flat();
    expect(sent.length).toBeGreaterThan(0);
    const span = Math.max(...sent) - Math.min(...sent);
    expect(sent.length).toBeLessThanOrEqual(bound(rate, span));
    expect(maxInWindow(sent, 10)).toBeLessThanOrEqual(bound(rate, 10));
  });
});
