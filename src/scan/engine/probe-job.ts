// The job a probe Worker gets (one per Worker for the whole run) and what it posts back.

import type { ProbeSettings } from "../model/settings.ts";
import type { AddressTable } from "../targets/space.ts";
import type { OrderTables } from "./order.ts";
import type { SharedScan } from "./shared-memory.ts";

export interface ProbeJob {
  /** The plan's probe settings, whole (model/settings.ts). */
  probe: ProbeSettings;
  /** This Worker's part of probe.concurrency (-c), split in one place: workerConcurrency. */
  concurrency: number;
  /** Where host h's address comes from (targets/space.ts); never a list of every host. */
  addresses: AddressTable;
  order: OrderTables;
  /** The plan's ports, sorted (entries carry an index into it); shared, not copied. */
  ports: Int32Array;
  shard: { index: number; count: number } | null;
  /** This Worker takes only the hosts h with h % count === index (see hostPin); null: all. */
  pin: { index: number; count: number } | null;
  shared: SharedScan;
  /** --rate: the pace of all Workers together, one shared slot (pacing.ts). */
  rate: { perSecond: number; slot: BigInt64Array; epochMs: number } | null;
}

/** Worker `i`'s part of -c: -c split as evenly as it goes over `threads` loops. */
export function workerConcurrency(probe: ProbeSettings, i: number): number {
  const { concurrency, threads } = probe;
  return Math.floor(concurrency / threads) + (i < concurrency % threads ? 1 : 0);
}

/** How one thread's probe loop went, once it is over. */
export interface ProbeResult {
  errors: Record<string, number>;
  fatal?: string;
  peakInFlight: number;
}

/** What a Worker posts: events as they happen, then its result. */
export type ProbeMessage =
  | { type: "events"; opens: number[]; finals: number[]; banners: Array<[number, number, string]> }
  | ({ type: "done" } & ProbeResult)
  | { type: "error"; error: string };
