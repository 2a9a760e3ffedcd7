// Probe timeout from measured round-trip times, the way TCP (RFC 6298) and nmap (timing.cc,
// adjust_timeouts2) do it, with two changes that issue 8 measured a need for. Pure.
//
// 1. A margin that grows with the RTT itself: srtt + max(4·rttvar, marginRatio·srtt). On a long
//    steady path rttvar decays to almost nothing (200 ms round trip: the timeout settled at 201 ms
//    and ~22% of first tries timed out with their answer on the way). With marginRatio 0.5 a
//    200 ms path waits 300 ms; a 20 ms LAN stays at the 100 ms floor, so nothing changes near by.
// 2. Until a host has answered at all, the timeout backs off with the probe's attempt:
//    initial·2^attempt (300, 600, 1200, 2400 ms ... up to the ceiling), like nmap starting at 1 s
//    and allowing up to 10 s, but starting low so that a dead LAN range costs what it costs today
//    on the first two tries (300 + 600 ms); a third try (1.2 s) reaches a 700 ms host. Once the
//    host has answered, its timeout comes from its samples and a retry waits twice that (one late
//    answer, no exponential growth: loss, not a slow path, is what makes an answered host retry).

export interface TimeoutPolicy {
  /** Timeout of a first try before any RTT sample exists (a host that has not answered yet), ms. */
  initialMs: number;
  /** Never time out faster than this, ms: a loaded machine must not turn open ports filtered. */
  floorMs: number;
  /** Never wait longer than this, ms, however far the host or the back-off. */
  ceilingMs: number;
  /** The smallest margin above srtt, as a fraction of srtt (a long steady path). */
  marginRatio: number;
}

// Loopback and LAN answers take microseconds to a few ms; the floor is two orders of magnitude
// above that, and every probe gets a last look at its socket before it is called filtered, so a
// descheduled scanner cannot misread a late answer. The initial value keeps an all-silent host
// to 0.3 s for a first wave of probes; the ceiling is nmap's default --max-rtt-timeout (10 s):
// it only binds for hosts whose RTT or jitter is above a second, which the old 1.5 s ceiling
// turned into all-filtered.
export const DEFAULT_TIMING: TimeoutPolicy = {
  initialMs: 300,
  floorMs: 100,
  ceilingMs: 10_000,
  marginRatio: 0.5,
};

const ALPHA = 1 / 8;
const BETA = 1 / 4;
/** A retry of an answered host waits this many times its timeout. */
const RETRY_FACTOR = 2;

export class RttEstimator {
  private srtt = 0;
  private rttvar = 0;
  private count = 0;

  constructor(readonly policy: TimeoutPolicy = DEFAULT_TIMING) {}

  /** Feed one measured round trip (ms) of a probe that got an answer. */
  sample(rttMs: number): void {
    const r = Math.max(0, rttMs);
    if (this.count === 0) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = (1 - BETA) * this.rttvar + BETA * Math.abs(this.srtt - r);
      this.srtt = (1 - ALPHA) * this.srtt + ALPHA * r;
    }
    this.count++;
  }

  get samples(): number {
    return this.count;
  }

  /** Smoothed RTT in ms, or undefined before the first sample. */
  get smoothedMs(): number | undefined {
    return this.count === 0 ? undefined : this.srtt;
  }

  get variationMs(): number | undefined {
    return this.count === 0 ? undefined : this.rttvar;
  }

  /**
   * The timeout for a probe's try number `attempt` (0 = first try), ms. Before any sample it backs
   * off as initial·2^attempt; after, it is srtt + max(4·rttvar, marginRatio·srtt), doubled for
   * retries. Always within [floor, ceiling].
   */
  timeoutMs(attempt = 0): number {
    const { initialMs, floorMs, ceilingMs, marginRatio } = this.policy;
    const raw =
      this.count === 0
        ? initialMs * 2 ** attempt
        : (this.srtt + Math.max(4 * this.rttvar, marginRatio * this.srtt)) *
          (attempt > 0 ? RETRY_FACTOR : 1);
    return Math.min(ceilingMs, Math.max(floorMs, raw));
  }

  /** Tries a silent host needs before a probe has waited `rttMs` (the reach of the back-off). */
  static triesToReach(rttMs: number, policy: TimeoutPolicy = DEFAULT_TIMING): number {
    let attempt = 0;
    while (
      policy.initialMs * 2 ** attempt < rttMs &&
      policy.initialMs * 2 ** attempt < policy.ceilingMs
    )
      attempt++;
    return attempt + 1;
  }
}
