// Per-host congestion window and retry budget (AIMD, as TCP and nmap's ultra_scan do). Pure.
//
// Loss signal: a port answered only on a retry (its first probe or the answer was lost). That is
// nmap's rule (scan_engine.cc, ultrascan_adjust_timing: "tryno > 0 && rcvdtime"). A timeout
// alone is not a signal: filtered ports time out by design, and a host with 4000 filtered ports
// would otherwise scan at window 1.
//
// Decrease only on a loss *rate*, not on every loss. nmap -T4 resets a host's window to 1 at
// each drop batch, which is why it took 299 s for one host at 2% loss each way (issue 8): random
// loss on a path is not congestion and slowing down does not cure it; retries do. A bottleneck
// that overflows drops a large share of what exceeds it (a 2000 packets/s link fed 10 000/s
// drops 80%). So: count answers and losses since the last change; when at least `minLosses`
// were seen and they are over `lossThreshold` of the answers (nmap's send-delay rule uses 40%
// at -T4 over at least 10 drops), drop the window to the floor with the slow-start threshold at
// half of it (TCP after a timeout, nmap's host drop), once per batch: tries sent before the last
// decrease do not count again. Every answer, a retry's too, grows it: +1 below the threshold
// (doubling per RTT), then +caIncrement/window (nmap -T4: 2 per window). Slow start lasts until
// the first loss, so a clean path reaches -c in a few round trips (nmap's fixed threshold of 75
// would hold a 20 ms path near 100 probes in flight: 13 s for 65535 ports instead of ~4).
// Checked by simulation (test/scan/congestion.test.ts): 5000 ports through a 2000 packets/s link
// with a 200-packet queue, all answered in 2.7 s (from 10) or 2.9 s (from 3000) against the
// link's 2.5 s floor; a fixed window of 3000 leaves 2700 unanswered. Halving instead of the
// collapse was tried first: from 3000 it needed a timeout per halving and lost 1258 ports.
// The batch rule needs the time the *lost* try was sent (the try before the answered one): a
// loss counts only if it happened under the current window.
//
// Slow start also ends, without a cut, when the round trip grows (HyStart, RFC 9406: the
// least RTT of 8 answers over the least seen by max(4 ms, min(16 ms, minRtt / 8))): a queue is
// filling, the link is full, and doubling once more would overflow it. Through the 2000
// packets/s link with a 200-packet queue slow start went on to ~880 probes in flight before the
// first retry's answer told of a loss, and 1400 SYNs were dropped (0.7 s of the link's time).
// After the exit the window grows by a quarter a round for 2 rounds (HyStart++'s conservative
// slow start; back to slow start if the RTT falls under the exit's), then +2 per window.
//
// Retries: a host starts with `baseRetries`; each answer on try k (0-based) shows that k+1 tries
// can be needed, so the host gets k+1 retries, up to `maxRetries` (nmap -T4: 6). Filtered ports
// are the only ones that pay: they use every try; answered ports stop at their answer.

export interface CongestionPolicy {
  initialWindow: number;
  minWindow: number;
  maxWindow: number;
  /** Slow start below this window, +1 per answer; congestion avoidance above. */
  initialSlowStartThreshold: number;
  /** Window growth per window's worth of answers in congestion avoidance. */
  caIncrement: number;
  /** Share of losses among answers since the last change above which the window halves. */
  lossThreshold: number;
  /** Losses needed before the share means anything. */
  minLosses: number;
  baseRetries: number;
  maxRetries: number;
  /** Probes a second the window is raised to (window = rate x RTT) once the RTT is known; 0: off. */
  initialRate: number;
}

// Windows of nmap -T4 (timing.cc: initial 10, ca_incr 2, ssthresh 75), a ceiling that the scan's
// -c concurrency replaces, and retries as today (1) growing to nmap -T4's 6. The 10% threshold
// sits between 2% loss each way (a try fails 4% of the time: no decrease) and an overflowing
// bottleneck (tens of %).
export const DEFAULT_CONGESTION: CongestionPolicy = {
  initialWindow: 10,
  minWindow: 1,
  maxWindow: 5000,
  initialSlowStartThreshold: Number.POSITIVE_INFINITY,
  caIncrement: 2,
  lossThreshold: 0.1,
  minLosses: 5,
  baseRetries: 1,
  maxRetries: 6,
  initialRate: 2500,
};

/** HyStart's RTT-growth bounds (RFC 9406: MIN_RTT_THRESH, MAX_RTT_THRESH, MIN_RTT_DIVISOR). */
const HYSTART_MIN_MS = 4;
const HYSTART_MAX_MS = 16;
const HYSTART_DIVISOR = 8;
/** Answers in a group whose least RTT is compared (RFC 9406: N_RTT_SAMPLE). */
const HYSTART_SAMPLES = 8;

/**
 * HyStart++'s conservative slow start after the exit (RFC 9406 CSS_GROWTH_DIVISOR; CSS_ROUNDS is
 * 5 there). Under load this machine's own delays end slow start early too: plain avoidance from
 * there took 1.1-1.4 s for the 2% loss case (20000 ports; 0.8-1.0 s with no window at all), 2
 * rounds 0.9-1.1 s; 5 rounds (x3) overshot the 2000 packets/s link's 200-packet queue (347 SYNs
 * dropped), 2 (x1.56) did not.
 */
const CSS_GROWTH_DIVISOR = 4;
const CSS_ROUNDS = 2;

/** HyStart++'s conservative slow start: rounds left, answers left in this one, exit RTT. */
interface ConservativeSlowStart {
  rounds: number;
  left: number;
  baseline: number;
}

export class HostCongestion {
  private css: ConservativeSlowStart | null = null;
  private cwnd: number;
  private minRtt = Number.POSITIVE_INFINITY;
  private groupMin = Number.POSITIVE_INFINITY;
  private groupSamples = 0;
  private ssthresh: number;
  private answers = 0;
  private losses = 0;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private maxAnsweredAttempt = 0;

  constructor(readonly policy: CongestionPolicy = DEFAULT_CONGESTION) {
    this.cwnd = Math.min(policy.maxWindow, Math.max(policy.minWindow, policy.initialWindow));
    this.ssthresh = policy.initialSlowStartThreshold;
  }

  /** Probes this host may have in flight now. */
  get window(): number {
    return Math.floor(this.cwnd);
  }

  canSend(inFlight: number): boolean {
    return inFlight < this.window;
  }

  /** Retries a timed-out port of this host gets before it is called filtered. */
  get retries(): number {
    const { baseRetries, maxRetries } = this.policy;
    return Math.min(
      Math.max(baseRetries, maxRetries),
      Math.max(baseRetries, this.maxAnsweredAttempt + 1),
    );
  }

  /**
   * The host answered (SYN-ACK or RST) a port on try `attempt` (0 = first). `sentAt` is when the
   * try before it, the lost one, was sent (for a first try: when it was sent), ms; `now` the same
   * clock. `rttMs`: the answered try's round trip, if known (first tries: HyStart).
   */
  onAnswer(attempt: number, sentAt: number, now: number, rttMs?: number): void {
    if (attempt === 0 && rttMs !== undefined) this.sampleRtt(rttMs);
    const counts = sentAt > this.lastDecreaseAt;
    if (attempt > 0) {
      this.maxAnsweredAttempt = Math.max(this.maxAnsweredAttempt, attempt);
      if (counts) this.losses++;
    } else if (counts) this.answers++;
    if (attempt > 0 && this.maybeDecrease(now)) return;
    // Every answer grows the window, a retry's too (nmap acks both): it got through.
    const { maxWindow, caIncrement } = this.policy;
    if (this.css) this.growConservatively();
    else this.cwnd += this.cwnd < this.ssthresh ? 1 : caIncrement / this.cwnd;
    this.cwnd = Math.min(maxWindow, this.cwnd);
  }

  /**
   * HyStart: leave slow start (no cut) once the least RTT of a group of answers has grown over
   * the least ever seen. The least of a group, as RFC 9406 takes it per round: this thread's own
   * delays (a turn launching hundreds of probes) only ever add to single samples; with a
   * smoothed mean instead slow start ended at a window of ~20 on a 20 ms path, half the link.
   */
  private sampleRtt(rttMs: number): void {
    this.groupMin = Math.min(this.groupMin, rttMs);
    if (++this.groupSamples < HYSTART_SAMPLES) return;
    const groupMin = this.groupMin;
    this.groupMin = Number.POSITIVE_INFINITY;
    this.groupSamples = 0;
    const allowed = Math.max(
      HYSTART_MIN_MS,
      Math.min(HYSTART_MAX_MS, this.minRtt / HYSTART_DIVISOR),
    );
    if (this.minRtt === Number.POSITIVE_INFINITY) this.jumpStart(groupMin);
    if (this.css && groupMin < this.css.baseline)
      this.css = null; // a false alarm: slow start
    else if (!this.css && this.cwnd < this.ssthresh && groupMin > this.minRtt + allowed)
      this.css = { rounds: CSS_ROUNDS, left: this.cwnd, baseline: groupMin };
    this.minRtt = Math.min(this.minRtt, groupMin);
  }

  /**
   * Once the first group's least RTT is known, still in slow start: a window of `initialRate`
   * probes a second over that RTT (RFC 6928's 10 is one flow's segments; a probe is a 60-byte
   * SYN). From 10, a 200 ms path needed 9 round trips to reach 5000 in flight (WAN lab, 5000
   * ports: 2.3 s, 1.3 s before the window held from the first probe); at 2500/s, 500 there, 1.5 s
   * (5000/s: 1.3 s, but the simulated 2000 packets/s link with a 200-packet queue lost 7 first
   * tries, 4000/s none), and 50 at 20 ms. Under 4 ms (a LAN) it stays at 10.
   */
  private jumpStart(rttMs: number): void {
    if (this.cwnd >= this.ssthresh || this.lastDecreaseAt !== Number.NEGATIVE_INFINITY) return;
    const { initialRate, maxWindow } = this.policy;
    this.cwnd = Math.min(maxWindow, Math.max(this.cwnd, (initialRate * rttMs) / 1000));
  }

  /** Conservative slow start: +1/4 per answer (x1.25 a round) for 2 rounds, then avoidance. */
  private growConservatively(): void {
    const css = this.css as ConservativeSlowStart;
    this.cwnd += 1 / CSS_GROWTH_DIVISOR;
    if (--css.left > 0) return;
    css.left = this.cwnd;
    if (--css.rounds > 0) return;
    this.ssthresh = this.cwnd;
    this.css = null;
  }

  private maybeDecrease(now: number): boolean {
    const { lossThreshold, minLosses, minWindow } = this.policy;
    if (this.losses < minLosses || this.losses <= lossThreshold * (this.answers + this.losses))
      return false;
    this.ssthresh = Math.max(2, this.cwnd / 2);
    this.css = null;
    this.cwnd = minWindow;
    this.answers = 0;
    this.losses = 0;
    this.lastDecreaseAt = now;
    return true;
  }
}
