// What changed from one scan to the next (pure: two ScanSnapshots in, a list of changes out):
// hosts that appeared or vanished, and on hosts up in both, ports that opened, closed or
// changed service. A port one of the scans did not probe is not compared: "not scanned" is no
// evidence that it closed (nmap's top 1000 against tp-scan's 1-1024, an interrupted host).
// Services are compared only between scans of one scanner: without -sV both name a port from
// a table, and nmap-services and /etc/services name many ports differently (8080: http-proxy,
// http-alt), which would be a "change" on every such port.
import {
  type HostSnapshot,
  type ScanSnapshot,
  type SnapshotPortState,
  splitPortKey,
  stateOf,
} from "./snapshot.ts";

export interface PortRef {
  /** `22/tcp` */
  port: string;
  service: string | null;
}

export type DiffChange =
  | { type: "host-appeared"; address: string; name: string | null; open: PortRef[] }
  | { type: "host-vanished"; address: string; name: string | null; status: string; open: PortRef[] }
  | {
      type: "port-opened";
      address: string;
      port: string;
      service: string | null;
      was: SnapshotPortState;
    }
  | {
      type: "port-closed";
      address: string;
      port: string;
      service: string | null;
      now: SnapshotPortState;
    }
  | {
      type: "service-changed";
      address: string;
      port: string;
      was: string | null;
      now: string | null;
    };

export interface DiffCounts {
  hosts: number;
  appeared: number;
  vanished: number;
  opened: number;
  closed: number;
  serviceChanged: number;
}

export interface ScanDiff {
  changes: DiffChange[];
  counts: DiffCounts;
}

function openPorts(host: HostSnapshot): PortRef[] {
  const out: PortRef[] = [];
  for (const [port, entry] of host.ports)
    if (entry.state === "open") out.push({ port, service: entry.service });
  return out.sort((a, b) => comparePorts(a.port, b.port));
}

/** `22/tcp` before `80/tcp` before `53/udp`. */
function comparePorts(a: string, b: string): number {
  const x = splitPortKey(a);
  const y = splitPortKey(b);
  if (x.protocol !== y.protocol) return x.protocol < y.protocol ? -1 : 1;
  return x.port - y.port;
}

function portChanges(old: ScanSnapshot, next: ScanSnapshot, a: HostSnapshot, b: HostSnapshot) {
  const changes: DiffChange[] = [];
  const sameNames = old.scanner === next.scanner;
  const keys = [...new Set([...a.ports.keys(), ...b.ports.keys()])].sort(comparePorts);
  const address = b.address;
  for (const port of keys) {
    const was = stateOf(old, a, port);
    const now = stateOf(next, b, port);
    if (was === null || now === null) continue;
    const before = a.ports.get(port)?.service ?? null;
    const after = b.ports.get(port)?.service ?? null;
    if (now === "open" && was !== "open")
      changes.push({ type: "port-opened", address, port, service: after, was });
    else if (was === "open" && now !== "open")
      changes.push({ type: "port-closed", address, port, service: before, now });
    else if (was === "open" && sameNames && before !== after)
      changes.push({ type: "service-changed", address, port, was: before, now: after });
  }
  return changes;
}

/** Addresses in the order the scans list them (the new scan's first), each once. */
function addressesOf(old: ScanSnapshot, next: ScanSnapshot): string[] {
  return [...new Set([...next.hosts, ...old.hosts].map((h) => h.address))];
}

export function diffScans(old: ScanSnapshot, next: ScanSnapshot): ScanDiff {
  const before = new Map(old.hosts.map((h) => [h.address, h]));
  const after = new Map(next.hosts.map((h) => [h.address, h]));
  const changes: DiffChange[] = [];
  const addresses = addressesOf(old, next);
  for (const address of addresses) {
    const a = before.get(address);
    const b = after.get(address);
    const upBefore = a?.status === "up";
    const upAfter = b?.status === "up";
    if (b && upAfter && !upBefore)
      changes.push({ type: "host-appeared", address, name: b.name, open: openPorts(b) });
    else if (a && upBefore && !upAfter)
      changes.push({
        type: "host-vanished",
        address,
        name: a.name,
        status: b?.status ?? "absent",
        open: openPorts(a),
      });
    else if (a && b && upBefore && upAfter) changes.push(...portChanges(old, next, a, b));
  }
  const count = (type: DiffChange["type"]) => changes.filter((c) => c.type === type).length;
  return {
    changes,
    counts: {
      hosts: addresses.length,
      appeared: count("host-appeared"),
      vanished: count("host-vanished"),
      opened: count("port-opened"),
      closed: count("port-closed"),
      serviceChanged: count("service-changed"),
    },
  };
}
