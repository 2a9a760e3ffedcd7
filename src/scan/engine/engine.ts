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

import { hostPin, type ScanPlan } from "../model/plan.ts";
import type { HostResult, ScanEvents } from "../model/results.ts";
import { crossThreadNowMs, sharedPacerSlot } from "../policy/pacing.ts";
import { openFdCount } from "../sys/libc.ts";
import { hostInterrupted, readHostResult } from "./host-result.ts";
import { orderTables, shardLength, shardPosition, WorkOrder } from "./order.ts";
import {
  type ProbeJob,
  type ProbeMessage,
  type ProbeResult,
  workerConcurrency,
} from "./probe-job.ts";
import { runProbesHere } from "./prober.ts";
import { CTL, createShared, type SharedScan, sharedInt32Array } from "./shared-memory.ts";

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
}

export interface ScanSummary {
  /** Every host of the plan, in the plan's order (read out of shared memory when first asked). */
  readonly hosts: HostResult[];
  elapsedMs: number;
  interrupted: boolean;
  stats: ScanStats;
}

let workerEntry: string | URL = new URL("../../bin/scan-worker.ts", import.meta.url);

/** Where the Workers' script is: the running entry point says (src/bin/scan-worker.ts). */
export function setWorkerEntry(entry: string | URL): void {
  workerEntry = entry;
}

/** Fill in states known from a resumed scan and count what is left of each host. */
function prepare(plan: ScanPlan, shared: SharedScan, tables: ReturnType<typeof orderTables>) {
  const portCount = plan.ports.length;
  for (const [host, known] of plan.known ?? []) shared.states.set(known, host * portCount);
  if (!plan.shard) {
    for (let h = 0; h < plan.targets.length; h++) {
      let left = portCount;
      const known = plan.known?.get(h);
      if (known) for (const s of known) if (s !== 0) left--;
      shared.remaining[h] = left;
    }
    return;
  }
  const order = new WorkOrder(tables);
  const length = shardLength(order.total, plan.shard);
  for (let n = 0; n < length; n++) {
    order.decode(shardPosition(n, plan.shard));
    if (shared.states[order.host * portCount + order.portIndex] === 0)
      (shared.remaining[order.host] as number)++;
  }
}

interface WorkerRun {
  worker: Worker;
  done: Promise<ProbeResult>;
  closed: Promise<void>;
}

/** The shared memory and the order of a plan, with what is left to probe of it. */
function setUpRun(plan: ScanPlan) {
  const shared = createShared(plan.targets.length, plan.ports.length);
  const tables = orderTables({
    hostCount: plan.targets.length,
    ports: plan.ports,
    seed: plan.seed,
    ordered: plan.ordered,
  });
  prepare(plan, shared, tables);
  let total = 0;
  for (const r of shared.remaining) total += r;
  return { shared, tables, total, ports: sharedInt32Array(plan.ports) };
}

function startWorker(
  worker: Worker,
  job: ProbeJob,
  onEvents: (m: ProbeMessage & { type: "events" }) => void,
) {
  const done = new Promise<ProbeResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<ProbeMessage>) => {
      const m = event.data;
      if (m.type === "events") onEvents(m);
      else if (m.type === "error") reject(new Error(m.error));
      else resolve(m);
    };
    worker.onerror = (event) => reject(new Error(event.message));
  });
  const closed = new Promise<void>((resolve) => worker.addEventListener("close", () => resolve()));
  worker.postMessage(job);
  return { worker, done, closed } satisfies WorkerRun;
}

/** Scan the whole plan. Resolves when done, or early (partial) on abort. */
export async function scan(
  plan: ScanPlan,
  events: ScanEvents = {},
  signal?: AbortSignal,
  { progressMs = 200, exitsAfter = false }: ScanOptions = {},
): Promise<ScanSummary> {
  const startedAt = new Date();
  const t0 = performance.now();
  const hostCount = plan.targets.length;
  const fds = { baseline: openFdCount(), peak: 0, after: 0 };
  fds.peak = fds.baseline;
  // Share 0 of the work runs on this thread, the others in Workers. The Workers boot (2.5-5 ms
  // each) while this thread builds the tables their job carries, and probes its own share
  // while they start; a job posted before a Worker is ready waits for it.
  const workers = Array.from({ length: plan.probe.threads - 1 }, () => new Worker(workerEntry));
  let setUp: ReturnType<typeof setUpRun>;
  try {
    setUp = setUpRun(plan);
  } catch (error) {
    for (const w of workers) w.terminate();
    throw error;
  }
  const { shared, total } = setUp;

  const banners = Array.from({ length: hostCount }, () => new Map<number, string>());
  const emitted = new Uint8Array(hostCount);
  const run = () => ({ startedAt, elapsedMs: performance.now() - t0, stopped: false });
  const emit = (host: number, stopped = false) => {
    if (emitted[host]) return;
    emitted[host] = 1;
    events.onHost?.(
      readHostResult(plan, shared, host, banners[host] as Map<number, string>, {
        ...run(),
        stopped,
      }),
    );
  };
  const onEvents = (m: ProbeMessage & { type: "events" }) => {
    for (const [host, port, text] of m.banners) banners[host]?.set(port, text);
    for (let i = 0; i < m.opens.length; i += 2) {
      const host = m.opens[i] as number;
      const port = plan.ports[m.opens[i + 1] as number] as number;
      events.onOpen?.(plan.targets[host] as HostResult["target"], host, port);
    }
    for (const host of m.finals) emit(host);
  };

  const stop = () => Atomics.store(shared.ctl, CTL.stop, 1);
  signal?.addEventListener("abort", stop);
  if (signal?.aborted) stop();
  const timer = setInterval(() => {
    fds.peak = Math.max(fds.peak, openFdCount());
    events.onProgress?.(Atomics.load(shared.ctl, CTL.done), total);
  }, progressMs);

  const runs: WorkerRun[] = [];
  const outcomes: ProbeResult[] = [];
  try {
    for (let h = 0; h < hostCount; h++) if ((shared.remaining[h] as number) <= 0) emit(h);
    const rate =
      plan.probe.ratePerSecond === null
        ? null
        : {
            perSecond: plan.probe.ratePerSecond,
            slot: sharedPacerSlot(),
            epochMs: crossThreadNowMs(),
          };
    workers.forEach((worker, i) => {
      runs.push(startWorker(worker, jobFor(plan, setUp, i + 1, rate), onEvents));
    });
    const here = runProbesHere(jobFor(plan, setUp, 0, rate), onEvents);
    // One failing thread stops the others, so the scan ends promptly either way.
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
    outcomes.push(...(await Promise.all(guarded)));
  } finally {
    clearInterval(timer);
    signal?.removeEventListener("abort", stop);
    for (const w of workers) exitsAfter ? w.unref() : w.terminate();
  }
  if (!exitsAfter) await settleWorkers(runs);
  const fatal = outcomes.find((o) => o.fatal)?.fatal;
  if (fatal) throw new Error(fatal);
  events.onProgress?.(Atomics.load(shared.ctl, CTL.done), total);
  const stopped = Atomics.load(shared.ctl, CTL.stop) === 1;
  for (let h = 0; h < hostCount; h++) emit(h, stopped);
  fds.after = exitsAfter ? -1 : await fdsAfter(fds.baseline);
  const elapsedMs = performance.now() - t0;
  let hosts: HostResult[] | undefined;
  const readHosts = () =>
    Array.from({ length: hostCount }, (_, h) =>
      readHostResult(plan, shared, h, banners[h] as Map<number, string>, {
        startedAt,
        elapsedMs,
        stopped,
      }),
    );
  const counted = (slot: number) => Atomics.load(shared.ctl, slot);
  const errors: Record<string, number> = {};
  for (const o of outcomes)
    for (const [k, v] of Object.entries(o.errors)) errors[k] = (errors[k] ?? 0) + v;
  return {
    get hosts() {
      hosts ??= readHosts();
      return hosts;
    },
    elapsedMs,
    interrupted: stopped && plan.targets.some((_, h) => hostInterrupted(shared, h, stopped)),
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

function jobFor(
  plan: ScanPlan,
  { tables, shared, ports }: ReturnType<typeof setUpRun>,
  index: number,
  rate: ProbeJob["rate"],
): ProbeJob {
  return {
    probe: plan.probe,
    concurrency: workerConcurrency(plan.probe, index),
    targets: plan.targets.map((t) => ({ family: t.family, bytes: t.bytes, scopeId: t.scopeId })),
    order: tables,
    ports,
    shard: plan.shard,
    pin: hostPin(plan, index),
    shared,
    rate,
  };
}

/**
 * A terminated Worker releases its own descriptors (event loop, wake-up fd) when its thread
 * is gone: wait for that (bounded), so the count after is the scan's true leftover.
 */
async function settleWorkers(runs: WorkerRun[]): Promise<void> {
  let bound: Timer | undefined;
  await Promise.race([
    Promise.all(runs.map((r) => r.closed)),
    new Promise<void>((resolve) => {
      bound = setTimeout(resolve, 2000);
    }),
  ]);
  clearTimeout(bound); // a pending timer would keep the program alive
}

async function fdsAfter(baseline: number): Promise<number> {
  let after = openFdCount();
  for (let i = 0; i < 50 && after > baseline; i++) {
    await Bun.sleep(20);
    after = openFdCount();
  }
  return after;
}
