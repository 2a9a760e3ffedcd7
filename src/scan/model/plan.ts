// One scan, decided once: the ScanPlan is built from the flags before anything is probed; the
// engine and its Workers take it as it is and the reports read it back. Every setting of a
// scan lives here and nowhere else.
import { availableParallelism } from "node:os";
import { UsageError } from "../../shared/errors.ts";
import { TargetSpace } from "../targets/space.ts";
import type { Target } from "../targets/target.ts";
import type { ScanIdentity } from "./results.ts";
import type { OrderSettings, ProbeRequest, ProbeSettings } from "./settings.ts";

export const DEFAULT_CONCURRENCY = 1000;
export const DEFAULT_RETRIES = 1;
export const BANNER_WAIT_MS = 1000;
/**
 * Entries of one scan (or shard): the shared cursor and counters are 32-bit (a /8 x 128 ports
 * fits; more takes --shard). Nothing is held per entry or per host beyond those in flight.
 */
export const MAX_ENTRIES = 2 ** 31 - 2 ** 20;

export interface ScanPlan extends OrderSettings {
  /** The hosts, never expanded (targets/space.ts): host h's address is computed from h. */
  targets: TargetSpace;
  /** Ports probed on every host, sorted. */
  ports: number[];
  /** How every probe is sent: carried whole into each Worker's job. */
  probe: ProbeSettings;
  /** Port states known from a resumed scan, by host index (STATE_CODE per port index). */
  known: Map<number, Uint8Array> | null;
  /** How the scan was asked for, for merging shards and resumptions. */
  identity: ScanIdentity;
}

export interface PlanInput extends OrderSettings {
  /** A space (the command line's), or a list of targets (the library's, tests'). */
  targets: TargetSpace | readonly Target[];
  ports: number[];
  probe: ProbeRequest;
  known: Map<number, Uint8Array> | null;
  identity?: Partial<ScanIdentity>;
}

/**
 * How many probes the open-file limit lets `threads` probe loops hold (run.ts asks the system;
 * tests and the library pass none: -c as asked).
 */
export type ConcurrencyRoom = (wanted: number, threads: number) => number;

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
export function remoteHostCount(targets: TargetSpace): number | null {
  return targets.loopback ? null : targets.count;
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
  if (plan.probe.threads < 2 || hosts === null || hosts < plan.probe.threads) return null;
  return { index, count: plan.probe.threads };
}

/** A random seed for the probe order when the user gave none. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] as number;
}

/** What identifies the scan of `input` (for merge and --resume): the user's specs, seed, shard. */
export function scanIdentity(input: PlanInput): ScanIdentity {
  return {
    targetSpecs: input.identity?.targetSpecs ?? spaceOf(input.targets).specTexts,
    excludeSpecs: input.identity?.excludeSpecs ?? [],
    portSpec: input.identity?.portSpec ?? "1-65535",
    excludePortSpec: input.identity?.excludePortSpec ?? "",
    seed: input.seed,
    shard: input.shard,
  };
}

function spaceOf(targets: TargetSpace | readonly Target[]): TargetSpace {
  return targets instanceof TargetSpace ? targets : TargetSpace.of(targets);
}

/**
 * The thread count and -c, decided here once: the threads the work calls for, -c within what
 * the open-file limit leaves for that many loops, and never more threads than probes.
 */
function resolveProbe(
  input: PlanInput,
  targets: TargetSpace,
  room: ConcurrencyRoom | null,
): ProbeSettings {
  const work = targets.count * input.ports.length;
  const wanted = input.probe.concurrency;
  const threads = input.probe.threads ?? defaultThreads(work, wanted, remoteHostCount(targets));
  const concurrency = room ? Math.max(1, Math.min(wanted, room(wanted, threads))) : wanted;
  return { ...input.probe, concurrency, threads: Math.max(1, Math.min(threads, concurrency)) };
}

/** Resolve what is left to decide (threads, -c, identity) and check the whole. */
export function buildPlan(input: PlanInput, room: ConcurrencyRoom | null = null): ScanPlan {
  const targets = spaceOf(input.targets);
  const entries = targets.count * input.ports.length;
  const shards = input.shard?.count ?? 1;
  if (entries / shards > MAX_ENTRIES) {
    throw new UsageError(
      `${targets.count} hosts x ${input.ports.length} ports is more than one scan counts (${MAX_ENTRIES} probes): split it with --shard`,
    );
  }
  if (input.probe.transport === "syn" && targets.ipv6)
    throw new UsageError("-sS scans IPv4 targets only for now (use -sT)");
  return {
    ...input,
    targets,
    probe: resolveProbe(input, targets, room),
    identity: scanIdentity(input),
  };
}
