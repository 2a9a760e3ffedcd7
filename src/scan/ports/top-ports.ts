// `--top-ports N` and `-F`: the ports most often found open, in nmap's order. The ranking is
// read from nmap's nmap-services (its open-frequency column) where nmap is installed, else
// from the embedded copy of its first 1000 ports (top-ports-table.ts; UDP's for -sU in
// top-udp-ports-table.ts).
import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "../../shared/errors.ts";
import { MAX_PORT } from "./port-spec.ts";
import { EMBEDDED_TOP_PORTS } from "./top-ports-table.ts";
import { EMBEDDED_TOP_UDP_PORTS } from "./top-udp-ports-table.ts";

export const NMAP_SERVICES = "/usr/share/nmap/nmap-services";
/** What -F scans: nmap's fast scan. */
export const FAST_PORT_COUNT = 100;

export type Protocol = "tcp" | "udp";

export interface PortRanking {
  /** Ports of one protocol, most often open first. */
  ports: number[];
  /** Where the ranking came from: a file path or "embedded". */
  source: string;
}

/**
 * The `protocol` ports of an nmap-services text by open frequency, highest first (ties: lower
 * port first); ports never seen open (frequency 0) come last, as in nmap.
 */
export function rankPorts(nmapServices: string, protocol: Protocol = "tcp"): number[] {
  const frequency = new Map<number, number>();
  for (const line of nmapServices.split("\n")) {
    const [, portProto, ratio] = line.replace(/#.*/, "").trim().split(/\s+/);
    const [port, proto] = (portProto ?? "").split("/");
    const match = proto === protocol && /^\d+$/.test(port ?? "");
    const value = Number(ratio);
    if (!match || !(value >= 0)) continue;
    const number = Number(port);
    if (number <= MAX_PORT) frequency.set(number, Math.max(value, frequency.get(number) ?? 0));
  }
  return [...frequency.keys()].sort(
    (a, b) => (frequency.get(b) as number) - (frequency.get(a) as number) || a - b,
  );
}

export function embeddedRanking(protocol: Protocol = "tcp"): number[] {
  const table = protocol === "udp" ? EMBEDDED_TOP_UDP_PORTS : EMBEDDED_TOP_PORTS;
  return table.join(" ").trim().split(/\s+/).map(Number);
}

/** The ranking of this machine: nmap's own file if it is there and readable, else embedded. */
export function loadPortRanking(path = NMAP_SERVICES, protocol: Protocol = "tcp"): PortRanking {
  if (existsSync(path)) {
    try {
      const ports = rankPorts(readFileSync(path, "utf8"), protocol);
      if (ports.length > 0) return { ports, source: path };
    } catch {
      // unreadable: the embedded ranking below
    }
  }
  return { ports: embeddedRanking(protocol), source: "embedded" };
}

/**
 * The first `count` ranked ports that `allowed` accepts (nmap applies -p and --exclude-ports
 * before taking the top N), sorted ascending. Asking for more than the ranking holds: all of
 * nmap's own list, but a UsageError for the embedded one (it stops where nmap's would not).
 */
export function topPorts(
  count: number,
  ranking: PortRanking,
  allowed: (port: number) => boolean = () => true,
  flag = "--top-ports",
): number[] {
  const chosen: number[] = [];
  for (const port of ranking.ports) {
    if (chosen.length >= count) break;
    if (allowed(port)) chosen.push(port);
  }
  if (chosen.length < count && ranking.source === "embedded" && count > ranking.ports.length)
    throw new UsageError(
      `${flag} ${count}: this machine has no ${NMAP_SERVICES} (nmap) and the embedded ranking stops at ${ranking.ports.length}`,
    );
  return chosen.sort((a, b) => a - b);
}
