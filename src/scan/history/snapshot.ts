// One scan as `tp-scan diff` compares it, whatever wrote it (tp-scan's --jsonl or -oX, nmap's
// -oX, a run in the --db history): per host, its status and the state and service of each port
// the scan reported. Types only.

export type SnapshotPortState = "open" | "closed" | "filtered" | "unfiltered" | "open|filtered";

export interface PortSnapshot {
  state: SnapshotPortState;
  service: string | null;
}

export interface HostSnapshot {
  address: string;
  /** The name given or found (nmap's user or PTR hostname), null when none. */
  name: string | null;
  status: "up" | "down" | "unreachable";
  /** Ports listed one by one, keyed `22/tcp` (nmap's spelling). */
  ports: Map<string, PortSnapshot>;
  /**
   * The state of every scanned port not in `ports` (nmap's <extraports>, or tp-scan's closed
   * ports when only one state was left out); null when that is not known.
   */
  otherPorts: SnapshotPortState | null;
}

export interface ScanSnapshot {
  /** Where it was read from: a file name, or `db:RUN-ID`. */
  source: string;
  scanner: string;
  startedAt: Date | null;
  /** Every port key the scan probed (its plan), null when the file does not say. */
  scanned: Set<string> | null;
  hosts: HostSnapshot[];
}

/** What `scan` says of `key` on `host`: its state, or null when it was not probed. */
export function stateOf(
  scan: ScanSnapshot,
  host: HostSnapshot,
  key: string,
): SnapshotPortState | null {
  const listed = host.ports.get(key);
  if (listed) return listed.state;
  if (scan.scanned && !scan.scanned.has(key)) return null;
  return host.otherPorts;
}

export function portKey(protocol: string, port: number): string {
  return `${port}/${protocol}`;
}

/** `22/tcp` -> { port: 22, protocol: "tcp" } */
export function splitPortKey(key: string): { port: number; protocol: string } {
  const [port = "0", protocol = "tcp"] = key.split("/");
  return { port: Number(port), protocol };
}
