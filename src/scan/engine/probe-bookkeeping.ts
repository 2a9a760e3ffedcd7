// The bookkeeping every outcome of a probe shares (outcomes.ts decides which applies): a
// host's RTT estimate and timeouts, a port's state and reason into the shared memory, the
// all-open count, a host taken out of the scan, a handle released. Its own file so that
// outcomes.ts holds the decisions only (it was 335 lines with both).
import { HOST_REASON_CODE, packState } from "../model/reasons.ts";
import { STATE_CODE } from "../model/results.ts";
import { allOpenVerdict, DEFAULT_ALL_OPEN } from "../policy/all-open.ts";
import { RttEstimator } from "../policy/timing.ts";
import { errnoNames } from "../sys/libc.ts";
import type { LoopState } from "./loop-state.ts";
import { CTL, HOST, isHostOver, TIMING, timingSlot } from "./shared-memory.ts";

export function errnoName(e: number): string {
  return errnoNames[e] ?? `errno ${e}`;
}

export function countError(s: LoopState, e: number): void {
  const name = errnoName(e);
  s.errors[name] = (s.errors[name] ?? 0) + 1;
}

export function estimator(s: LoopState, host: number): RttEstimator {
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
export function answered(s: LoopState, host: number, rttMs: number, attempt: number, rst: boolean) {
  const { status, reason } = s.job.shared;
  const first =
    Atomics.load(status, host) === HOST.unknown &&
    Atomics.compareExchange(status, host, HOST.unknown, HOST.up) === HOST.unknown;
  // The first answer is the host's reason to be up (nmap: syn-ack, conn-refused).
  if (first) Atomics.store(reason, host, HOST_REASON_CODE[rst ? "conn-refused" : "syn-ack"]);
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
export function markOpen(s: LoopState, host: number, portIndex: number): void {
  s.job.shared.states[host * s.portCount + portIndex] = packState(
    STATE_CODE.open,
    HOST_REASON_CODE["syn-ack"],
  );
  s.opens.push(host, portIndex);
  countForAllOpen(s, host, true);
}

/** Give (host, port index) its state and reason, unless its host is already out of the scan. */
export function settle(
  s: LoopState,
  host: number,
  portIndex: number,
  state: number,
  why: number,
): void {
  const { shared } = s.job;
  if (!isHostOver(Atomics.load(shared.status, host))) {
    if (state === STATE_CODE.open) markOpen(s, host, portIndex);
    else {
      shared.states[host * s.portCount + portIndex] = packState(state, why);
      countForAllOpen(s, host, false);
    }
  }
  leave(s, host);
}

/**
 * A host that accepts every port (policy/all-open.ts) is cut short: reported up with what it
 * has, marked. Counted per Worker: each sees its part of the host's ports in the same order.
 */
export function countForAllOpen(s: LoopState, host: number, open: boolean): void {
  const counts = s.portTally;
  const at = host * 2;
  counts[at] = (counts[at] as number) + (open ? 1 : 0);
  counts[at + 1] = (counts[at + 1] as number) + 1;
  const opened = counts[at] as number;
  const settled = counts[at + 1] as number;
  const share = Math.ceil(s.portCount / s.job.probe.threads);
  const verdict = allOpenVerdict(
    { open: opened, closed: settled - opened, filtered: 0, total: share },
    DEFAULT_ALL_OPEN,
  );
  if (verdict !== null) hostOver(s, host, HOST.allOpen, ALL_OPEN_CODE[verdict]);
}

const ALL_OPEN_CODE = { "port-threshold": 1, "closed-ports-accept": 2 } as const;

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
