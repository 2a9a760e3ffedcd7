// tp-scan's --jsonl (a file, or a run kept in the --db history) as a ScanSnapshot, read through
// the reader `tp-scan merge` uses, so a cut last line or shards of one scan read the same way.

import type { HostResult } from "../model/results.ts";
import { STATE_NAMES } from "../model/results.ts";
import { mergeJsonl } from "../output/jsonl-read.ts";
import type { ServiceTable } from "../ports/services.ts";
import {
  type HostSnapshot,
  type PortSnapshot,
  portKey,
  type ScanSnapshot,
  type SnapshotPortState,
} from "./snapshot.ts";

/** The state most ports of a fully probed host are in (left out of the list, as nmap does). */
function commonState(host: HostResult): SnapshotPortState | null {
  if (host.counts.scanned < host.ports.length) return null;
  const { open, closed, filtered } = host.counts;
  // Open ports are always listed: they are what a diff reports.
  if (open === host.ports.length) return null;
  return closed >= filtered ? "closed" : "filtered";
}

export function hostSnapshot(host: HostResult, services: ServiceTable): HostSnapshot {
  const otherPorts = commonState(host);
  const ports = new Map<string, PortSnapshot>();
  host.ports.forEach((port, i) => {
    const state = STATE_NAMES[host.states[i] as number];
    if (state === undefined || state === otherPorts) return;
    ports.set(portKey("tcp", port), { state, service: services.get(port) ?? null });
  });
  // A name that is only the address again is no name.
  const name = host.target.name === host.target.address ? null : host.target.name;
  return { address: host.target.address, name, status: host.status, ports, otherPorts };
}

/**
 * `files`: one scan's --jsonl parts (one file, or the shards of one scan). Services are named
 * from `services`, the table tp-scan names them from when it writes a port line.
 */
export function readJsonlScan(
  source: string,
  files: Array<{ name: string; text: string }>,
  services: ServiceTable,
): ScanSnapshot {
  const merged = mergeJsonl(files);
  return {
    source,
    scanner: "tp-scan",
    startedAt: merged.startedAt,
    scanned: new Set(merged.ports.map((p) => portKey("tcp", p))),
    hosts: merged.hosts.map((h) => hostSnapshot(h, services)),
  };
}
