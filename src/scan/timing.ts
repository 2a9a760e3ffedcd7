// Probe timeout from measured round-trip times, the way TCP (RFC 6298) and nmap do it:
// smoothed RTT plus four times its mean deviation, clamped to [floor, ceiling]. Pure.

export interface TimeoutPolicy {
  /** Timeout before any RTT sample exists (a host that has not answered yet), ms. */
  initialMs: number;
  /** Never time out faster than this, ms: a loaded machine must not turn open ports filtered. */
  floorMs: number;
  /** Never wait longer than this, ms: a silent host must finish in (ports / concurrency) x this. */
  ceilingMs: number;
}

// Loopback and LAN answers take microseconds to a few ms; the floor is two orders of magnitude
// above that, and every probe gets a last look at its socket before it is called filtered, so a
// descheduled scanner cannot misread a late answer. The initial value keeps an all-silent host
// (no sample ever arrives) to 0.3 s per wave of probes.
export const DEFAULT_TIMING: TimeoutPolicy = { initialMs: 300, floorMs: 100, ceilingMs: 1500 };

const ALPHA = 1 / 8;
const BETA = 1 / 4;

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

  /** The timeout to apply now, ms. */
  timeoutMs(): number {
    const { initialMs, floorMs, ceilingMs } = this.policy;
    const raw = this.count === 0 ? initialMs : this.srtt + 4 * this.rttvar;
    return Math.min(ceilingMs, Math.max(floorMs, raw));
  }
}
