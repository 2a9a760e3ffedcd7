// What becomes of a probe (prober.ts runs the loop, launch.ts sends): an answer (open,
// closed, or the network saying the host is unreachable), a timeout (another try, filtered, or
// a silent host called down), a local error (the entry goes back in line). States go into the
// shared memory, events for the main thread into the lists the loop posts.

import { STATE_CODE } from "../model/results.ts";
import { DEFAULT_DISCOVERY } from "../policy/discovery.ts";
import { STALL_MS } from "../policy/local-limit.ts";
import { RttEstimator } from "../policy/timing.ts";
import {
  ECONNREFUSED,
  EHOSTUNREACH,
  ENETDOWN,
  ENETUNREACH,
  errnoNames,
  LOCAL_ERRNOS,
} from "../sys/libc.ts";
import { MODE_BANNER } from "../transport/fd-table.ts";
import type { LoopState } from "./loop-state.ts";
import { CTL, HOST, isHostOver, TIMING, timingSlot } from "./shared-memory.ts";

const SELF_CONNECT_TRIES = 4;
/**
 * A host's first entries, its discovery probes: until it answers only these go, and when all
 * of them have timed out on every try it is called down (discovery.ts: DEFAULT_DISCOVERY).
 */
export const DISCOVERY_ROUNDS = DEFAULT_DISCOVERY.probes;

export function errnoName(e: number): string {
  return errnoNames[e] ?? `errno ${e}`;
}

function countError(s: LoopState, e: number): void {
  const name = errnoName(e);
  s.errors[name] = (s.errors[name] ?? 0) + 1;
}

function estimator(s: LoopState, host: number): RttEstimator {
  let e = s.estimators[host];
  if (!e) {
    e = new RttEstimator(s.job.probe.policy);
    s.estimators[host] = e;
  }
  return e;
}

/** Timeout of try `attempt` to `host`: a retry waits twice as long as the try before it. */
export function timeoutFor(s: LoopState, host: number, attempt: number): number {
  const fixed = s.job.probe.fixedTimeoutMs;
  return fixed !== null ? fixed : estimator(s, host).timeoutMs(attempt);
}

/** An answer from `host` to try `attempt` after `rttMs` (`rst`: a reset): it is up. */
function answered(s: LoopState, host: number, rttMs: number, attempt: number, rst: boolean) {
  const { status } = s.job.shared;
  if (Atomics.load(status, host) === HOST.unknown)
    Atomics.compareExchange(status, host, HOST.unknown, HOST.up);
  estimator(s, host).sample(rttMs);
  s.tally.sample(host);
  // An answer inside start() itself comes from this machine: no window, loss or RST limit to
  // learn from it, and skipping that bookkeeping keeps the loopback scan's CPU down.
  if (s.settledHere) return;
  const now = performance.now();
  const sentAt = now - rttMs;
  // The try that was lost went out at least one timeout before this one (this one was sent
  // when it expired): its time decides whether it counts against the current window.
  const lostAt = attempt > 0 ? sentAt - timeoutFor(s, host, attempt - 1) : sentAt;
  s.control.answered(host, attempt, sentAt, lostAt, now, rst);
}

/** Publish `host`'s timing for the reports (once per loop turn, see Tally). */
export function publishTiming(s: LoopState, host: number): void {
  const e = estimator(s, host);
  const { timing } = s.job.shared;
  timing[timingSlot(host, TIMING.srtt)] = e.smoothedMs ?? 0;
  timing[timingSlot(host, TIMING.rttvar)] = e.variationMs ?? 0;
  timing[timingSlot(host, TIMING.timeout)] = timeoutFor(s, host, 0);
}

/** One entry of `host` is over (with a state or not): count it, and report a final host. */
export function leave(s: LoopState, host: number): void {
  s.tally.count(CTL.done);
  s.tally.leave(host);
}

/** Record (host, port index) as open: its state, and an event for the main thread. */
function markOpen(s: LoopState, host: number, portIndex: number): void {
  s.job.shared.states[host * s.portCount + portIndex] = STATE_CODE.open;
  s.opens.push(host, portIndex);
}

/** Give (host, port index) its state, unless its host is already out of the scan. */
function settle(s: LoopState, host: number, portIndex: number, state: number): void {
  const { shared } = s.job;
  if (!isHostOver(Atomics.load(shared.status, host))) {
    if (state === STATE_CODE.open) markOpen(s, host, portIndex);
    else shared.states[host * s.portCount + portIndex] = state;
  }
  leave(s, host);
}

/** Take `host` out of the scan with `code` (down, unreachable, timed out): reported at once. */
export function hostOver(s: LoopState, host: number, code: number, reason: number): void {
  const { status } = s.job.shared;
  const before = Atomics.load(status, host);
  if (isHostOver(before) || Atomics.compareExchange(status, host, before, code) !== before) return;
  s.job.shared.reason[host] = reason;
  s.finals.push(host);
}

/** The loop is done with handle `h`: its table entry and what the transport holds. */
export function release(s: LoopState, h: number): void {
  s.table.retire(h);
  s.transport.end(h);
}

/** A local resource error: the entry goes back in line and the pace drops. */
function localRetry(s: LoopState, host: number, portIndex: number, attempt: number, e: number) {
  countError(s, e);
  s.tally.count(CTL.localRetries);
  s.work.again(host, portIndex, attempt);
  if (s.limit.hit(s.inFlight, performance.now())) {
    // Not one probe could start for seconds: not a passing shortage but a machine that
    // cannot reach its targets at all (e.g. EADDRNOTAVAIL: no usable source address).
    s.fatal ??= `cannot start probes for ${STALL_MS / 1000} s (${errnoName(e)})`;
  }
}

/** The probe met itself on loopback: nothing listens there. Probe again, then call it closed. */
export function selfConnected(s: LoopState, host: number, portIndex: number, attempt: number) {
  s.tally.count(CTL.selfConnects);
  const key = host * s.portCount + portIndex;
  const tries = (s.selfConnects.get(key) ?? 0) + 1;
  s.selfConnects.set(key, tries);
  if (tries >= SELF_CONNECT_TRIES) settle(s, host, portIndex, STATE_CODE.closed);
  else s.work.again(host, portIndex, attempt);
}

/** The probe on handle `h` found (host, port index) open. */
export function opened(
  s: LoopState,
  h: number,
  host: number,
  portIndex: number,
  attempt: number,
  rttMs: number,
): void {
  answered(s, host, rttMs, attempt, false);
  if (s.job.probe.bannerMs > 0 && waitForBanner(s, h, host, portIndex)) {
    // Its state is known now; the entry is left once the banner is read.
    markOpen(s, host, portIndex);
    return;
  }
  release(s, h);
  settle(s, host, portIndex, STATE_CODE.open);
}

/** A probe ended with errno `e` (the transport has released it). */
export function failed(
  s: LoopState,
  host: number,
  portIndex: number,
  attempt: number,
  e: number,
  rttMs: number,
): void {
  if (e === ECONNREFUSED) {
    answered(s, host, rttMs, attempt, true);
    settle(s, host, portIndex, STATE_CODE.closed);
    return;
  }
  if (LOCAL_ERRNOS.has(e)) {
    localRetry(s, host, portIndex, attempt, e);
    return;
  }
  countError(s, e);
  const unreachable = e === ENETUNREACH || e === ENETDOWN || e === EHOSTUNREACH;
  if (unreachable && Atomics.load(s.job.shared.status, host) !== HOST.up) {
    // The network says this host cannot be reached, and it never answered: skip it.
    hostOver(s, host, HOST.unreachable, e);
    leave(s, host);
    return;
  }
  // Unreachable, administratively prohibited, reset before completion on a host that does
  // answer elsewhere: something in the way answered instead of the port. nmap: filtered.
  settle(s, host, portIndex, STATE_CODE.filtered);
}

/** No answer in time on handle `h`: another try, or filtered (a silent host is called down). */
export function timedOut(
  s: LoopState,
  h: number,
  host: number,
  portIndex: number,
  attempt: number,
) {
  const sentAt = s.table.sentAt[h] as number;
  release(s, h); // closing a SYN_SENT socket frees it at once
  s.control.timedOut(host, sentAt);
  const { shared } = s.job;
  const answeredYet = Atomics.load(shared.status, host) !== HOST.unknown;
  if (attempt < s.control.lastAttempt(host, answeredYet)) {
    s.tally.count(CTL.retries);
    s.work.again(host, portIndex, attempt + 1);
    return;
  }
  if (
    s.job.probe.discovery &&
    Atomics.load(shared.status, host) === HOST.unknown &&
    Atomics.add(shared.silent, host, 1) + 1 >= Math.min(DISCOVERY_ROUNDS, s.portCount)
  ) {
    hostOver(s, host, HOST.down, 0);
    leave(s, host);
    return;
  }
  settle(s, host, portIndex, STATE_CODE.filtered);
}

function waitForBanner(s: LoopState, h: number, host: number, portIndex: number): boolean {
  if (!s.transport.watchReply(h)) return false;
  s.table.track(h, host, portIndex, 0, performance.now());
  s.table.mode[h] = MODE_BANNER;
  s.bannerWait.push(h, s.table.gen[h] as number);
  s.inFlight++;
  return true;
}

/** Read what an open port said; `final` at the deadline, else only if data is there. */
export function readBanner(s: LoopState, h: number, final: boolean): void {
  const text = s.transport.readReply(h);
  if (text === null && !final) return; // nothing yet: a spurious wake-up
  const host = s.table.host[h] as number;
  const portIndex = s.table.portIndex[h] as number;
  if (text) s.banners.push([host, s.job.ports[portIndex] as number, text]);
  s.inFlight--;
  release(s, h);
  leave(s, host);
}
