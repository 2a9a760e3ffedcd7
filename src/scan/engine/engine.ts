// tp-scan's engine: one set of probe loops for the whole run, one on this (the main) thread and
// one in each Worker, each running raw non-blocking sockets through bun:ffi (socket/connect/
// epoll from libc, see prober.ts), all of them taking entries of one work space, targets x
// ports, in the seeded order of order.ts. Results go through SharedArrayBuffers (shared.ts);
// the loops post open ports and final hosts as they happen, and this side turns them into the
// events of results.ts.
//
// Why this engine (full loopback range, 65535 ports, 2-core machine; figures in
// bench/results/latest.md and docs/scan-engine.md):
//  - Bun.connect cannot cancel a pending connect: a timed-out probe keeps its descriptor until
//    the kernel gives up (~2 min; 2001 filtered probes left 2009 fds open). Unusable for
//    filtered hosts. node:net with destroy() frees them but measured ~2x slower.
//  - bun:ffi over libc, one epoll loop per Worker: close() on a timed-out probe frees it at
//    once. On loopback the handshake (or RST) completes inside connect() itself, so a second
//    connect() settles most probes without epoll, and a refused socket serves the next probe
//    (2 system calls per closed port in all).
// Exactness: self-connects (source port == destination port on loopback) are detected and
// re-probed; EMFILE/ENFILE/EADDRNOTAVAIL/ENOBUFS/EAGAIN are the scanner's limits, never a
// state: the port is re-queued and the pace drops; a probe about to time out gets a last look
// at its socket first.

import type { ScanPlan } from "../model/plan.ts";
import type { HostResult, ScanEvents } from "../model/results.ts";
import { openFdCount } from "../sys/libc.ts";
import { HostWindow, hostGroupSize, windowSlots } from "./host-window.ts";
import { orderTables, shardLength } from "./order.ts";
import type { ProbeResult } from "./probe-job.ts";
import { runProbesHere } from "./prober.ts";
import { CTL, createShared, sharedInt32Array } from "./shared-memory.ts";
import {
  fdsAfter,
  jobFor,
  type RunMemory,
  settleWorkers,
  sharedRate,
  spawnWorkers,
  startWorker,
  type WorkerRun,
} from "./workers.ts";

export { setWorkerEntry } from "./workers.ts";

export interface ScanStats {
  threads: number;
  concurrency: number;
  probes: number;
  retries: number;
  localRetries: number;
  selfConnects: number;
  peakInFlight: number;
  errors: Record<string, number>;
  /** Open descriptors of the process; `after` is -1 with ScanOptions.exitsAfter. */
  fds: { baseline: number; peak: number; after: number };
}

export interface ScanOptions {
  /** How often onProgress is called, ms. */
  progressMs?: number;
  /**
   * The process exits right after this scan (the command line, unless --json shows
   * stats.fds): the Workers are left to the exit (unref'd) instead of being torn down, waited
   * for, and the descriptors counted after. Of a 0.35 s full loopback scan, the teardown took
   * 10-15 ms at exit and the wait for it 11-44 ms.
   */
  exitsAfter?: boolean;
  /**
   * Keep every host's result for ScanSummary.hosts (the library, --json: ~1 KB a host plus its
   * ports); the command line's other outputs take each host as it is reported and keep none.
   */
  keepHosts?: boolean;
}

export interface ScanSummary {
  /** Every host reported, in the plan's order (empty unless ScanOptions.keepHosts). */
  readonly hosts: HostResult[];
  elapsedMs: number;
  interrupted: boolean;
  stats: ScanStats;
}

/** The order, its host groups and the window's shared memory for a plan. */
function setUpRun(plan: ScanPlan): RunMemory & { total: number } {
  const hostCount = plan.targets.count;
  const portCount = plan.ports.length;
  const groupSize = hostGroupSize(hostCount, portCount, plan.probe.concurrency);
  const shared = createShared(windowSlots(hostCount, groupSize), portCount);
  const tables = orderTables({
    hostCount,
    groupSize,
    ports: plan.ports,
    seed: plan.seed,
    ordered: plan.ordered,
  });
  const total = shardLength(hostCount * portCount, plan.shard);
  return { shared, tables, total, ports: sharedInt32Array(plan.ports) };
}

/**
 * Run every loop: share 0 here, the others in `workers`. One failing loop stops the others, so
 * the scan ends promptly either way.
 */
async function runLoops(
  plan: ScanPlan,
  memory: RunMemory,
  workers: Worker[],
  hostEvents: HostWindow,
): Promise<{ outcomes: ProbeResult[]; runs: WorkerRun[] }> {
  const stop = () => Atomics.store(memory.shared.ctl, CTL.stop, 1);
  const rate = sharedRate(plan);
  const runs = workers.map((worker, i) =>
    startWorker(worker, jobFor(plan, memory, i + 1, rate), hostEvents.onEvents),
  );
  const here = runProbesHere(jobFor(plan, memory, 0, rate), hostEvents.onEvents);
  const guarded = [here, ...runs.map((r) => r.done)].map((done) =>
    done.then(
      (o) => {
        if (o.fatal) stop();
        return o;
      },
      (error) => {
        stop();
        throw error;
      },
    ),
  );
  return { outcomes: await Promise.all(guarded), runs };
}

/** Scan the whole plan. Resolves when done, or early (partial) on abort. */
export async function scan(
  plan: ScanPlan,
  events: ScanEvents = {},
  signal?: AbortSignal,
  { progressMs = 200, exitsAfter = false, keepHosts = true }: ScanOptions = {},
): Promise<ScanSummary> {
  const fds = { baseline: openFdCount(), peak: 0, after: 0 };
  fds.peak = fds.baseline;
  // The Workers boot while this thread builds the tables their job carries, and probes its
  // own share while they start; a job posted before a Worker is ready waits for it.
  const workers = spawnWorkers(plan.probe.threads - 1);
  let memory: ReturnType<typeof setUpRun>;
  try {
    memory = setUpRun(plan);
  } catch (error) {
    for (const w of workers) w.terminate();
    throw error;
  }
  const { shared, total } = memory;
  const hostEvents = new HostWindow(plan, shared, memory.tables, events, keepHosts);
  const stop = () => Atomics.store(shared.ctl, CTL.stop, 1);
  signal?.addEventListener("abort", stop);
  if (signal?.aborted) stop();
  const timer = setInterval(() => {
    fds.peak = Math.max(fds.peak, openFdCount());
    events.onProgress?.(Atomics.load(shared.ctl, CTL.done), total);
  }, progressMs);
  let loops: Awaited<ReturnType<typeof runLoops>>;
  try {
    hostEvents.start();
    loops = await runLoops(plan, memory, workers, hostEvents);
  } finally {
    clearInterval(timer);
    signal?.removeEventListener("abort", stop);
    for (const w of workers) exitsAfter ? w.unref() : w.terminate();
  }
  if (!exitsAfter) await settleWorkers(loops.runs);
  const fatal = loops.outcomes.find((o) => o.fatal)?.fatal;
  if (fatal) throw new Error(fatal);
  events.onProgress?.(Atomics.load(shared.ctl, CTL.done), total);
  const stopped = Atomics.load(shared.ctl, CTL.stop) === 1;
  hostEvents.finish(stopped);
  fds.after = exitsAfter ? -1 : await fdsAfter(fds.baseline);
  return summarize(plan, hostEvents, shared.ctl, loops.outcomes, fds);
}

/** The summary of a finished scan. */
function summarize(
  plan: ScanPlan,
  hostEvents: HostWindow,
  ctl: Int32Array,
  outcomes: ProbeResult[],
  fds: ScanStats["fds"],
): ScanSummary {
  const elapsedMs = performance.now() - hostEvents.t0;
  const stopped = Atomics.load(ctl, CTL.stop) === 1;
  const counted = (slot: number) => Atomics.load(ctl, slot);
  const errors: Record<string, number> = {};
  for (const o of outcomes)
    for (const [k, v] of Object.entries(o.errors)) errors[k] = (errors[k] ?? 0) + v;
  const hosts = (hostEvents.kept ?? []).sort((a, b) => a.hostIndex - b.hostIndex);
  for (const host of hosts) host.elapsedMs = elapsedMs;
  return {
    hosts,
    elapsedMs,
    interrupted: stopped && (hostEvents.anyInterrupted || hostEvents.unstarted),
    stats: {
      threads: plan.probe.threads,
      concurrency: plan.probe.concurrency,
      probes: counted(CTL.probes),
      retries: counted(CTL.retries),
      localRetries: counted(CTL.localRetries),
      selfConnects: counted(CTL.selfConnects),
      peakInFlight: outcomes.reduce((n, o) => n + o.peakInFlight, 0),
      errors,
      fds,
    },
  };
}
