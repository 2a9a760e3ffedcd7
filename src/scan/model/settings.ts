// The settings of one scan's probes, the one object that goes from the flags to every probe
// loop (masscan's `Xconf`): run/settings.ts fills it from the flags, the plan (plan.ts) resolves
// its thread count and -c once, and each Worker's job (engine/probe-job.ts) carries it whole.
// A type file: it imports only types from the floors below it.
import type { TimeoutPolicy } from "../policy/timing.ts";
import type { EngineName } from "../transport/readiness.ts";
import type { TransportName } from "../transport/transports.ts";

export interface ProbeSettings {
  /** How probes go out and come back (transport/transports.ts): "connect" (-sT), "syn" (-sS) or
   * "udp" (-sU). */
  transport: TransportName;
  /** -S / -g: where SYN probes leave from (null: the kernel's address, a random port range). */
  source: { address: string | null; port: number | null };
  /** What waits for sockets in the Workers: epoll (linux) or poll() (portable). --engine */
  engine: EngineName;
  /** -c: probes in flight at once, all threads and hosts together (after the open-file cap). */
  concurrency: number;
  /** Probe loops (this thread and Workers): resolved once by the plan, never more than -c. */
  threads: number;
  /** -t: a fixed probe timeout in ms, or null for the adaptive one under `policy`. */
  fixedTimeoutMs: number | null;
  policy: TimeoutPolicy;
  /** --retries: extra probes of a port that timed out before calling it filtered. */
  retries: number;
  /** --banner: how long an open port is read, ms; 0 = no banner grab. */
  bannerMs: number;
  /** Report hosts that show no sign of life as down and skip their other ports (off: -Pn). */
  discovery: boolean;
  /** Slow retries down to a host's RST rate (off: --defeat-rst-ratelimit, negated here only). */
  respectRstRatelimit: boolean;
  /** -sU: pace retries down to a host's ICMP port-unreachable rate (off: --defeat-icmp-ratelimit). */
  respectIcmpRatelimit: boolean;
  /** --host-timeout: give up on a host after this long, reporting what it has; null = never. */
  hostTimeoutMs: number | null;
  /** --rate: at most this many connection attempts per second in all; null = no limit. */
  ratePerSecond: number | null;
}

/** ProbeSettings as the flags give them: the thread count is the plan's to decide. */
export type ProbeRequest = Omit<ProbeSettings, "threads"> & { threads?: number };

/** How the work space is walked: shards and resumptions of one scan share these. */
export interface OrderSettings {
  /** Seed of the probe order. */
  seed: number;
  /** Hosts and ports in ascending order instead of the seeded shuffle. */
  ordered: boolean;
  /** This part of the work space, 1-based; null = the whole space. */
  shard: { index: number; count: number } | null;
}
