import { describe, expect, test } from "bun:test";
import { DEFAULT_CONGESTION, HostCongestion } from "../../src/scan/policy/congestion.ts";
import { RatePacer } from "../../src/scan/policy/pacing.ts";
import { DEFAULT_RST_LIMIT, RstRateLimit } from "../../src/scan/policy/rst-limit.ts";
import { RttEstimator } from "../../src/scan/policy/timing.ts";
import { seededRandom } from "./sim.ts";

type Limiter = (now: number) => boolean;

/** FreeBSD's icmplim: at most `rate` RSTs in each whole second, the rest dropped. */
function perSecond(rate: number): Limiter {
  let second = -1;
  let count = 0;
  return (now) => {
    const s = Math.floor(now / 1000);
    if (s !== second) [second, count] = [s, 0];
    return count++ < rate;
  };
}

/** iptables -m limit: a token bucket of `rate` a second with a burst. */
function tokenBucket(rate: number, burst: number): Limiter {
  let tokens = burst;
  let last = 0;
  return (now) => {
    tokens = Math.min(burst, tokens + ((now - last) * rate) / 1000);
    last = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
}

/**
 * One host, 5000 ports, one open, 2 ms round trip, its RSTs limited; 1 ms steps through the real
 * modules: congestion window and retries, timeout, RST-limit detection, per-host pacer.
 */
function limitedScan(limit: Limiter, enabled: boolean, loss = 0, stall = { from: 0, to: 0 }) {
  const ports = 5000;
  const open = 4321;
  const random = seededRandom(5);
  const c = new HostCongestion({ ...DEFAULT_CONGESTION, maxWindow: 3000 });
  const rtt = new RttEstimator();
  const rst = new RstRateLimit({ ...DEFAULT_RST_LIMIT, enabled });
  let pacer: RatePacer | undefined;
  let pace: number | undefined;
  const slot = new BigInt64Array(1);
  const flight = new Map<number, { attempt: number; sentAt: number; lostSentAt: number }>();
  const answerAt = new Map<number, number>();
  type Try = { port: number; attempt: number; lostSentAt: number; at?: number };
  const fresh: Try[] = [];
  for (let p = ports - 1; p >= 0; p--) fresh.push({ port: p, attempt: 0, lostSentAt: 0 });
  const retries: Try[] = [];
  // Retries first (the engine queues a port again when its timeout fires), then new ports.
  const next = (): Try | undefined => {
    const retry = retries[0];
    if (retry && (retry.at as number) <= now)
      return rst.mayRetry(retry.attempt, now) ? retries.shift() : undefined;
    return rst.maySend(now) ? fresh.pop() : undefined;
  };

  const state = new Map<number, "open" | "closed" | "filtered">();
  let now = 0;
  for (; now < 120_000 && (fresh.length + retries.length > 0 || flight.size > 0); now++) {
    rst.update(now, rtt.timeoutMs());
    if (rst.paceRate() !== pace) {
      pace = rst.paceRate();
      pacer =
        pace === undefined ? undefined : new RatePacer({ ratePerSecond: pace, epochMs: 0 }, slot);
    }
    // A busy machine: the probe loop does not run (answers still arrive, timeouts still count).
    const stalled = now >= stall.from && now < stall.to;
    while (!stalled && c.canSend(flight.size) && (!pacer || pacer.nextSendTime(now) <= now)) {
      const probe = next();
      if (!probe) break;
      pacer?.tryTake(now);
      flight.set(probe.port, {
        attempt: probe.attempt,
        sentAt: now,
        lostSentAt: probe.attempt === 0 ? now : probe.lostSentAt,
      });
      rst.onSent(now);
      const lost = random() < loss || random() < loss;
      if (!lost && (probe.port === open || limit(now + 1))) answerAt.set(probe.port, now + 2);
    }
    for (const [port, f] of flight) {
      if (answerAt.get(port) === now) {
        flight.delete(port);
        answerAt.delete(port);
        rtt.sample(now - f.sentAt);
        c.onAnswer(f.attempt, f.lostSentAt, now);
        if (port !== open) rst.onRst(f.attempt, now);
        state.set(port, port === open ? "open" : "closed");
      } else if (now - f.sentAt >= rtt.timeoutMs(f.attempt)) {
        flight.delete(port);
        answerAt.delete(port);
        rst.onTimeout(f.sentAt);
        if (f.attempt < rst.retries(c.retries))
          retries.push({
            port,
            attempt: f.attempt + 1,
            lostSentAt: f.sentAt,
            at: now,
          });
        else state.set(port, "filtered");
      }
    }
  }
  const closed = [...state.values()].filter((s) => s === "closed").length;
  return { closed, open: state.get(open), ms: now, rate: rst.rstPerSecond, limited: rst.limited };
}

describe("issue 8: an RST-limited host (200 RSTs/s, 5000 ports, 1 open)", () => {
  for (const [name, limiter] of [
    ["FreeBSD per-second count", () => perSecond(200)],
    ["token bucket, burst 10", () => tokenBucket(200, 10)],
  ] as const) {
    test(`${name}: every closed port closed, near the host's 25 s floor`, () => {
      const r = limitedScan(limiter(), true);
      expect(r.open).toBe("open");
      expect(r.closed).toBe(4999);
      expect(r.limited).toBe(true);
      expect(r.rate as number).toBeGreaterThan(150);
      expect(r.rate as number).toBeLessThan(260);
      // Simulated time: the floor is 4999 RSTs / 200 a second = 25 s; nmap -T4 took 28 s in the
      // issue's lab. Measured here: 26.1 s (per-second count), 30.7 s (token bucket: its first
      // estimate is the burst of 10, and the pace climbs x4 a step to the cap, then sits at 190).
      expect(r.ms).toBeLessThan(32_000);
    });
  }

  test("the WAN lab's limiter (token bucket of 200, refilled at 200/s): at its floor after a stall", () => {
    // Floor: the bucket's 200, then 200 a second: (4999 - 200) / 200 = 24.0 s from the first
    // probe. Measured here 24.15 s, 24.17 s with the loop stopped 500 ms (a busy machine): the
    // 100 tokens it leaves stay in the bucket (under its 200) and a pace over the cap spends them.
    const r = limitedScan(tokenBucket(200, 200), true, 0, { from: 8000, to: 8500 });
    expect(r.closed).toBe(4999);
    expect(r.ms).toBeLessThan(24_300);
  });

  test("a pace under the cap climbs back (a second that counted fewer RSTs than the cap)", () => {
    // The host shows 180 RSTs a second for 5 s, then 200: the pace must follow it up. With the
    // estimate fixed once a paced second had lost (before), it stayed at 180 x 1.08 = 194/s.
    const rst = new RstRateLimit();
    let credit = 0;
    let second = -1;
    let count = 0;
    for (let now = 0; now < 15_000; now++) {
      rst.update(now, 100);
      credit += (rst.paceRate() ?? 2000) / 1000;
      for (; credit >= 1; credit--) {
        rst.onSent(now);
        if (Math.floor(now / 1000) !== second) [second, count] = [Math.floor(now / 1000), 0];
        if (count++ < (now < 5000 ? 180 : 200)) rst.onRst(now < 300 ? 0 : 1, now + 1);
        else rst.onTimeout(now);
      }
    }
    expect(rst.limited).toBe(true);
    expect(rst.paceRate() as number).toBeGreaterThanOrEqual(200);
  });

  test("--defeat-rst-ratelimit: fast, the open port found, most closed ports not (the old result)", () => {
    const r = limitedScan(perSecond(200), false);
    expect(r.open).toBe("open");
    expect(r.closed).toBeLessThan(2500);
    expect(r.limited).toBe(false);
  });

  test("no limit, 2% loss each way: never called limited, never held, every port right", () => {
    const r = limitedScan(() => true, true, 0.02);
    expect(r.limited).toBe(false);
    expect(r.closed).toBe(4999);
    expect(r.ms).toBeLessThan(2000);
  });

  test("unit: the first retry of a new try number holds a suspicious host for 1 s, once", () => {
    const rst = new RstRateLimit();
    for (let i = 0; i < 100; i++) rst.onSent(0);
    for (let i = 0; i < 10; i++) rst.onRst(0, 1);
    for (let i = 0; i < 90; i++) rst.onTimeout(0);
    expect(rst.mayRetry(1, 100)).toBe(false);
    expect(rst.maySend(600)).toBe(false);
    expect(rst.mayRetry(1, 1100)).toBe(true);
    expect(rst.mayRetry(2, 1200)).toBe(false);
    expect(new RstRateLimit({ ...DEFAULT_RST_LIMIT, enabled: false }).mayRetry(1, 0)).toBe(true);
  });
});
