// The probe loop of each scan thread, over one state record (loop-state.ts): it sends what
// launch.ts allows, waits on the transport (probe-transport.ts: connect probes today, epoll
// or poll() underneath), and hands each outcome to outcomes.ts. It takes entries of the
// scan's order (work-source.ts) for every host at once. In a Worker it never yields to the
// event loop until its share of the work is done or the stop flag is raised, and events for
// the main thread (open ports, final hosts) go by postMessage, delivered while the Worker is
// busy; on the main thread it runs in turns (runProbesHere).

import { RttEstimator } from "../policy/timing.ts";
import { EINTR } from "../sys/libc.ts";
import { MODE_BANNER, MODE_CONNECTING } from "../transport/fd-table.ts";
import { OPEN, PENDING, SELF } from "../transport/probe-transport.ts";
import { pollEcho } from "./echo-ping.ts";
import { keepOffFtl } from "./jit-tier.ts";
import * as launch from "./launch.ts";
import { fill } from "./launch.ts";
import { createLoopState, type LoopState, sweepSlots } from "./loop-state.ts";
import * as outcomes from "./outcomes.ts";
import { failed, opened, readBanner, selfConnected, timedOut } from "./outcomes.ts";
import * as bookkeeping from "./probe-bookkeeping.ts";
import { errnoName, leave, publishTiming, release } from "./probe-bookkeeping.ts";
import type { ProbeJob, ProbeMessage, ProbeResult } from "./probe-job.ts";
import { CTL } from "./shared-memory.ts";

export type { ProbeJob, ProbeMessage, ProbeResult } from "./probe-job.ts";

const SETTLING_WAIT_MS = 50;
/** A loop whose next entries wait for their group to be let in looks again this often. */
const BLOCKED_WAIT_MS = 1;
/** Entries held for their host are looked at again this often at least. */
const HELD_WAIT_MS = 5;

/** How long the transport may wait: until the earliest deadline, a pause's end, or 50 ms. */
function waitMs(s: LoopState, now: number, exhausted: boolean): number {
  const { limit } = s;
  let wait = 0;
  if (limit.pauseUntil > now) wait = Math.ceil(limit.pauseUntil - now);
  else if (s.nextPaceAt > now) wait = Math.ceil(s.nextPaceAt - now);
  else if (s.inFlight >= limit.cap || exhausted) wait = SETTLING_WAIT_MS;
  else if (s.work.blocked) wait = BLOCKED_WAIT_MS;
  if (s.held.length > 0) wait = Math.min(wait === 0 ? HELD_WAIT_MS : wait, HELD_WAIT_MS);
  if (wait === 0) return 0;
  const due = Math.ceil(s.deadlines.peekDeadline() - now);
  const banner = s.bannerWait.length > 0 ? s.table.sentAt[s.bannerWait.peekFd()] : undefined;
  const bannerDue = banner === undefined ? wait : Math.ceil(banner + s.job.probe.bannerMs - now);
  return Math.max(0, Math.min(wait, due, bannerDue));
}

/** A watched probe has an outcome (not PENDING): the transport's, for handle `h`. */
function conclude(s: LoopState, h: number, outcome: number, now: number): void {
  const { table } = s;
  s.inFlight--;
  const host = table.host[h] as number;
  s.control.ended(host);
  const portIndex = table.portIndex[h] as number;
  const attempt = table.attempt[h] as number;
  const rtt = now - (table.sentAt[h] as number);
  table.retire(h); // OPEN: opened() releases it or watches it for a banner
  if (outcome === OPEN) opened(s, h, host, portIndex, attempt, rtt);
  else if (outcome === SELF) selfConnected(s, host, portIndex, attempt);
  else failed(s, host, portIndex, attempt, outcome, rtt);
}

/** Settle the probes the transport reports ready. */
function settleReady(s: LoopState, count: number, now: number): void {
  const { table, transport } = s;
  for (let i = 0; i < count; i++) {
    const h = transport.ready(i);
    const mode = table.mode[h];
    if (mode === MODE_BANNER) {
      readBanner(s, h, false);
      continue;
    }
    if (mode !== MODE_CONNECTING) continue;
    const outcome = transport.check(h);
    if (outcome !== PENDING) conclude(s, h, outcome, now); // else a spurious wake-up
  }
}

/**
 * Time out overdue probes, earliest first; each gets a last look first, so an answer that
 * arrived while this thread was busy is never misread as silence.
 */
function expire(s: LoopState, now: number): void {
  const { deadlines, table, bannerWait } = s;
  while (deadlines.length > 0 && deadlines.peekDeadline() <= now) {
    const h = deadlines.peekFd();
    const current = deadlines.peekGen() === table.gen[h] && table.mode[h] === MODE_CONNECTING;
    deadlines.pop();
    if (!current) continue;
    const outcome = s.transport.check(h);
    if (outcome !== PENDING) {
      conclude(s, h, outcome, now);
      continue;
    }
    s.inFlight--;
    const host = table.host[h] as number;
    s.control.ended(host);
    timedOut(s, h, host, table.portIndex[h] as number, table.attempt[h] as number);
  }
  while (bannerWait.length > 0) {
    const h = bannerWait.peekFd();
    if (!table.isCurrent(bannerWait, MODE_BANNER)) {
      bannerWait.shift();
      continue;
    }
    if (now - (table.sentAt[h] as number) < s.job.probe.bannerMs) break;
    bannerWait.shift();
    readBanner(s, h, true);
  }
}

function flush(s: LoopState): void {
  s.tally.flush(s.job.shared, s.finals, (host) => publishTiming(s, host));
  sweepSlots(s, performance.now());
  if (s.opens.length === 0 && s.finals.length === 0 && s.banners.length === 0) return;
  s.post({ type: "events", opens: s.opens, finals: s.finals, banners: s.banners });
  s.opens = [];
  s.finals = [];
  s.banners = [];
}

/**
 * Run the loop until the work is done or stopped (true), or until `endsAt`
 * (performance.now() time) has passed (false: call again).
 */
export function turns(s: LoopState, endsAt = Infinity): boolean {
  const { ctl } = s.job.shared;
  let exhausted = false;
  s.turnEndsAt = endsAt;
  while (Atomics.load(ctl, CTL.stop) === 0 && s.fatal === undefined) {
    const started = performance.now();
    if (started >= endsAt) return false;
    if (s.nextPaceAt <= started) s.nextPaceAt = 0;
    exhausted = !fill(s, started);
    if (exhausted && s.inFlight === 0 && s.work.retriesWaiting === 0) break;
    // On the main thread, a loop waiting for a group gives the event loop back: the Workers'
    // events it is waiting on are read there (host-window.ts).
    if (s.work.blocked && endsAt !== Infinity && s.inFlight === 0) {
      flush(s);
      return false;
    }
    const wait = Math.min(waitMs(s, started, exhausted), Math.max(0, Math.floor(endsAt - started)));
    const n = s.inFlight > 0 || wait > 0 ? s.transport.wait(wait) : 0;
    if (n < 0 && s.transport.errno() !== EINTR)
      throw new Error(`waiting for sockets failed: ${errnoName(s.transport.errno())}`);
    const now = performance.now();
    settleReady(s, Math.max(0, n), now);
    expire(s, now);
    pollEcho(s, now);
    flush(s);
  }
  return true;
}

/** The loop is over: release everything, and say how it went. */
export function finish(s: LoopState): ProbeResult {
  flush(s);
  const { table } = s;
  for (let h = 0; h < table.mode.length; h++) if (table.mode[h] !== 0) release(s, h);
  s.transport.close();
  s.echo?.close();
  return { errors: s.errors, fatal: s.fatal, peakInFlight: s.peakInFlight };
}

/** The loop's functions stay off the top JIT tier (jit-tier.ts), as its objects' methods. */
const LOOP_FUNCTIONS = [
  waitMs,
  conclude,
  settleReady,
  expire,
  flush,
  turns,
  ...Object.values(launch),
  ...Object.values(outcomes),
  ...Object.values(bookkeeping),
];

function newLoop(job: ProbeJob, post: (message: ProbeMessage) => void): LoopState {
  const s = createLoopState(job, post, leave);
  s.sendPings = (host) => launch.sendPings(s, host);
  keepOffFtl(LOOP_FUNCTIONS, s, Object.create(RttEstimator.prototype));
  return s;
}

/** Run one Worker's share of a scan to completion (or until ctl[stop] is set). */
export function runProbes(job: ProbeJob, post: (message: ProbeMessage) => void): void {
  const s = newLoop(job, post);
  turns(s);
  post({ type: "done", ...finish(s) });
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
  const s = newLoop(job, (message) => {
    if (message.type === "events") onEvents(message);
  });
  try {
    while (!turns(s, performance.now() + MAIN_TURN_MS)) {
      if (s.work.blocked) await Bun.sleep(BLOCKED_WAIT_MS);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    finish(s); // its descriptors
    throw error;
  }
  return finish(s);
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
