// --rate N: at most N connection attempts per second over all threads, paced evenly. Pure apart
// from one shared 64-bit slot; the clock is injected.
//
// The algorithm is GCRA (the ATM/“virtual scheduling” rate limiter, also what zmap's and
// masscan's pacing amounts to): one theoretical send time (TAT) advanced by 1/N per probe. A
// probe may go when TAT ≤ now; then TAT = max(TAT, now − slack) + 1/N. Slack absorbs
// the probe loop's timer granularity (epoll waits in whole ms): without it a loop that wakes
// every ms would send one probe per wake, 1000/s, whatever N. With slack s, at most 1 + s·N
// probes ever go back to back, and any window of W ms holds at most N·W/1000 + 1 + s·N probes.
//
// One slot shared by all Workers (Atomics.compareExchange on a BigInt64Array over a
// SharedArrayBuffer) rather than N/threads each: the engine's threads draw from one work list,
// so a thread can run dry (the last host, a slow host's retries) while others still have work;
// a per-thread share would then leave rate unused, and per-thread schedules started together
// put their slots on the same instants (micro-bursts of `threads` probes). The cost is one load
// and one CAS per probe: 65 ns a call measured (1e6 calls, BigInt included), against a
// connect() of several µs.
//
// The slot holds the TAT in 0.1 µs ticks since a common epoch as a BigInt64 (Atomics work on
// it): it only ever moves forward. An int32 slot was tried first and had to wrap after 214 s; a
// Worker whose clock reading was a few µs old then took the TAT for a wrapped one and moved it
// back, and two threads sent at twice the rate (caught by the Worker test).

/** Ticks per ms in the shared slot: 0.1 µs, so 1/N is exact to 1% up to N = 300 000/s. */
const TICKS_PER_MS = 10_000;
/** A probe loop that waits in whole ms (epoll) wakes 1-2 ms apart: it may catch up that much. */
const TIMER_SLACK_MS = 2;
/**
 * ...or a few probes' worth, whichever is longer: on a loaded machine a loop is woken 5-20 ms
 * late, and at a low rate 2 ms of catch-up is less than one probe, so each late wake lost its
 * slots for good (--rate 400 measured 352/s by the target's SYN counter with the load at 5 on 2
 * cores, 400/s alone). 8 back-to-back probes is no burst a link notices.
 */
const CATCH_UP_PROBES = 8;

/** How late a loop may run and still catch up, at `ratePerSecond` (ms). */
export function defaultSlackMs(ratePerSecond: number): number {
  return Math.max(TIMER_SLACK_MS, (CATCH_UP_PROBES * 1000) / ratePerSecond);
}

export interface PacerOptions {
  /** Connection attempts per second over all threads sharing the slot. */
  ratePerSecond: number;
  /** A time (ms, same clock as `now`) common to all threads: the origin of the ticks. */
  epochMs: number;
  /** How late a probe loop may run and catch up, ms (default: defaultSlackMs). */
  slackMs?: number;
}

/** A fresh slot to hand to every Worker (postMessage shares the buffer, not a copy). */
export function sharedPacerSlot(): BigInt64Array {
  return new BigInt64Array(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT));
}

/**
 * A clock whose values agree across Workers (performance.now() alone does not: each Worker has
 * its own time origin), with sub-ms resolution.
 */
export function crossThreadNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class RatePacer {
  private readonly intervalTicks: bigint;
  private readonly slackTicks: bigint;

  constructor(
    private readonly options: PacerOptions,
    private readonly slot: BigInt64Array = new BigInt64Array(1),
  ) {
    if (!(options.ratePerSecond > 0)) throw new RangeError("rate must be positive");
    this.intervalTicks = BigInt(
      Math.max(1, Math.round((1000 * TICKS_PER_MS) / options.ratePerSecond)),
    );
    this.slackTicks = BigInt(
      Math.round((options.slackMs ?? defaultSlackMs(options.ratePerSecond)) * TICKS_PER_MS),
    );
  }

  private ticks(now: number): bigint {
    return BigInt(Math.floor((now - this.options.epochMs) * TICKS_PER_MS));
  }

  /** Claims a send slot if one is due at `now`; false means wait until nextSendTime(now). */
  tryTake(now: number): boolean {
    const t = this.ticks(now);
    const earliest = t - this.slackTicks;
    for (;;) {
      const tat = Atomics.load(this.slot, 0);
      if (tat > t) return false;
      // A loop running late catches up by at most the slack (Math.max does not take bigints).
      let from = tat;
      if (from < earliest) from = earliest;
      if (Atomics.compareExchange(this.slot, 0, tat, from + this.intervalTicks) === tat)
        return true;
    }
  }

  /** The earliest time (ms, same clock) at which tryTake can succeed: ≤ now means now. */
  nextSendTime(now: number): number {
    const ahead = Atomics.load(this.slot, 0) - this.ticks(now);
    return ahead > 0n ? now + Number(ahead) / TICKS_PER_MS : now;
  }
}
