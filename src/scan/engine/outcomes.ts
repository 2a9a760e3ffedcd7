// What becomes of a probe, in a probe Worker (prober.ts runs the loop): an answer (open,
// closed, or the network saying the host is unreachable), a timeout (another try, filtered, or
// a silent host called down), a local error (the entry goes back in line). States go into the
// shared memory, events for the main thread into the lists the loop posts.

import { STATE_CODE } from "../model/results.ts";
import { DEFAULT_DISCOVERY } from "../policy/discovery.ts";
import { HostControl } from "../policy/host-control.ts";
import { LocalLimit, STALL_MS } from "../policy/local-limit.ts";
import { RttEstimator } from "../policy/timing.ts";
import {
  ECONNREFUSED,
  EHOSTUNREACH,
  ENETDOWN,
  ENETUNREACH,
  errnoNames,
  LOCAL_ERRNOS,
} from "../sys/libc.ts";
import { FdQueue, FdTable, MODE_BANNER } from "../transport/fd-table.ts";
import { ProbeSockets } from "../transport/probe-socket.ts";
import { createReadiness, type Readiness, WAIT_READ } from "../transport/readiness.ts";
import { DeadlineHeap } from "./deadline-heap.ts";
import type { ProbeJob, ProbeMessage } from "./probe-job.ts";
import { CTL, HOST, isHostOver, type SharedScan, TIMING, timingSlot } from "./shared-memory.ts";
import { Tally } from "./tally.ts";
import { WorkSource } from "./work-source.ts";

export const MAX_EVENTS = 1024;
const MAX_SPARES = 4;
const SELF_CONNECT_TRIES = 4;
/**
 * A host's first entries, its discovery probes: until it answers only these go, and when all
 * of them have timed out on every try it is called down (discovery.ts: DEFAULT_DISCOVERY).
 */
export const DISCOVERY_ROUNDS = DEFAULT_DISCOVERY.probes;

export class ProbeOutcomes {
  protected readonly sockets: ProbeSockets;
  protected readonly table = new FdTable();
  protected readonly deadlines = new DeadlineHeap();
  protected readonly bannerWait = new FdQueue();
  protected readonly spares: number[][] = [[], [], [], [], [], [], []]; // by family (4, 6)
  protected readonly work: WorkSource;
  protected readonly limit: LocalLimit;
  protected readonly estimators: Array<RttEstimator | undefined> = [];
  protected readonly selfConnects = new Map<number, number>();
  protected readonly errors: Record<string, number> = {};
  /** epoll (the Linux engine) or poll() (the portable one): transport/readiness.ts. */
  protected readonly readiness: Readiness;
  protected readonly portCount: number;
  protected inFlight = 0;
  protected peakInFlight = 0;
  protected fatal: string | undefined;
  protected opens: number[] = [];
  protected finals: number[] = [];
  protected banners: Array<[number, number, string]> = [];
  protected readonly tally: Tally;
  protected readonly control: HostControl;
  /** Set while a probe is settled inside its connect() call (see Prober.launch). */
  protected inConnect = false;

  constructor(
    protected readonly job: ProbeJob,
    protected readonly post: (message: ProbeMessage) => void,
  ) {
    this.sockets = new ProbeSockets(job.targets);
    this.portCount = job.order.portCount;
    this.tally = new Tally(job.targets.length);
    this.control = new HostControl(job.probe, job.concurrency);
    this.work = new WorkSource(job.order, job.shard, job.pin, job.shared, (host) =>
      this.leave(host),
    );
    this.limit = new LocalLimit(job.concurrency, performance.now());
    this.readiness = createReadiness(job.probe.engine, this.sockets, this.table, MAX_EVENTS);
  }

  protected errnoName(e = this.sockets.errno()): string {
    return errnoNames[e] ?? `errno ${e}`;
  }

  protected countError(e: number): void {
    const name = this.errnoName(e);
    this.errors[name] = (this.errors[name] ?? 0) + 1;
  }

  protected estimator(host: number): RttEstimator {
    let e = this.estimators[host];
    if (!e) {
      e = new RttEstimator(this.job.probe.policy);
      this.estimators[host] = e;
    }
    return e;
  }

  /** Timeout of try `attempt` to `host`: a retry waits twice as long as the try before it. */
  protected timeoutFor(host: number, attempt: number): number {
    if (this.job.probe.fixedTimeoutMs !== null) return this.job.probe.fixedTimeoutMs;
    return this.estimator(host).timeoutMs(attempt);
  }

  // ---- outcomes -------------------------------------------------------------------------

  /** An answer from `host` to try `attempt` after `rttMs` (`rst`: a reset): it is up. */
  protected answered(host: number, rttMs: number, attempt: number, rst: boolean): void {
    const { status } = this.job.shared;
    if (Atomics.load(status, host) === HOST.unknown)
      Atomics.compareExchange(status, host, HOST.unknown, HOST.up);
    this.estimator(host).sample(rttMs);
    this.tally.sample(host);
    if (this.inConnect) return;
    const now = performance.now();
    const sentAt = now - rttMs;
    // The try that was lost went out at least one timeout before this one (this one was sent
    // when it expired): its time decides whether it counts against the current window.
    const lostAt = attempt > 0 ? sentAt - this.timeoutFor(host, attempt - 1) : sentAt;
    this.control.answered(host, attempt, sentAt, lostAt, now, rst);
  }

  /** Publish `host`'s timing for the reports (once per loop turn, see Tally). */
  protected publishTiming(host: number): void {
    const e = this.estimator(host);
    const { timing } = this.job.shared;
    timing[timingSlot(host, TIMING.srtt)] = e.smoothedMs ?? 0;
    timing[timingSlot(host, TIMING.rttvar)] = e.variationMs ?? 0;
    timing[timingSlot(host, TIMING.timeout)] = this.timeoutFor(host, 0);
  }

  /** One entry of `host` is over (with a state or not): count it, and report a final host. */
  protected leave(host: number): void {
    this.tally.count(CTL.done);
    this.tally.leave(host);
  }

  /** Give (host, port index) its state, unless its host is already out of the scan. */
  protected settle(host: number, portIndex: number, state: number): void {
    const { shared } = this;
    if (!isHostOver(Atomics.load(shared.status, host))) {
      shared.states[host * this.portCount + portIndex] = state;
      const slot =
        state === STATE_CODE.open
          ? CTL.open
          : state === STATE_CODE.closed
            ? CTL.closed
            : CTL.filtered;
      this.tally.count(slot);
      if (state === STATE_CODE.open) this.opens.push(host, portIndex);
    }
    this.leave(host);
  }

  protected get shared(): SharedScan {
    return this.job.shared;
  }

  /** Take `host` out of the scan with `code` (down, unreachable): reported at once. */
  protected hostOver(host: number, code: number, reason: number): void {
    const { status } = this.shared;
    const before = Atomics.load(status, host);
    if (isHostOver(before) || Atomics.compareExchange(status, host, before, code) !== before)
      return;
    this.shared.reason[host] = reason;
    this.finals.push(host);
  }

  protected release(fd: number): void {
    this.table.retire(fd);
    this.readiness.forget(fd);
    this.sockets.close(fd);
  }

  /** A local resource error: the entry goes back in line and the pace drops. */
  protected localRetry(host: number, portIndex: number, attempt: number, e: number): void {
    this.countError(e);
    this.tally.count(CTL.localRetries);
    this.work.again(host, portIndex, attempt);
    if (this.limit.hit(this.inFlight, performance.now())) {
      // Not one probe could start for seconds: not a passing shortage but a machine that
      // cannot reach its targets at all (e.g. EADDRNOTAVAIL: no usable source address).
      this.fatal ??= `cannot start probes for ${STALL_MS / 1000} s (${this.errnoName(e)})`;
    }
  }

  protected connected(fd: number, host: number, portIndex: number, attempt: number, rttMs: number) {
    if (this.sockets.isSelfConnect(fd, host)) {
      // The kernel picked source port == destination port and the SYN met itself: nothing
      // listens there. Probe again (another source port) to be sure, then call it closed.
      this.tally.count(CTL.selfConnects);
      this.release(fd);
      const key = host * this.portCount + portIndex;
      const tries = (this.selfConnects.get(key) ?? 0) + 1;
      this.selfConnects.set(key, tries);
      if (tries >= SELF_CONNECT_TRIES) this.settle(host, portIndex, STATE_CODE.closed);
      else this.work.again(host, portIndex, attempt);
      return;
    }
    this.answered(host, rttMs, attempt, false);
    if (this.job.probe.bannerMs > 0 && this.waitForBanner(fd, host, portIndex)) {
      // Its state is known now; the entry is left once the banner is read.
      this.shared.states[host * this.portCount + portIndex] = STATE_CODE.open;
      this.tally.count(CTL.open);
      this.opens.push(host, portIndex);
      return;
    }
    this.release(fd);
    this.settle(host, portIndex, STATE_CODE.open);
  }

  /**
   * A probe's connect failed with `e`. `reusable`: the socket may serve another probe (it is
   * not in epoll), after connect(AF_UNSPEC) unless `dissolved` (the kernel already did).
   */
  protected failed(
    fd: number,
    host: number,
    portIndex: number,
    attempt: number,
    e: number,
    rttMs: number,
    reusable: boolean,
    dissolved: boolean,
  ): void {
    if (e === ECONNREFUSED) {
      this.answered(host, rttMs, attempt, true);
      this.settle(host, portIndex, STATE_CODE.closed);
      const spares = this.spares[this.sockets.family(host)] as number[];
      const reuse = reusable && this.sockets.reconnects && spares.length < MAX_SPARES;
      if (reuse && (dissolved || this.sockets.reset(fd))) {
        spares.push(fd);
        return;
      }
      this.release(fd);
      return;
    }
    this.release(fd);
    if (LOCAL_ERRNOS.has(e)) {
      this.localRetry(host, portIndex, attempt, e);
      return;
    }
    this.countError(e);
    const unreachable = e === ENETUNREACH || e === ENETDOWN || e === EHOSTUNREACH;
    if (unreachable && Atomics.load(this.shared.status, host) !== HOST.up) {
      // The network says this host cannot be reached, and it never answered: skip it.
      this.hostOver(host, HOST.unreachable, e);
      this.leave(host);
      return;
    }
    // Unreachable, administratively prohibited, reset before completion on a host that does
    // answer elsewhere: something in the way answered instead of the port. nmap: filtered.
    this.settle(host, portIndex, STATE_CODE.filtered);
  }

  /** No answer in time: another try, or filtered (and a silent host is called down). */
  protected timedOut(fd: number, host: number, portIndex: number, attempt: number): void {
    const sentAt = this.table.sentAt[fd] as number;
    this.release(fd); // closing a SYN_SENT socket frees it at once
    this.control.timedOut(host, sentAt);
    const answeredYet = Atomics.load(this.shared.status, host) !== HOST.unknown;
    if (attempt < this.control.lastAttempt(host, answeredYet)) {
      this.tally.count(CTL.retries);
      this.work.again(host, portIndex, attempt + 1);
      return;
    }
    if (
      this.job.probe.discovery &&
      Atomics.load(this.shared.status, host) === HOST.unknown &&
      Atomics.add(this.shared.silent, host, 1) + 1 >= Math.min(DISCOVERY_ROUNDS, this.portCount)
    ) {
      this.hostOver(host, HOST.down, 0);
      this.leave(host);
      return;
    }
    this.settle(host, portIndex, STATE_CODE.filtered);
  }

  protected waitForBanner(fd: number, host: number, portIndex: number): boolean {
    if (!this.readiness.watch(fd, WAIT_READ)) return false;
    this.table.track(fd, host, portIndex, 0, performance.now());
    this.table.mode[fd] = MODE_BANNER;
    this.bannerWait.push(fd, this.table.gen[fd] as number);
    this.inFlight++;
    return true;
  }

  /** Read what an open port said; `final` at the deadline, else only if data is there. */
  protected readBanner(fd: number, final: boolean): void {
    const text = this.sockets.recv(fd, LOCAL_ERRNOS);
    if (text === null && !final) return; // EAGAIN: spurious wake-up
    const host = this.table.host[fd] as number;
    const portIndex = this.table.portIndex[fd] as number;
    if (text) this.banners.push([host, this.job.ports[portIndex] as number, text]);
    this.inFlight--;
    this.release(fd);
    this.leave(host);
  }
}
