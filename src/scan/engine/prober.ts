// The probe loop of each scan thread: non-blocking connect() on raw sockets (see
// probe-socket.ts), one epoll instance, one heap of deadlines. It takes entries of the scan's
// order (work-source.ts) for every host at once; what becomes of each probe is outcomes.ts. In
// a Worker it never yields to the event loop until its share of the work is done or the stop
// flag is raised, and events for the main thread (open ports, final hosts) go by postMessage,
// delivered while the Worker is busy; on the main thread it runs in turns (runProbesHere).

import { crossThreadNowMs, RatePacer } from "../policy/pacing.ts";
import { RttEstimator } from "../policy/timing.ts";
import { ECONNREFUSED, EINTR, LOCAL_ERRNOS } from "../sys/libc.ts";
import { MODE_BANNER, MODE_CONNECTING } from "../transport/fd-table.ts";
import { CONNECTED, PENDING } from "../transport/probe-socket.ts";
import { WAIT_CONNECT } from "../transport/readiness.ts";
import { keepOffFtl } from "./jit-tier.ts";
import { DISCOVERY_ROUNDS, ProbeOutcomes } from "./outcomes.ts";
import type { ProbeJob, ProbeMessage, ProbeResult } from "./probe-job.ts";
import { CTL, HOST, isHostOver, TIMING, timingSlot } from "./shared-memory.ts";
import { HeldEntries } from "./work-source.ts";

export type { ProbeJob, ProbeMessage, ProbeResult } from "./probe-job.ts";

const SETTLING_WAIT_MS = 50;
/** Entries held for their host are looked at again this often at least. */
const HELD_WAIT_MS = 5;

class Prober extends ProbeOutcomes {
  private readonly held = new HeldEntries();
  private readonly pacer: RatePacer | null;
  /** --rate: no probe before this time (0: none waiting). */
  private nextPaceAt = 0;
  /** First tries sent to each host while it had not answered (its discovery probes). */
  private readonly firstTries: Uint8Array;
  /** When the current call of turns() must give the thread back (Infinity in a Worker). */
  private turnEndsAt = Number.POSITIVE_INFINITY;

  constructor(job: ProbeJob, post: (message: ProbeMessage) => void) {
    super(job, post);
    this.firstTries = new Uint8Array(job.targets.length);
    const rate = job.rate;
    this.pacer = rate
      ? new RatePacer({ ratePerSecond: rate.perSecond, epochMs: rate.epochMs }, rate.slot)
      : null;
  }

  // ---- launching ------------------------------------------------------------------------

  /** Start a probe of (host, port index); it settles at once or goes into epoll. */
  private launch(host: number, portIndex: number, attempt: number): void {
    let fd = (this.spares[this.sockets.family(host)] as number[]).pop() ?? -1;
    if (fd < 0) {
      fd = this.sockets.open(host);
      if (fd < 0) {
        this.localRetry(host, portIndex, attempt, -fd);
        return;
      }
      this.table.ensure(fd);
    }
    this.tally.count(CTL.probes);
    const sentAt = performance.now();
    // An answer inside connect() itself comes from this machine: no window, loss or RST limit
    // to learn from it, and skipping that bookkeeping keeps the loopback scan's CPU down.
    this.inConnect = true;
    const settled = this.connectNow(fd, host, portIndex, attempt, sentAt);
    this.inConnect = false;
    if (settled) return;
    this.control.launched(host, sentAt);
    if (!this.readiness.watch(fd, WAIT_CONNECT)) {
      const e = this.sockets.errno();
      this.control.ended(host);
      this.release(fd);
      this.localRetry(host, portIndex, attempt, e);
      return;
    }
    this.table.track(fd, host, portIndex, attempt, sentAt);
    this.deadlines.push(sentAt + this.timeoutFor(host, attempt), fd, this.table.gen[fd] as number);
    if (++this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
  }

  /** connect(), and again at once (see probe-socket.ts): true if the probe is settled. */
  private connectNow(
    fd: number,
    host: number,
    portIndex: number,
    attempt: number,
    sentAt: number,
  ): boolean {
    const first = this.sockets.connect(fd, host, this.job.ports[portIndex] as number);
    if (!LOCAL_ERRNOS.has(first)) this.limit.started(sentAt);
    let outcome = first;
    if (first === PENDING) outcome = this.sockets.connectAgain(fd, host);
    if (outcome === PENDING) return false;
    const rtt = first === CONNECTED ? 0 : performance.now() - sentAt;
    if (outcome === CONNECTED) this.connected(fd, host, portIndex, attempt, rtt);
    else if (first !== PENDING) this.failed(fd, host, portIndex, attempt, first, rtt, true, false);
    else {
      // After a refusal seen by the second call the kernel has dissolved the attempt.
      const refused = outcome === ECONNREFUSED;
      this.failed(fd, host, portIndex, attempt, outcome, rtt, refused, refused);
    }
    return true;
  }

  /** Start probes up to what is allowed now; false once no work is left to start. */
  private fill(now: number): boolean {
    this.limit.tick(now);
    this.control.update(now, (host) => this.timeoutFor(host, 0));
    const room = () => this.inFlight < this.limit.cap && now >= this.limit.pauseUntil;
    const offer = (host: number, portIndex: number, attempt: number) =>
      this.offer(host, portIndex, attempt, now);
    this.held.drain(offer, room);
    // Retries go even when many entries are held: they may be what unblocks them.
    const claim = () => this.held.length < this.job.concurrency || this.work.retriesWaiting > 0;
    while (room() && claim() && this.nextPaceAt === 0) {
      // On the main thread, a turn gives the event loop back in time (see turns()).
      if (this.turnEndsAt !== Infinity && performance.now() >= this.turnEndsAt) break;
      if (!this.work.next()) return this.held.length > 0;
      const { host, portIndex, attempt } = this.work;
      if (!offer(host, portIndex, attempt)) this.held.push(host, portIndex, attempt);
      if (this.limit.pauseUntil > now) break; // a local error
    }
    return true;
  }

  /**
   * Launch (host, port index) if its host and --rate allow it now; false to hold it. Until a
   * host has answered, only the first DISCOVERY_ROUNDS entries of it this Worker meets go (the
   * usual ports, see order.ts): a dead address costs those, not a timeout cycle per port.
   */
  private offer(host: number, portIndex: number, attempt: number, now: number): boolean {
    const status = Atomics.load(this.shared.status, host);
    if (isHostOver(status) || this.hostTimedOut(host)) {
      this.leave(host);
      return true;
    }
    const discovering = attempt === 0 && this.job.probe.discovery && status === HOST.unknown;
    if (discovering && (this.firstTries[host] as number) >= DISCOVERY_ROUNDS) return false;
    if (!this.control.mayLaunch(host, attempt, now)) return false;
    if (this.pacer) {
      const at = crossThreadNowMs();
      if (!this.pacer.tryTake(at)) {
        this.nextPaceAt = performance.now() + (this.pacer.nextSendTime(at) - at);
        return false;
      }
    }
    const errors = this.limit.errors;
    this.launch(host, portIndex, attempt);
    // A probe that met a local error never left: it does not count as a discovery probe.
    if (discovering && this.limit.errors === errors)
      this.firstTries[host] = (this.firstTries[host] as number) + 1;
    return true;
  }

  /** --host-timeout: is `host` past it (it is then reported with what it has)? */
  private hostTimedOut(host: number): boolean {
    const limit = this.job.probe.hostTimeoutMs;
    if (limit === null) return false;
    const slot = timingSlot(host, TIMING.startedAt);
    const now = crossThreadNowMs();
    const started = this.shared.timing[slot] as number;
    if (started === 0) this.shared.timing[slot] = now;
    if (started === 0 || now - started <= limit) return false;
    this.hostOver(host, HOST.timedOut, 0);
    return true;
  }

  // ---- waiting, settling, expiry --------------------------------------------------------

  /** How long epoll may wait: until the earliest deadline, a pause's end, or 50 ms. */
  private waitMs(now: number, exhausted: boolean): number {
    let wait = 0;
    if (this.limit.pauseUntil > now) wait = Math.ceil(this.limit.pauseUntil - now);
    else if (this.nextPaceAt > now) wait = Math.ceil(this.nextPaceAt - now);
    else if (this.inFlight >= this.limit.cap || exhausted) wait = SETTLING_WAIT_MS;
    if (this.held.length > 0) wait = Math.min(wait === 0 ? HELD_WAIT_MS : wait, HELD_WAIT_MS);
    if (wait === 0) return 0;
    const due = Math.ceil(this.deadlines.peekDeadline() - now);
    const banner =
      this.bannerWait.length > 0 ? this.table.sentAt[this.bannerWait.peekFd()] : undefined;
    const bannerDue =
      banner === undefined ? wait : Math.ceil(banner + this.job.probe.bannerMs - now);
    return Math.max(0, Math.min(wait, due, bannerDue));
  }

  /** Settle the probes epoll reports. */
  private settleEvents(count: number, now: number): void {
    const { table } = this;
    for (let i = 0; i < count; i++) {
      const fd = this.readiness.readyFd(i);
      const mode = table.mode[fd];
      if (mode === MODE_BANNER) {
        this.readBanner(fd, false);
        continue;
      }
      if (mode !== MODE_CONNECTING) continue;
      const status = this.sockets.inspect(fd);
      if (status === PENDING) continue; // spurious wake-up
      this.conclude(fd, status, now);
    }
  }

  /** A watched probe has an outcome (`status`: CONNECTED or an errno). */
  private conclude(fd: number, status: number, now: number): void {
    const { table } = this;
    this.inFlight--;
    const host = table.host[fd] as number;
    this.control.ended(host);
    const portIndex = table.portIndex[fd] as number;
    const attempt = table.attempt[fd] as number;
    const rtt = now - (table.sentAt[fd] as number);
    table.retire(fd);
    if (status === CONNECTED) this.connected(fd, host, portIndex, attempt, rtt);
    else this.failed(fd, host, portIndex, attempt, status, rtt, false, false);
  }

  /**
   * Time out overdue probes, earliest first; each gets a last look at its socket first, so an
   * answer that arrived while this thread was busy is never misread as silence.
   */
  private expire(now: number): void {
    const { deadlines, table } = this;
    while (deadlines.length > 0 && deadlines.peekDeadline() <= now) {
      const fd = deadlines.peekFd();
      const current = deadlines.peekGen() === table.gen[fd] && table.mode[fd] === MODE_CONNECTING;
      deadlines.pop();
      if (!current) continue;
      const status = this.sockets.inspect(fd);
      if (status !== PENDING) {
        this.conclude(fd, status, now);
        continue;
      }
      this.inFlight--;
      const host = table.host[fd] as number;
      const portIndex = table.portIndex[fd] as number;
      const attempt = table.attempt[fd] as number;
      this.control.ended(host);
      this.timedOut(fd, host, portIndex, attempt);
    }
    while (this.bannerWait.length > 0) {
      const fd = this.bannerWait.peekFd();
      if (!table.isCurrent(this.bannerWait, MODE_BANNER)) {
        this.bannerWait.shift();
        continue;
      }
      if (now - (table.sentAt[fd] as number) < this.job.probe.bannerMs) break;
      this.bannerWait.shift();
      this.readBanner(fd, true);
    }
  }

  private flush(): void {
    this.tally.flush(this.shared, this.finals, (host) => this.publishTiming(host));
    if (this.opens.length === 0 && this.finals.length === 0 && this.banners.length === 0) return;
    this.post({ type: "events", opens: this.opens, finals: this.finals, banners: this.banners });
    this.opens = [];
    this.finals = [];
    this.banners = [];
  }

  /**
   * Run the loop until the work is done or stopped (true), or until `endsAt`
   * (performance.now() time) has passed (false: call again).
   */
  turns(endsAt = Infinity): boolean {
    const { ctl } = this.shared;
    let exhausted = false;
    this.turnEndsAt = endsAt;
    while (Atomics.load(ctl, CTL.stop) === 0 && this.fatal === undefined) {
      const started = performance.now();
      if (started >= endsAt) return false;
      if (this.nextPaceAt <= started) this.nextPaceAt = 0;
      exhausted = !this.fill(started);
      if (exhausted && this.inFlight === 0 && this.work.retriesWaiting === 0) break;
      const wait = Math.min(
        this.waitMs(started, exhausted),
        Math.max(0, Math.floor(endsAt - started)),
      );
      const n = this.inFlight > 0 || wait > 0 ? this.readiness.wait(wait) : 0;
      if (n < 0 && this.sockets.errno() !== EINTR)
        throw new Error(`waiting for sockets failed: ${this.errnoName()}`);
      const now = performance.now();
      this.settleEvents(Math.max(0, n), now);
      this.expire(now);
      this.flush();
    }
    return true;
  }

  /** The loop is over: release everything, and say how it went. */
  finish(): ProbeResult {
    this.flush();
    this.closeAll();
    return { errors: this.errors, fatal: this.fatal, peakInFlight: this.peakInFlight };
  }

  /** Stopped or finished: release every descriptor this Worker still holds. */
  private closeAll(): void {
    const { table } = this;
    for (let fd = 0; fd < table.mode.length; fd++) if (table.mode[fd] !== 0) this.release(fd);
    for (const list of this.spares) for (const fd of list) this.sockets.close(fd);
    this.readiness.close();
  }
}

function newProber(job: ProbeJob, post: (message: ProbeMessage) => void): Prober {
  const prober = new Prober(job, post);
  keepOffFtl(prober, Object.create(RttEstimator.prototype));
  return prober;
}

/** Run one Worker's share of a scan to completion (or until ctl[stop] is set). */
export function runProbes(job: ProbeJob, post: (message: ProbeMessage) => void): void {
  const prober = newProber(job, post);
  prober.turns();
  post({ type: "done", ...prober.finish() });
}

/** The main thread gives its event loop back this often (Ctrl-C, progress, Worker events). */
const MAIN_TURN_MS = 20;

/**
 * Run one share of a scan on this (the main) thread, in turns of MAIN_TURN_MS between which
 * the event loop runs: the share starts probing while the Workers are still starting.
 */
export async function runProbesHere(
  job: ProbeJob,
  onEvents: (message: ProbeMessage & { type: "events" }) => void,
): Promise<ProbeResult> {
  const prober = newProber(job, (message) => {
    if (message.type === "events") onEvents(message);
  });
  try {
    while (!prober.turns(performance.now() + MAIN_TURN_MS))
      await new Promise((resolve) => setImmediate(resolve));
  } catch (error) {
    prober.finish(); // its descriptors
    throw error;
  }
  return prober.finish();
}

/** Make this Worker answer one ProbeJob message, posting events and then its result. */
export function serveProbes(): void {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<ProbeJob>) => void) | null;
  };
  scope.onmessage = (event: MessageEvent<ProbeJob>) => {
    try {
      runProbes(event.data, (message) => postMessage(message));
    } catch (error) {
      postMessage({ type: "error", error: (error as Error).message });
    }
  };
}
