// How many probes this machine lets a Worker hold right now. EMFILE, ENFILE, EADDRNOTAVAIL,
// ENOBUFS, EAGAIN are the scanner's own limits, never a port state: at one, what is in flight
// is what the machine allows, so stay there; with nothing in flight only time frees resources
// (another process's descriptors, TIME_WAIT ports), so pause, doubling up to 100 ms; after
// 100 ms without one, probe upwards again by 1/8. Pure: the caller passes the clock.

/** Local errors with nothing started for this long end the scan with an error. */
export const STALL_MS = 5000;
const RAISE_EVERY_MS = 100;
const MAX_PAUSE_MS = 100;

export class LocalLimit {
  /** Probes this Worker may hold now (at most its share of -c). */
  cap: number;
  /** No probe may start before this time. */
  pauseUntil = 0;
  /** When a probe last started without a local error. */
  lastProgress: number;
  /** Local errors so far (a change tells the caller one just happened). */
  errors = 0;
  private pauseMs = 0;
  private lastError = Number.NEGATIVE_INFINITY;
  private lastRaise = Number.NEGATIVE_INFINITY;

  constructor(
    readonly share: number,
    now: number,
  ) {
    this.cap = share;
    this.lastProgress = now;
  }

  /** A local error with `inFlight` probes held. True when nothing could start for STALL_MS. */
  hit(inFlight: number, now: number): boolean {
    this.cap = Math.max(1, Math.min(this.cap, inFlight));
    this.lastError = now;
    this.errors++;
    if (inFlight > 0) return false;
    this.pauseMs = Math.min(MAX_PAUSE_MS, this.pauseMs === 0 ? 5 : this.pauseMs * 2);
    this.pauseUntil = now + this.pauseMs;
    return now - this.lastProgress > STALL_MS;
  }

  /** A probe started without a local error. */
  started(now: number): void {
    this.pauseMs = 0;
    this.lastProgress = now;
  }

  /** Called once per loop turn: grow the cap back after a quiet while. */
  tick(now: number): void {
    if (this.cap >= this.share) return;
    if (now - this.lastError <= RAISE_EVERY_MS || now - this.lastRaise <= RAISE_EVERY_MS) return;
    this.cap = Math.min(this.share, this.cap + Math.max(1, this.cap >> 3));
    this.lastRaise = now;
  }
}
