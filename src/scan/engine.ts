// tp-scan's engine: full TCP connects from Workers running raw non-blocking sockets through
// bun:ffi (socket/connect/epoll from libc), results shared through SharedArrayBuffers.
//
// Why this engine (measured on the 2-core dev machine, full loopback range, 65535 ports):
//  - Bun.connect: ~1.9 s on one thread, but it cannot cancel a pending connect: a timed-out
//    probe keeps its descriptor until the kernel gives up (~2 min; 2001 filtered probes left
//    2009 fds open). Unusable for filtered hosts.
//  - node:net with destroy(): frees them, but ~2x slower than Bun.connect.
//  - bun:ffi over libc, one epoll loop per Worker: close() on a timed-out probe frees it at
//    once; one thread scans the range in ~0.8-1.0 s, on par with a plain C epoll loop
//    measured in the same minutes (1.7-2.2 s: the kernel's connect path dominates). Two
//    tricks make it faster than that C loop: the handshake (or RST) on loopback completes inside
//    connect() itself, so a second connect() right after it settles most probes without epoll
//    (0 = connected, ECONNREFUSED = closed, EALREADY = still pending); and after a refusal the
//    kernel has dissolved the attempt, so the same socket serves the next probe, saving a
//    socket()+close() per closed port (2 syscalls per closed port in all). Two Workers split
//    the shuffled port list through a shared cursor: ~0.6 s. nmap -sT -T5: 1.7-3.1 s.
// Exactness: self-connects (source port == destination port on loopback) are detected
// (getsockname == getpeername) and re-probed; EMFILE/ENFILE/EADDRNOTAVAIL/ENOBUFS/EAGAIN are
// the scanner's limits, never a state: the port is re-queued and the pace drops; a probe
// about to time out gets a last look at its socket first.
import { availableParallelism } from "node:os";
import { openFdCount } from "./libc.ts";
import { shuffled } from "./ports.ts";
import { CLOSED, CTL, FILTERED, OPEN, type ProbeJob, type ProbeResult, UNKNOWN } from "./prober.ts";
import type { Target } from "./target.ts";
import { DEFAULT_TIMING, type TimeoutPolicy } from "./timing.ts";

export type PortState = "open" | "closed" | "filtered";

export interface ScanOptions {
  /** Ports to probe, sorted. */
  ports: number[];
  /** Probe in ascending order instead of shuffled. */
  ordered: boolean;
  /** Probes in flight at once (all threads together). */
  concurrency: number;
  /** Fixed timeout in ms; null = adaptive. */
  fixedTimeoutMs: number | null;
  retries: number;
  /** Banner wait in ms; 0 = no banner grab. */
  bannerMs: number;
  policy?: TimeoutPolicy;
  /** Worker threads; default: one per core (at most 4), fewer for small scans. */
  threads?: number;
  signal?: AbortSignal;
  /** Called about every `progressMs` with the number of ports done. */
  onProgress?: (done: number, total: number) => void;
  progressMs?: number;
}

export interface ScanResult {
  target: Target;
  /** Ports probed, sorted. */
  ports: number[];
  /** State of each port by number (0 = not finished, e.g. after Ctrl-C). */
  states: Uint8Array;
  counts: { scanned: number; open: number; closed: number; filtered: number };
  banners: Map<number, string>;
  startedAt: Date;
  elapsedMs: number;
  interrupted: boolean;
  timing: { srttMs: number | null; rttvarMs: number | null; timeoutMs: number; samples: number };
  stats: {
    threads: number;
    concurrency: number;
    probes: number;
    retries: number;
    localRetries: number;
    selfConnects: number;
    peakInFlight: number;
    errors: Record<string, number>;
    fds: { baseline: number; peak: number; after: number };
  };
}

export const STATE_NAMES: Record<number, PortState | undefined> = {
  [OPEN]: "open",
  [CLOSED]: "closed",
  [FILTERED]: "filtered",
  [UNKNOWN]: undefined,
};

let workerEntry: string | URL = new URL("./worker.ts", import.meta.url);

/** The compiled program runs its Workers from its own entry point (see src/bin/tp-scan.ts). */
export function setWorkerEntry(entry: string | URL): void {
  workerEntry = entry;
}

export function defaultThreads(portCount: number, concurrency: number): number {
  const forced = Number(process.env.TP_SCAN_THREADS);
  if (Number.isInteger(forced) && forced >= 1 && forced <= 64) return Math.min(forced, concurrency);
  const cores = Math.max(1, availableParallelism());
  // Below a few thousand ports a second thread costs more to start than it saves.
  return Math.max(1, Math.min(cores, 4, concurrency, Math.ceil(portCount / 4096)));
}

function runWorker(job: ProbeJob): { result: Promise<ProbeResult>; worker: Worker } {
  const worker = new Worker(workerEntry);
  const result = new Promise<ProbeResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<ProbeResult | { error: string }>) => {
      if ("error" in event.data) reject(new Error(event.data.error));
      else resolve(event.data);
    };
    worker.onerror = (event) => reject(new Error(event.message));
  });
  worker.postMessage(job);
  return { result, worker };
}

/** Scan `target` on `options.ports`. Resolves when done, or early (partial) on abort. */
export async function scan(target: Target, options: ScanOptions): Promise<ScanResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const total = options.ports.length;
  const threads = Math.max(
    1,
    Math.min(options.threads ?? defaultThreads(total, options.concurrency), options.concurrency),
  );
  const order = new Int32Array(new SharedArrayBuffer(total * 4));
  order.set(options.ordered ? options.ports : shuffled(options.ports));
  const states = new Uint8Array(new SharedArrayBuffer(65536));
  const ctl = new Int32Array(new SharedArrayBuffer(CTL.size * 4));
  const fds = { baseline: openFdCount(), peak: 0, after: 0 };
  fds.peak = fds.baseline;

  const stop = () => Atomics.store(ctl, CTL.stop, 1);
  options.signal?.addEventListener("abort", stop);
  if (options.signal?.aborted) stop();
  const timer = setInterval(() => {
    fds.peak = Math.max(fds.peak, openFdCount());
    options.onProgress?.(Atomics.load(ctl, CTL.done), total);
  }, options.progressMs ?? 100);

  const workers: Worker[] = [];
  const closing: Promise<void>[] = [];
  const results: ProbeResult[] = [];
  try {
    const runs = Array.from({ length: threads }, (_, i) => {
      const share =
        Math.floor(options.concurrency / threads) + (i < options.concurrency % threads ? 1 : 0);
      const run = runWorker({
        family: target.family,
        address: target.bytes,
        scopeId: target.scopeId,
        order,
        states,
        ctl,
        concurrency: share,
        policy: options.policy ?? DEFAULT_TIMING,
        fixedTimeoutMs: options.fixedTimeoutMs,
        retries: options.retries,
        bannerMs: options.bannerMs,
      });
      workers.push(run.worker);
      closing.push(new Promise((resolve) => run.worker.addEventListener("close", () => resolve())));
      // One failing worker stops the others, so the scan ends promptly either way.
      return run.result.then(
        (result) => {
          if (result.fatal) stop();
          return result;
        },
        (error) => {
          stop();
          throw error;
        },
      );
    });
    results.push(...(await Promise.all(runs)));
  } finally {
    clearInterval(timer);
    options.signal?.removeEventListener("abort", stop);
    for (const w of workers) w.terminate();
  }
  // A terminated Worker releases its own descriptors (event loop, wake-up fd) when its thread
  // is gone: wait for that (bounded), so the count below is the scan's true leftover.
  let bound: Timer | undefined;
  await Promise.race([
    Promise.all(closing),
    new Promise<void>((resolve) => {
      bound = setTimeout(resolve, 2000);
    }),
  ]);
  clearTimeout(bound); // a pending timer would keep the program alive
  const elapsedMs = performance.now() - t0;
  options.onProgress?.(Atomics.load(ctl, CTL.done), total);
  const fatal = results.find((r) => r.fatal)?.fatal;
  if (fatal) throw new Error(fatal);
  fds.after = openFdCount();
  for (let i = 0; i < 50 && fds.after > fds.baseline; i++) {
    await Bun.sleep(20);
    fds.after = openFdCount();
  }

  const counts = { scanned: 0, open: 0, closed: 0, filtered: 0 };
  for (const port of options.ports) {
    const s = states[port];
    if (s === OPEN) counts.open++;
    else if (s === CLOSED) counts.closed++;
    else if (s === FILTERED) counts.filtered++;
  }
  counts.scanned = counts.open + counts.closed + counts.filtered;
  const errors: Record<string, number> = {};
  for (const r of results)
    for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  const best = results.reduce((a, b) => (b.samples > a.samples ? b : a));
  return {
    target,
    ports: options.ports,
    states,
    counts,
    banners: new Map(results.flatMap((r) => r.banners)),
    startedAt,
    elapsedMs,
    interrupted: Atomics.load(ctl, CTL.stop) === 1 && counts.scanned < total,
    timing: {
      srttMs: best.srttMs ?? null,
      rttvarMs: best.rttvarMs ?? null,
      timeoutMs: best.timeoutMs,
      samples: results.reduce((n, r) => n + r.samples, 0),
    },
    stats: {
      threads,
      concurrency: options.concurrency,
      probes: Atomics.load(ctl, CTL.probes),
      retries: Atomics.load(ctl, CTL.retries),
      localRetries: Atomics.load(ctl, CTL.localRetries),
      selfConnects: Atomics.load(ctl, CTL.selfConnects),
      peakInFlight: results.reduce((n, r) => n + r.peakInFlight, 0),
      errors,
      fds,
    },
  };
}
