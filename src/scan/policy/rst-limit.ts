// RST rate-limit detection for one host, and the pace that gets its closed ports called closed.
// Pure; times in ms from the engine's clock.
//
// FreeBSD (net.inet.icmp.icmplim, 200/s), macOS (250/s) and many appliances send at most a few
// hundred RSTs a second and silently drop the rest, so a fast connect scan sees most closed
// ports time out: issue 8 measured 4714 of 4999 closed ports called filtered in 1.6 s, where
// nmap -T4 got all right in 28 s (the floor is 5000 / 200 = 25 s). nmap notices it through
// drops ("Increasing send delay ... due to max_successful_tryno increase", scan_engine.cc) and
// doubles a per-host send delay; here the rate is measured directly and the pace set from it.
//
// Evidence, both needed: (a) ports that timed out later answered RST on a retry (they were
// closed, not filtered: a firewall's filtered ports never answer a retry); (b) a second in which
// over a quarter of the probes sent to the host timed out while it still sent RSTs
// (saturation: 2% loss each way loses ~4%). The rate it shows is the RSTs it sent in saturated
// seconds: the most it would send. The answer is a pace for all of this host's probes, first
// tries included (they draw on the same RST budget as the retries), 8% over that rate; a paced
// second that loses nothing raises the estimate (x4 until one loses over 5%, whose RSTs are
// then the cap; +10% from there). A second paced under a rate the host has shown that still loses a quarter rules
// the limit out for good: that host is lossy or filtering, and pacing it down would spiral.
// The engine's calls, in docs/scan-timing.md. --defeat-rst-ratelimit turns it off.

export interface RstLimitPolicy {
  /** false: never call a host limited (nmap's --defeat-rst-ratelimit). */
  enabled: boolean;
  /** Ports answered RST only on a retry, needed before a host can be called limited. */
  minRetryRsts: number;
  /** Send this share of the measured RST rate. The host's cap is the scan's floor, and a token
   * the host does not spend is time lost for good, while a probe over the cap only costs a
   * retry: at 95% the WAN lab's 200/s host took 25.8 s (nmap -T4: 25.0 s), at 100% 24.3-26.3 s
   * (an estimate a few % low paced the rest of the scan under the cap); 8% over it keeps the
   * bucket empty with an estimate up to 7% low (the lab's timeline: 8 of each 110 SYNs dropped,
   * retried at their timeout; 24.04 s from the first SYN to the last, floor 24.0 s). */
  paceRatio: number;
  /** A host that sends more RSTs a second than this is fast enough to leave unpaced. */
  maxLimitedRate: number;
  /** Retries a timed-out port of a limited host gets (its timeouts are the limit's, not loss):
   * tries burnt before the host was found limited count too, and with 6 a run of the WAN lab
   * called 6 closed ports filtered. The engine retries a port when its timeout fires (paced
   * with the host's other probes), so a filtered port of a limited host costs 11 timeouts, in
   * parallel with the rest. (Retries held a second apart, which only the simulation did, fell
   * in step with a token bucket's drops under a pace over the cap: 16 of 4999 filtered.) */
  limitedRetries: number;
  /** A paced second that loses over a quarter while sending under this share of the most
   * answers a second the host has shown rules the limit out (0: never, for -sU, whose silent
   * ports are as often filtered as limited: see icmp-limit.ts). */
  ruleOutShare: number;
}

export const DEFAULT_RST_LIMIT: RstLimitPolicy = {
  enabled: true,
  minRetryRsts: 5,
  paceRatio: 1.08,
  maxLimitedRate: 5000,
  limitedRetries: 10,
  ruleOutShare: 0.9,
};

/** Seconds of history kept; a bucket is judged once every timeout in it has had time to fire. */
const BUCKET_MS = 1000;
/** nmap's RLD_TIME_MS: the first retry of each new try number waits this long. */
const RETRY_HOLD_MS = 1000;
const KEPT_BUCKETS = 16;

/** Share of a second's probes lost that marks saturation (or, under the pace, rules it out). */
const SATURATED_LOSS = 0.25;
/** Share lost in a paced second that shows the pace is over the cap. */
const LOSSY = 0.05;
/** A paced second that loses nothing once the cap is known: the cap may be higher than measured. */
const CAP_PROBE_STEP = 1.1;

function ewma(previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : 0.5 * previous + 0.5 * sample;
}

interface Bucket {
  sent: number;
  /** Probes sent while the host was not paced (a second with any cannot rule the limit out). */
  unpaced: number;
  rsts: number;
  timeouts: number;
  /** The cap estimate the host was paced by when this second began (undefined: none). */
  pace: number | undefined;
  /** The pace changed during this second: its losses say nothing exact about the cap. */
  mixed: boolean;
}

export class RstRateLimit {
  private readonly buckets = new Map<number, Bucket>();
  private retryRsts = 0;
  private estimate: number | undefined;
  private judgedUpTo = Number.NEGATIVE_INFINITY;
  private ruledOut = false;
  /** A paced second has lost probes: the estimate comes from the host's own cap from now on. */
  private capSeen = false;
  private maxRsts = 0;
  private confirmed = false;
  private firstSentAt: number | undefined;
  private totalSent = 0;
  private totalTimeouts = 0;
  private totalRsts = 0;
  private lastNow = 0;
  private heldAttempt = 0;
  private holdUntil = Number.NEGATIVE_INFINITY;

  constructor(readonly policy: RstLimitPolicy = DEFAULT_RST_LIMIT) {}

  private bucket(time: number): Bucket {
    const key = Math.floor(time / BUCKET_MS);
    let b = this.buckets.get(key);
    if (!b) {
      b = { sent: 0, unpaced: 0, rsts: 0, timeouts: 0, pace: this.estimate, mixed: false };
      this.buckets.set(key, b);
      for (const k of this.buckets.keys()) if (k < key - KEPT_BUCKETS) this.buckets.delete(k);
    }
    return b;
  }

  /** A probe went to this host at `now`. */
  onSent(now: number): void {
    const b = this.bucket(now);
    b.sent++;
    this.totalSent++;
    if (!this.limited) b.unpaced++;
    this.firstSentAt ??= now;
  }

  /** A closed port answered RST at `now` to its try `attempt` (0 = first). */
  onRst(attempt: number, now: number): void {
    this.bucket(now).rsts++;
    this.totalRsts++;
    if (attempt > 0) this.retryRsts++;
  }

  /** A probe sent at `sentAt` timed out (the host could have answered it in that second). */
  onTimeout(sentAt: number): void {
    this.bucket(sentAt).timeouts++;
    this.totalTimeouts++;
  }

  /**
   * Before a retry of try `attempt` (1 = first retry): false means hold it. The first retry of
   * each new try number stops the host for 1 s (nmap's rate-limit detection wait, scan_engine.cc
   * RLD_TIME_MS, which also stops the whole host): a per-second RST budget (FreeBSD) refills
   * unspent, so the retries can show that their ports are closed before a fast scan has burnt
   * every try in the first second. Only for a suspicious host (it sent RSTs, and over a quarter
   * of its probes timed out) and not once it is paced: a clean or lossy host pays nothing.
   */
  mayRetry(attempt: number, now: number): boolean {
    if (attempt > this.heldAttempt && this.suspicious && !this.limited) {
      this.heldAttempt = attempt;
      this.holdUntil = now + RETRY_HOLD_MS;
    }
    return this.maySend(now);
  }

  /** false while the host is held (no probe of any kind goes to it). */
  maySend(now: number): boolean {
    return now >= this.holdUntil;
  }

  private get suspicious(): boolean {
    return (
      this.policy.enabled &&
      !this.ruledOut &&
      this.totalRsts > 0 &&
      this.totalTimeouts > SATURATED_LOSS * this.totalSent
    );
  }

  /**
   * Judge the seconds that are over: every probe sent in them has had `settleMs` (the host's
   * timeout) to time out. Call it from time to time (each probe loop turn is fine).
   */
  update(now: number, settleMs: number): void {
    this.lastNow = now;
    const last = Math.floor((now - settleMs) / BUCKET_MS) - 1;
    const before = this.estimate;
    for (const [key, b] of this.buckets) {
      if (key > this.judgedUpTo && key <= last && b.sent > 0) this.judge(b);
    }
    this.judgedUpTo = Math.max(this.judgedUpTo, last);
    // A second half at one pace and half at another measured the cap 5% low (token bucket).
    if (this.estimate !== before) this.bucket(now).mixed = true;
    // Sticky once a judged second backs it: the totals dilute as the paced scan goes on.
    if (this.estimate !== undefined && this.suspicious && this.limited) this.confirmed = true;
  }

  private judge(b: Bucket): void {
    const lost = b.timeouts / b.sent;
    this.maxRsts = Math.max(this.maxRsts, b.rsts);
    if (b.pace === undefined || b.unpaced > 0) {
      // Unpaced: a saturated second shows the cap (EWMA: the first may hold a burst).
      if (lost > SATURATED_LOSS && b.rsts > 0) this.estimate = ewma(this.estimate, b.rsts);
    } else if (b.mixed && lost > LOSSY) {
      // Over the cap for part of the second: the next, evenly paced, will tell.
    } else if (lost > SATURATED_LOSS && b.sent <= this.policy.ruleOutShare * this.maxRsts) {
      // Paced under a rate the host has already shown, and still losing: not a limit.
      this.ruledOut = true;
    } else if (lost > LOSSY && b.rsts > 0) {
      // Paced over the cap: that second's RSTs are the cap itself (an EWMA here settled 1% over
      // it, and the steady loss burnt the tries of 5 ports in the simulation).
      this.capSeen = true;
      this.estimate = b.rsts;
    } else if (b.sent >= 0.8 * this.paceOf(b.pace)) {
      // Paced, nothing lost, pace used: the first estimate can be low (a token bucket's burst
      // in a second cut short by a hold); probe upward until a paced second loses. x4 a step:
      // x2 took 32.1 s instead of 30.7 s under a 200/s token bucket (an overshoot costs one
      // lossy second whose ports are retried). Once the cap has been seen, +10%: a second whose
      // probes a busy machine sent late counted fewer RSTs than the cap, and the pace stayed
      // under it for the rest of the scan (every token the host does not spend is time lost).
      const step = this.capSeen ? CAP_PROBE_STEP : 4;
      this.estimate = Math.max(this.estimate ?? 0, b.pace * step);
    }
  }

  private paceOf(rate: number): number {
    return Math.max(1, rate * this.policy.paceRatio);
  }

  /** Retries for a timed-out port of this host, given the congestion module's. */
  retries(base: number): number {
    return this.limited ? Math.max(base, this.policy.limitedRetries) : base;
  }

  /**
   * RSTs a second the host showed when saturated. Until a whole second has been judged, the
   * provisional figure is its RSTs so far over the time since its first probe (at least 1 s): the
   * pace must start with the first signs, before a fast scan burns every try of its ports.
   */
  get rstPerSecond(): number | undefined {
    if (this.estimate !== undefined) return this.estimate;
    if (this.firstSentAt === undefined || this.totalRsts === 0) return undefined;
    return (this.totalRsts * 1000) / Math.max(BUCKET_MS, this.lastNow - this.firstSentAt);
  }

  /** Ports that timed out answer RST on a retry, and the host sends few RSTs a second. */
  get limited(): boolean {
    const { enabled, minRetryRsts, maxLimitedRate } = this.policy;
    if (!enabled || this.ruledOut || this.retryRsts < minRetryRsts) return false;
    const rate = this.rstPerSecond;
    if (rate === undefined || rate > maxLimitedRate) return false;
    return this.confirmed || this.suspicious;
  }

  /** Probes a second for this host while it is limited; undefined: no pacing. */
  paceRate(): number | undefined {
    if (!this.limited) return undefined;
    return this.paceOf(this.rstPerSecond as number);
  }
}
