// The scan's probe loops in Workers: start one with its job, collect what it posts, and wait
// for its thread to be gone (so the descriptor count after a scan is the scan's own).
import type { ScanPlan } from "../model/plan.ts";
import { hostPin } from "../model/plan.ts";
import { crossThreadNowMs, sharedPacerSlot } from "../policy/pacing.ts";
import { openFdCount } from "../sys/libc.ts";
import type { OrderTables } from "./order.ts";
import {
  type ProbeJob,
  type ProbeMessage,
  type ProbeResult,
  workerConcurrency,
} from "./probe-job.ts";
import type { SharedScan } from "./shared-memory.ts";

let workerEntry: string | URL = new URL("../../bin/scan-worker.ts", import.meta.url);

/** Where the Workers' script is: the running entry point says (src/bin/scan-worker.ts). */
export function setWorkerEntry(entry: string | URL): void {
  workerEntry = entry;
}

/** `count` Workers, booting (2.5-5 ms each) while the caller builds their jobs. */
export function spawnWorkers(count: number): Worker[] {
  return Array.from({ length: count }, () => new Worker(workerEntry));
}

export interface WorkerRun {
  worker: Worker;
  done: Promise<ProbeResult>;
  closed: Promise<void>;
}

export type EventsHandler = (m: ProbeMessage & { type: "events" }) => void;

export function startWorker(worker: Worker, job: ProbeJob, onEvents: EventsHandler): WorkerRun {
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
  return { worker, done, closed };
}

/** What every loop's job shares: the order, the shared memory, the ports, the --rate slot. */
export interface RunMemory {
  tables: OrderTables;
  shared: SharedScan;
  ports: Int32Array;
}

/** The --rate pacer every loop shares (one slot in shared memory), or null. */
export function sharedRate(plan: ScanPlan): ProbeJob["rate"] {
  const perSecond = plan.probe.ratePerSecond;
  return perSecond === null
    ? null
    : { perSecond, slot: sharedPacerSlot(), epochMs: crossThreadNowMs() };
}

/** Loop `index`'s job (0: this thread's): the plan's probe settings whole, its part of -c. */
export function jobFor(
  plan: ScanPlan,
  { tables, shared, ports }: RunMemory,
  index: number,
  rate: ProbeJob["rate"],
): ProbeJob {
  return {
    probe: plan.probe,
    concurrency: workerConcurrency(plan.probe, index),
    addresses: plan.targets.table,
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
export async function settleWorkers(runs: WorkerRun[]): Promise<void> {
  let bound: Timer | undefined;
  await Promise.race([
    Promise.all(runs.map((r) => r.closed)),
    new Promise<void>((resolve) => {
      bound = setTimeout(resolve, 2000);
    }),
  ]);
  clearTimeout(bound); // a pending timer would keep the program alive
}

export async function fdsAfter(baseline: number): Promise<number> {
  let after = openFdCount();
  for (let i = 0; i < 50 && after > baseline; i++) {
    await Bun.sleep(20);
    after = openFdCount();
  }
  return after;
}
