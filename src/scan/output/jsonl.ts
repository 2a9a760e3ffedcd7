// --jsonl: one JSON object a line, each written as soon as it is final (schema: docs/output.md).
//   {"type":"scan",...}  first: what identifies the scan (merge and --resume check it)
//   {"type":"port",...}  a reported port (open ones as they are found)
//   {"type":"host",...}  a host when done, with every state as port ranges (exact for merge)
//   {"type":"run",...}   last: settings, totals, interrupted
// Pure.
import { VERSION } from "../../shared/cli.ts";
import type { HostResult, PortState, Protocol, ScanIdentity } from "../model/results.ts";
import { formatPortRanges } from "../ports/port-spec.ts";
import type { ServiceTable } from "../ports/services.ts";
import type { Target } from "../targets/target.ts";
import { portsIn, type RunSummary, type ShownPort } from "./document.ts";

export const JSONL_FORMAT = 1;

export interface ScanLine {
  type: "scan";
  scanner: "tp-scan";
  version: string;
  format: number;
  startedAt: string;
  command: string[];
  identity: ScanIdentity;
  /** Every port of the plan, as ranges ("1-65535"). */
  ports: string;
}

export interface PortLine {
  type: "port";
  hostIndex: number;
  host: string;
  address: string;
  port: number;
  protocol: Protocol;
  state: ShownPort["state"];
  reason: string;
  service: string | null;
  banner?: string;
}

/** One protocol's ports of a host of two (-sU with -sT/-sS): each state as port ranges. */
export interface ProtocolRanges {
  open: string;
  closed: string;
  filtered: string;
  "open|filtered": string;
}

export interface HostLine {
  type: "host";
  hostIndex: number;
  host: string;
  address: string;
  family: "ipv4" | "ipv6";
  otherAddresses: string[];
  status: HostResult["status"];
  reason: string | null;
  discovery: HostResult["discovery"];
  allOpen: HostResult["allOpen"];
  interrupted: boolean;
  counts: HostResult["counts"];
  /** Port ranges in each state; ports in none of them were not probed (other shard, Ctrl-C). */
  open: string;
  closed: string;
  filtered: string;
  /** -sU only: the ports that stayed silent. */
  "open|filtered"?: string;
  /** -sU only (absent: tcp; "tcp+udp" with both, the states then also in `byProtocol`). */
  protocol?: "udp" | "tcp+udp";
  /** -sU with -sT/-sS: each protocol's states (open, closed, filtered above: the TCP ones). */
  byProtocol?: Record<Protocol, ProtocolRanges>;
  startedAt: string;
  elapsedMs: number;
  timing: { srttMs: number | null; rttvarMs: number | null; timeoutMs: number };
}

export interface RunLine {
  type: "run";
  settings: Record<string, unknown>;
  hosts: { total: number; up: number; down: number; unreachable: number };
  counts: HostResult["counts"];
  startedAt: string;
  elapsedMs: number;
  interrupted: boolean;
}

export type JsonlLine = ScanLine | PortLine | HostLine | RunLine;

/** One line of the file: the object as JSON, then a newline. */
export const lineText = (line: JsonlLine): string => `${JSON.stringify(line)}\n`;

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function scanRecord(identity: ScanIdentity, ports: number[], summary: RunSummary): ScanLine {
  return {
    type: "scan",
    scanner: "tp-scan",
    version: VERSION,
    format: JSONL_FORMAT,
    startedAt: summary.startedAt.toISOString(),
    command: ["tp-scan", ...summary.command.slice(1)],
    identity,
    ports: formatPortRanges(ports),
  };
}

export function portRecord(
  target: Target,
  hostIndex: number,
  port: ShownPort,
  services: ServiceTable,
): PortLine {
  const line: PortLine = {
    type: "port",
    hostIndex,
    host: target.name,
    address: target.address,
    port: port.port,
    protocol: port.protocol,
    state: port.state,
    reason: port.reason,
    service: port.service ?? services.get(port.port) ?? null,
  };
  if (port.banner !== undefined) line.banner = port.banner;
  return line;
}

export function hostRecord(host: HostResult): HostLine {
  const t = host.timing;
  // A host of two protocols keeps its TCP ports here (what a reader of one protocol expects).
  const ranges = (state: PortState) =>
    formatPortRanges(portsIn(host, state, host.udpFrom === undefined ? undefined : "tcp"));
  return {
    type: "host",
    hostIndex: host.hostIndex,
    host: host.target.name,
    address: host.target.address,
    family: host.target.family === 6 ? "ipv6" : "ipv4",
    otherAddresses: host.target.otherAddresses,
    status: host.status,
    reason: host.reason,
    discovery: host.discovery,
    allOpen: host.allOpen,
    interrupted: host.interrupted,
    counts: host.counts,
    open: ranges("open"),
    closed: ranges("closed"),
    filtered: ranges("filtered"),
    ...(host.protocol === "udp"
      ? { "open|filtered": ranges("open|filtered"), protocol: "udp" as const }
      : {}),
    ...(host.udpFrom === undefined ? {} : twoProtocols(host)),
    startedAt: host.startedAt.toISOString(),
    elapsedMs: round(host.elapsedMs, 1),
    timing: {
      srttMs: t.srttMs === null ? null : round(t.srttMs, 3),
      rttvarMs: t.rttvarMs === null ? null : round(t.rttvarMs, 3),
      timeoutMs: round(t.timeoutMs, 1),
    },
  };
}

/** The host line's fields of a host scanned over TCP and UDP. */
function twoProtocols(host: HostResult): Pick<HostLine, "protocol" | "byProtocol"> {
  const of = (protocol: Protocol): ProtocolRanges => {
    const r = (state: keyof ProtocolRanges) => formatPortRanges(portsIn(host, state, protocol));
    return {
      open: r("open"),
      closed: r("closed"),
      filtered: r("filtered"),
      "open|filtered": r("open|filtered"),
    };
  };
  const byProtocol = { tcp: of("tcp"), udp: of("udp") };
  return { protocol: "tcp+udp", byProtocol };
}

export function runRecord(hosts: HostResult[], summary: RunSummary): RunLine {
  const counts = { scanned: 0, open: 0, closed: 0, filtered: 0 };
  const status = { total: hosts.length, up: 0, down: 0, unreachable: 0 };
  for (const h of hosts) {
    status[h.status]++;
    counts.scanned += h.counts.scanned;
    counts.open += h.counts.open;
    counts.closed += h.counts.closed;
    counts.filtered += h.counts.filtered;
  }
  return {
    type: "run",
    settings: summary.settings,
    hosts: status,
    counts,
    startedAt: summary.startedAt.toISOString(),
    elapsedMs: round(summary.elapsedMs, 1),
    interrupted: summary.interrupted,
  };
}

// The lines as text (the objects above are what the library API yields: ../../scan/api/).
export const scanLine = (identity: ScanIdentity, ports: number[], summary: RunSummary): string =>
  lineText(scanRecord(identity, ports, summary));
export const portLine = (...args: Parameters<typeof portRecord>): string =>
  lineText(portRecord(...args));
export const hostLine = (host: HostResult): string => lineText(hostRecord(host));
export const runLine = (hosts: HostResult[], summary: RunSummary): string =>
  lineText(runRecord(hosts, summary));
