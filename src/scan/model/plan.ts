// One scan, decided once: the ScanPlan is built from the flags before anything is probed; the
// engine and its Workers take it as it is and the reports read it back. Every setting of a
// scan lives here and nowhere else.
import { availableParallelism } from "node:os";
import { UsageError } from "../../shared/errors.ts";
import { DEFAULT_TIMING, type TimeoutPolicy } from "../policy/timing.ts";
import type { Target } from "../targets/target.ts";
import { type EngineName, resolveEngine } from "../transport/readiness.ts";
import type { ScanIdentity } from "./results.ts";

export const DEFAULT_CONCURRENCY = 1000;
export const DEFAULT_RETRIES = 1;
/** Tries a port of a host that has shown loss may get in all (nmap -T4: up to 6 retries). */
export const LOSSY_RETRIES = 6;
export const BANNER_WAIT_MS = 1000;
/** The shared state array holds one byte per (host, port): keep it well within memory. */
export const MAX_WORK = 2 ** 30;
/** Workers keep a few counters per host. */
export const MAX_HOSTS = 2 ** 20;

export interface ScanPlan {
  /** What waits for sockets in the Workers: epoll (linux) or poll() (portable). */
  engine: EngineName;
  targets: Target[];
  /** Ports probed on every host, sorted. */
  ports: number[];
  /** Hosts and ports in ascending order instead of the seeded shuffle. */
  ordered: boolean;
  /** Probes in flight at once, all threads and hosts together. */
  concurrency: number;
  /** Worker threads (resolved: never more than concurrency). */
  threads: number;
  /** A fixed probe timeout in ms, or null for the adaptive one under `policy`. */
  fixedTimeoutMs: number | null;
  policy: TimeoutPolicy;
  /** Extra probes of a port that timed out before calling it filtered. */
  retries: number;
  /** Banner wait in ms; 0 = no banner grab. */
  bannerMs: number;
  /** Seed of the probe order; shards and resumptions of one scan share it. */
  seed: number;
  /** This part of the work space, 1-based; null = the whole space. */
  shard: { index: number; count: number } | null;
  /** At most this many connection attempts per second in all; null = no limit. */
  ratePerSecond: number | null;
  /** Report hosts that show no sign of life as down and skip their other ports (off: -Pn). */
  discovery: boolean;
  /** Give up on a host after this long, reporting what it has; null = never. */
  hostTimeoutMs: number | null;
  /** Do not slow retries down to a host's RST rate (open ports only matter). */
  defeatRstRatelimit: boolean;
  /** Port states known from a resumed scan, by host index (STATE_CODE per port index). */
  known: Map<number, Uint8Array> | null;
  /** How the scan was asked for, for merging shards and resumptions. */
  identity: ScanIdentity;
}

export type PlanInput = Omit<ScanPlan, "engine" | "threads" | "policy" | "identity"> & {
  /** Default: the Linux engine on Linux, the portable one elsewhere. */
  engine?: EngineName;
  threads?: number;
  policy?: TimeoutPolicy;
  identity?: Partial<ScanIdentity>;
};

/** Is this address on the loopback network (127.0.0.0/8, ::1)? */
export function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");
}

/**
 * Threads: TP_SCAN_THREADS if set, else one per core (at most 4), fewer for small scans. With no
 * loopback target, at most one per host: a remote scan waits on the network, not the CPU, and a
 * host's policy state (its AIMD window, its RST budget) is kept per Worker, so one host split
 * across two Workers paced each at its share of a measure made of half the evidence (RST-limited
 * host, 200/s, 5000 ports, WAN lab: 2 Workers 34.6 s, 1 Worker 29.0 s in the same run).
 */
export function defaultThreads(
  workCount: number,
  concurrency: number,
  remoteHosts: number | null = null,
): number {
  const forced = Number(process.env.TP_SCAN_THREADS);
  if (Number.isInteger(forced) && forced >= 1 && forced <= 64) return Math.min(forced, concurrency);
  const cores = Math.max(1, availableParallelism());
  const perHost = remoteHosts ?? Number.POSITIVE_INFINITY;
  // Below a few thousand probes a second thread costs more to start than it saves.
  return Math.max(1, Math.min(cores, 4, concurrency, Math.ceil(workCount / 4096), perHost));
}

/** The host count when every target is remote (the cap of defaultThreads), else null. */
export function remoteHostCount(targets: Target[]): number | null {
  return targets.some((t) => isLoopback(t.address)) ? null : targets.length;
}

/**
 * The hosts Worker `index` takes, when each host is kept to one Worker: a scan of remote hosts
 * only, with at least as many hosts as Workers. A host's congestion window and RST-limit
 * detector live in the Worker that probes it (host-control.ts); spread over 2 Workers, each saw
 * half a host's RSTs: 4 hosts capped at 200 RSTs/s, ports 1-2000 took 10.5 s (12.9 s in one run)
 * against nmap -T4's 9.9 s. Loopback scans keep every Worker on every host (their answers come
 * inside connect(), with no per-host policy to keep).
 */
export function hostPin(plan: ScanPlan, index: number): { index: number; count: number } | null {
  const hosts = remoteHostCount(plan.targets);
  if (plan.threads < 2 || hosts === null || hosts < plan.threads) return null;
  return { index, count: plan.threads };
}

/** A random seed for the probe order when the user gave none. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] as number;
}

/** What identifies the scan of `input` (for merge and --resume): the user's specs, seed, shard. */
export function scanIdentity(input: PlanInput): ScanIdentity {
  return {
    targetSpecs: input.identity?.targetSpecs ?? input.targets.map((t) => t.name),
    excludeSpecs: input.identity?.excludeSpecs ?? [],
    portSpec: input.identity?.portSpec ?? "1-65535",
    excludePortSpec: input.identity?.excludePortSpec ?? "",
    seed: input.seed,
    shard: input.shard,
  };
}

/** Resolve what is left to decide (threads, policy, identity) and check the whole. */
export function buildPlan(input: PlanInput): ScanPlan {
  const work = input.targets.length * input.ports.length;
  if (input.targets.length > MAX_HOSTS)
    throw new UsageError(`more than ${MAX_HOSTS} hosts in one scan: split the targets`);
  if (work > MAX_WORK) {
    throw new UsageError(
      `${input.targets.length} hosts x ${input.ports.length} ports is more than one scan holds (${MAX_WORK} probes): split it with --shard or fewer targets`,
    );
  }
  const threads = Math.max(
    1,
    Math.min(
      input.threads ?? defaultThreads(work, input.concurrency, remoteHostCount(input.targets)),
      input.concurrency,
    ),
  );
  const identity = scanIdentity(input);
  const engine = input.engine ?? resolveEngine("auto");
  return { ...input, engine, threads, policy: input.policy ?? DEFAULT_TIMING, identity };
}
