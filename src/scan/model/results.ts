// What the scan engine hands to everything that reports: one HostResult per host as soon as
// that host is final, open ports as they are found, and a summary at the end. Text, --json,
// --list, --jsonl, nmap's formats, the hand-off to nmap and `tp-scan merge` all read these
// types and nothing else of the engine.
import type { Target } from "../targets/target.ts";
import type { AllOpenVerdict, DiscoveryMethod, HostReason } from "./reasons.ts";

/** "open|filtered": a UDP port that stayed silent through its tries (nmap -sU's name). */
export type PortState = "open" | "closed" | "filtered" | "open|filtered";
/** What a port's probes were: TCP (-sT, -sS) or UDP (-sU). */
export type Protocol = "tcp" | "udp";
/** nmap's name of each scan type, as -oX's <scaninfo type> has it. */
export type ScanType = "connect" | "syn" | "udp";

/** One protocol's pass of a scan: -oX writes a <scaninfo> for each (-sS -sU has two). */
export interface ScanPass {
  type: ScanType;
  protocol: Protocol;
  /** The ports probed on every host in this pass, sorted. */
  ports: number[];
}

/** Port state codes as stored in the engine's shared arrays (0 = not probed or not final). */
export const STATE_CODE = {
  unknown: 0,
  open: 1,
  closed: 2,
  filtered: 3,
  "open|filtered": 4,
} as const;
export const STATE_NAMES: Record<number, PortState | undefined> = {
  [STATE_CODE.unknown]: undefined,
  [STATE_CODE.open]: "open",
  [STATE_CODE.closed]: "closed",
  [STATE_CODE.filtered]: "filtered",
  [STATE_CODE["open|filtered"]]: "open|filtered",
};

/**
 * up: answered something (SYN-ACK or RST) on at least one port.
 * down: no sign of life to its discovery probes; its other ports were skipped (not with -Pn).
 * unreachable: the network said so (EHOSTUNREACH, ENETUNREACH); its ports were skipped.
 */
export type HostStatus = "up" | "down" | "unreachable";

/** What identifies one scan, so that shards and resumptions of it can be merged (and no others). */
export interface ScanIdentity {
  /** The targets as the user gave them (after -iL), in order, and the exclusions. */
  targetSpecs: string[];
  excludeSpecs: string[];
  /** The port spec as given ("1-65535" for all) and the exclusions. */
  portSpec: string;
  excludePortSpec: string;
  /** Seed of the probe order; shards of one scan share it. */
  seed: number;
  /** This part of the work space, 1-based (`--shard 2/3` is { index: 2, count: 3 }); null = whole. */
  shard: { index: number; count: number } | null;
}

/** "tcp" or "udp": what the outputs print after a port number (of a one-protocol host). */
export function protocolOf(host: Pick<HostResult, "protocol">): Protocol {
  return host.protocol ?? "tcp";
}

/** The protocol of `host.ports[index]`: -sU with -sT/-sS lists the UDP ports after the TCP ones. */
export function protocolAt(
  host: Pick<HostResult, "protocol" | "udpFrom">,
  index: number,
): Protocol {
  if (host.udpFrom === undefined) return protocolOf(host);
  return index >= host.udpFrom ? "udp" : "tcp";
}

/** The protocols of `host`'s ports, in their order. */
export function protocolsOf(host: Pick<HostResult, "protocol" | "udpFrom" | "ports">): Protocol[] {
  if (host.udpFrom === undefined) return [protocolOf(host)];
  return host.udpFrom < host.ports.length ? ["tcp", "udp"] : ["tcp"];
}

export interface PortCounts {
  scanned: number;
  open: number;
  closed: number;
  filtered: number;
  /** UDP only (absent or 0 for TCP). */
  "open|filtered"?: number;
}

export interface HostResult {
  target: Target;
  /** Position of this host in the scan's target list (stable across shards of one scan). */
  hostIndex: number;
  status: HostStatus;
  /**
   * Why the host has its status, nmap's names (reasons.ts): up on "syn-ack", "conn-refused" or
   * "user-set" (-Pn); down on "no-response"; unreachable on "host-unreach", "net-unreach",
   * "admin-prohibited"; "host-timeout" when --host-timeout ended it. null: stopped, unknown.
   */
  reason: HostReason | string | null;
  /** Ports of the plan, sorted (the same array for every host of a scan). */
  ports: number[];
  /** State code (STATE_CODE) of ports[i] at index i; 0 = not probed (skipped, other shard, Ctrl-C). */
  states: Uint8Array;
  /** Reason code (reasons.ts REASON_NAMES) of ports[i]'s state at index i; 0 = none. */
  reasons: Uint8Array;
  /** The host accepted too many ports to be believed (a SYN proxy, a tarpit); its scan was cut. */
  allOpen: AllOpenVerdict | null;
  /** How the host was looked for before its ports were believed (or "none": -Pn). */
  discovery: DiscoveryMethod[];
  /** What open ports said first (--banner), by port. */
  banners: Map<number, string>;
  counts: PortCounts;
  /** The protocol of every port of this result; absent: tcp (or both, with udpFrom). */
  protocol?: Protocol;
  /**
   * -sU with -sT/-sS: `ports` (and states, reasons) hold the TCP pass's ports, then from this
   * index on the UDP pass's (run/protocol-passes.ts); absent: one protocol.
   */
  udpFrom?: number;
  /** With udpFrom: what the UDP ports replied (`banners` keeps the TCP ones). */
  udpBanners?: Map<number, string>;
  startedAt: Date;
  elapsedMs: number;
  /** Stopped by Ctrl-C or --host-timeout before every port was final. */
  interrupted: boolean;
  timing: { srttMs: number | null; rttvarMs: number | null; timeoutMs: number; samples: number };
}

export interface ScanEvents {
  /** An open port, as soon as it is known to be open (before its host is done). */
  onOpen?(target: Target, hostIndex: number, port: number): void;
  /** A host is final: every port of it (in this shard) has a state, or the host was skipped. */
  onHost?(result: HostResult): void;
  /** About every 200 ms: probes settled so far out of the whole work space. */
  onProgress?(done: number, total: number): void;
}
