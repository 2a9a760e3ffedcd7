// Host discovery on evidence, as nmap decides it (issue 18). Pure.
//
// The scan's first probes to each host are its first discovery probes: the ports most often
// answered go first (probeOrder), and until the host shows a sign of life only those are probed,
// so a dead address costs a few probes instead of a timeout cycle per port (issue 8: 59.8 s for
// 65535 ports of a dead host; nmap with discovery 2.1 s). When they all end without an answer
// (silence on every try, or an ICMP error), the host is not given up yet: it gets the probes
// that do not depend on the scanned list, as nmap's host discovery sends them: connect pings to
// ports 80 and 443 (nmap's unprivileged default) when they are not in the list, and an ICMP echo
// where this process may send one. Then:
//
// - up: any answer (SYN-ACK or RST on any port, an echo reply). Ports that met an ICMP error on
//   a host that answers are filtered, with that error as their reason.
// - unreachable: no answer, and the probes met unreachable errors (a local unreachable route,
//   every port REJECTed with an ICMP error).
// - down: no answer and no error: silence everywhere.
// - -Pn (assumeUp): never down nor unreachable; every port is probed whatever happens.
//
// Before issue 18 the first EHOSTUNREACH ended the host: a host REJECTing every port but one
// with icmp-host-prohibited was "unreachable after 0 ports"; nmap found its open port.

import type { DiscoveryMethod, PortReason } from "../model/reasons.ts";
import type { PortState } from "../model/results.ts";
import { embeddedRanking } from "../ports/top-ports.ts";
import { ECONNREFUSED, EHOSTUNREACH, ENETDOWN, ENETUNREACH } from "../sys/libc.ts";

/**
 * The 20 TCP ports most often found open, most first: the head of the embedded nmap-services
 * ranking (top-ports.ts), the same wherever nmap is installed or not.
 */
export const PROBE_FIRST_PORTS: readonly number[] = embeddedRanking().slice(0, 20);

/** nmap's unprivileged host discovery: a connect() to each of these. */
export const CONNECT_PING_PORTS: readonly number[] = [80, 443];

export interface DiscoveryPolicy {
  /** -Pn: treat every host as up. */
  assumeUp: boolean;
  /** Discovery ports that must all stay silent before a host gets its pings. */
  probes: number;
  /** Tries of each discovery port before it counts as silent. */
  tries: number;
}

export const DEFAULT_DISCOVERY: DiscoveryPolicy = { assumeUp: false, probes: 10, tries: 3 };

/**
 * The host's ports in probe order: those most often answered first (PROBE_FIRST_PORTS), then
 * the others in the order given. The first `probes` are the host's discovery ports.
 */
export function probeOrder(ports: readonly number[]): number[] {
  const wanted = new Set(ports);
  const first = PROBE_FIRST_PORTS.filter((p) => wanted.has(p));
  const firstSet = new Set(first);
  return [...first, ...ports.filter((p) => !firstSet.has(p))];
}

/** The connect pings a host gets: 80 and 443 unless the scan probes them anyway. */
export function connectPingPorts(scanned: ArrayLike<number>): number[] {
  const inList = new Set(Array.from(scanned));
  return CONNECT_PING_PORTS.filter((p) => !inList.has(p));
}

/** The discovery methods a scan uses (HostResult.discovery says them). */
export function discoveryMethods(
  policy: DiscoveryPolicy,
  scanned: readonly number[],
  echo: boolean,
): DiscoveryMethod[] {
  if (policy.assumeUp) return ["none"];
  const methods: DiscoveryMethod[] = ["scan-ports"];
  if (connectPingPorts(scanned).length > 0) methods.push("connect-ping");
  if (echo) methods.push("icmp-echo");
  return methods;
}

/** What one connect probe's end says: the port's state, why, and whether the host answered. */
export interface ProbeVerdict {
  state: PortState;
  reason: PortReason;
  /** The host itself (or its TCP stack) answered: a sign of life. */
  answered: boolean;
  /** An ICMP error instead of an answer: evidence for "unreachable". */
  unreachable: boolean;
}

const OPEN: ProbeVerdict = { state: "open", reason: "syn-ack", answered: true, unreachable: false };
const SILENT: ProbeVerdict = {
  state: "filtered",
  reason: "no-response",
  answered: false,
  unreachable: false,
};

/**
 * The verdict of a connect() that ended with `errno` (0: connected; null: silence on its last
 * try). Linux reports a RST and ICMP port-unreachable alike (ECONNREFUSED: closed, as nmap -sT);
 * host-unreachable, host- and admin-prohibited as EHOSTUNREACH; net-unreachable and
 * net-prohibited as ENETUNREACH; a local netfilter REJECT as EACCES or EPERM.
 */
export function probeVerdict(errno: number | null): ProbeVerdict {
  if (errno === 0) return OPEN;
  if (errno === null) return SILENT;
  if (errno === ECONNREFUSED)
    return { state: "closed", reason: "conn-refused", answered: true, unreachable: false };
  const reason = unreachableReason(errno);
  if (reason) return { state: "filtered", reason, answered: false, unreachable: true };
  return SILENT;
}

/** The ICMP error behind `errno`, as nmap names it, or null when it is not one. */
export function unreachableReason(errno: number): PortReason | null {
  if (errno === EHOSTUNREACH) return "host-unreach";
  if (errno === ENETUNREACH || errno === ENETDOWN) return "net-unreach";
  if (errno === 13 || errno === 1) return "admin-prohibited"; // EACCES, EPERM
  return null;
}

export type Liveness = "pending" | "ping" | "up" | "down" | "unreachable";

/** What is known of a host that has not answered yet (counts of its discovery probes). */
export interface HostEvidence {
  /** Any answer on any port, ping or echo. */
  answered: boolean;
  /** Its discovery probes among the scanned ports: min(policy.probes, ports scanned). */
  discoveryPorts: number;
  /** Of those, ended without an answer (silent on every try, or an ICMP error). */
  unansweredDiscoveryPorts: number;
  /** Probes that met an unreachable error (scanned ports and pings alike). */
  unreachable: number;
  /** Pings: none this host can get, not sent yet, sent and awaited, or all ended unanswered. */
  pings: "none" | "unsent" | "pending" | "over";
  assumeUp: boolean;
}

/**
 * The decision: "ping" means send the pings now (the discovery ports are spent); "pending"
 * means wait for more evidence. -Pn never gives a host up.
 */
export function decideLiveness(e: HostEvidence): Liveness {
  if (e.answered) return "up";
  if (e.assumeUp) return "pending";
  if (e.unansweredDiscoveryPorts < e.discoveryPorts) return "pending";
  if (e.pings === "unsent") return "ping";
  if (e.pings === "pending") return "pending";
  return e.unreachable > 0 ? "unreachable" : "down";
}
