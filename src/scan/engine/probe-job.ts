// The job a probe Worker gets (one per Worker for the whole run) and what it posts back.

import type { TimeoutPolicy } from "../policy/timing.ts";
import type { ProbeAddress } from "../transport/probe-socket.ts";
import type { EngineName } from "../transport/readiness.ts";
import type { OrderTables } from "./order.ts";
import type { SharedScan } from "./shared-memory.ts";

export interface ProbeJob {
  /** epoll (linux) or poll() (portable): see transport/readiness.ts. */
  engine: EngineName;
  targets: ProbeAddress[];
  order: OrderTables;
  /** The plan's ports, sorted (entries carry an index into it); shared, not copied. */
  ports: Int32Array;
  shard: { index: number; count: number } | null;
  /** This Worker takes only the hosts h with h % count === index (see hostPin); null: all. */
  pin: { index: number; count: number } | null;
  shared: SharedScan;
  /** This Worker's share of the plan's concurrency. */
  share: number;
  policy: TimeoutPolicy;
  fixedTimeoutMs: number | null;
  retries: number;
  bannerMs: number;
  discovery: boolean;
  defeatRstRatelimit: boolean;
  hostTimeoutMs: number | null;
  /** --rate: the pace of all Workers together, one shared slot (pacing.ts). */
  rate: { perSecond: number; slot: BigInt64Array; epochMs: number } | null;
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
