// A simulated Linux host behind its ICMP rate limit, scanned with the engine's policies (-sU):
// a per-destination token bucket of 6, one token per net.ipv4.icmp_ratelimit ms; its open ports
// answer the payload, its closed ports answer port-unreachable when the bucket has a token, the
// rest is silence.
import { DEFAULT_CONGESTION, HostCongestion } from "../../src/scan/policy/congestion.ts";
import {
  icmpRateLimit,
  LINUX_ICMP_BURST,
  silentPortRetries,
} from "../../src/scan/policy/icmp-limit.ts";
import { RatePacer } from "../../src/scan/policy/pacing.ts";
import { RttEstimator } from "../../src/scan/policy/timing.ts";

/** net/ipv4/inetpeer.c inet_peer_xrlim_allow: a new peer starts with its burst saved. */
function linuxIcmpBucket(ratelimitMs: number): (now: number) => boolean {
  let token = LINUX_ICMP_BURST * ratelimitMs;
  let last = 0;
  return (now) => {
    token = Math.min(LINUX_ICMP_BURST * ratelimitMs, token + now - last);
    last = now;
    if (token < ratelimitMs) return false;
    token -= ratelimitMs;
    return true;
  };
}

export interface Host {
  ports: number;
  open: Set<number>;
  /** Ports a firewall drops: never an answer. */
  dropped: Set<number>;
  ratelimitMs: number;
  rttMs: number;
}

const CONCURRENCY = 1000;

type State = "open" | "closed" | "open|filtered";

/** One host scanned with the engine's policies in 1 ms steps: window, timeout, ICMP limit, pace. */
export function udpScan(host: Host, respect: boolean, untilMs = 400_000) {
  const c = new HostCongestion({ ...DEFAULT_CONGESTION, maxWindow: 1000 });
  const rtt = new RttEstimator();
  const limit = icmpRateLimit(respect);
  const bucket = linuxIcmpBucket(host.ratelimitMs);
  const slot = new BigInt64Array(1);
  let pacer: RatePacer | undefined;
  let pace: number | undefined;
  type Try = {
    port: number;
    attempt: number;
    sentAt: number;
    lostSentAt: number;
    answerAt: number;
  };
  const flight = new Map<number, Try>();
  const fresh = Array.from({ length: host.ports }, (_, i) => host.ports - i);
  const retries: Array<{ port: number; attempt: number; lostSentAt: number }> = [];
  const state = new Map<number, State>();
  const openFoundAt: number[] = [];
  let now = 0;
  for (; now < untilMs && (fresh.length + retries.length > 0 || flight.size > 0); now++) {
    limit.update(now, rtt.timeoutMs());
    if (limit.paceRate() !== pace) {
      pace = limit.paceRate();
      pacer =
        pace === undefined ? undefined : new RatePacer({ ratePerSecond: pace, epochMs: 0 }, slot);
    }
    const launch = (probe: { port: number; attempt: number; lostSentAt: number }) => {
      limit.onSent(now);
      const arrives = now + host.rttMs / 2;
      const answers =
        host.open.has(probe.port) || (!host.dropped.has(probe.port) && bucket(arrives));
      flight.set(probe.port, { ...probe, sentAt: now, answerAt: answers ? now + host.rttMs : -1 });
    };
    // First tries at once (up to -c in flight): open ports answer whatever the ICMP floor.
    while (fresh.length > 0 && flight.size < CONCURRENCY)
      launch({ port: fresh.pop() as number, attempt: 0, lostSentAt: now });
    // Retries: within the window, held and paced by the ICMP limit.
    for (;;) {
      const retry = retries[0];
      if (!retry || !c.canSend(flight.size) || !limit.mayRetry(retry.attempt, now)) break;
      if (pacer && pacer.nextSendTime(now) > now) break;
      pacer?.tryTake(now);
      launch(retries.shift() as (typeof retries)[number]);
    }
    for (const [port, f] of flight) {
      if (f.answerAt === now) {
        flight.delete(port);
        rtt.sample(now - f.sentAt);
        c.onAnswer(f.attempt, f.lostSentAt, now);
        if (host.open.has(port)) {
          state.set(port, "open");
          openFoundAt.push(now);
        } else {
          limit.onRst(f.attempt, now);
          state.set(port, "closed");
        }
      } else if (f.answerAt < 0 && now - f.sentAt >= rtt.timeoutMs(f.attempt)) {
        flight.delete(port);
        limit.onTimeout(f.sentAt);
        if (f.attempt < silentPortRetries(limit, { grown: c.retries, base: 1 }))
          retries.push({ port, attempt: f.attempt + 1, lostSentAt: f.sentAt });
        else state.set(port, "open|filtered");
      }
    }
  }
  const count = (s: State) => [...state.values()].filter((v) => v === s).length;
  return {
    ms: now,
    open: count("open"),
    closed: count("closed"),
    openFiltered: count("open|filtered"),
    openFoundAt,
    limited: limit.limited,
    rate: limit.rstPerSecond,
  };
}
