// Host discovery from a connect scan's own first probes: is anybody there? Pure.
//
// A connect scan cannot send ICMP echo without privileges; nmap's unprivileged discovery is a
// connect() to ports 80 and 443 (any SYN-ACK or RST, even ECONNREFUSED, means up). Here the
// scan's first probes to each host are its discovery: the ports most often answered go first,
// and until the host shows a sign of life only those are probed, so a dead address costs a few
// probes instead of a timeout cycle per port (issue 8: 59.8 s for 65535 ports of a dead host;
// nmap with discovery 2.1 s).
//
// - up: any answer (SYN-ACK or RST) on any port.
// - unreachable: at once on EHOSTUNREACH or ENETUNREACH (an ICMP error from a router, or the
//   last hop's failed ARP).
// - down: the first `probes` discovery ports all timed out on each of `tries` tries. The
//   timeouts of a silent host back off (timing.ts: 300, 600, 1200 ms), so 3 tries cost 2.1 s and
//   reach a host 1.2 s away: a satellite link (600 ms) and the 700 ms host are found.
// - -Pn (assumeUp): never down nor unreachable; every port is probed whatever happens.

import { embeddedRanking } from "../ports/top-ports.ts";

/**
 * The 20 TCP ports most often found open, most first: the head of the embedded nmap-services
 * ranking (top-ports.ts), the same wherever nmap is installed or not.
 */
export const PROBE_FIRST_PORTS: readonly number[] = embeddedRanking().slice(0, 20);

export type Liveness = "pending" | "up" | "down" | "unreachable";

/** What one probe of a port ended with, as far as liveness goes. */
export type ProbeOutcome = "answered" | "timeout" | "unreachable";

export interface DiscoveryPolicy {
  /** -Pn: treat every host as up. */
  assumeUp: boolean;
  /** Discovery ports that must all stay silent before a host is called down. */
  probes: number;
  /** Tries of each discovery port before it counts as silent. */
  tries: number;
}

export const DEFAULT_DISCOVERY: DiscoveryPolicy = { assumeUp: false, probes: 10, tries: 3 };

/**
 * The host's ports in probe order: those most often answered first (PROBE_FIRST_PORTS), then
 * the others in the order given. The first `probes` are the host's
 * discovery ports.
 */
export function probeOrder(ports: readonly number[]): number[] {
  const wanted = new Set(ports);
  const first = PROBE_FIRST_PORTS.filter((p) => wanted.has(p));
  const firstSet = new Set(first);
  return [...first, ...ports.filter((p) => !firstSet.has(p))];
}

/** The decision, from counts: what is known of a host so far. */
export function decideLiveness(seen: {
  answered: number;
  unreachable: number;
  silentDiscoveryPorts: number;
  discoveryPorts: number;
  assumeUp: boolean;
}): Liveness {
  if (seen.answered > 0) return "up";
  if (seen.assumeUp) return "pending";
  if (seen.unreachable > 0) return "unreachable";
  if (seen.discoveryPorts > 0 && seen.silentDiscoveryPorts >= seen.discoveryPorts) return "down";
  return "pending";
}

export class HostDiscovery {
  private readonly discovery: Set<number>;
  private answered = 0;
  private unreachable = 0;
  private silent = 0;

  /** `ports` in probe order (probeOrder): the first `policy.probes` are the discovery ports. */
  constructor(
    ports: readonly number[],
    readonly policy: DiscoveryPolicy = DEFAULT_DISCOVERY,
  ) {
    this.discovery = new Set(ports.slice(0, policy.probes));
  }

  get state(): Liveness {
    return decideLiveness({
      answered: this.answered,
      unreachable: this.unreachable,
      silentDiscoveryPorts: this.silent,
      discoveryPorts: this.discovery.size,
      assumeUp: this.policy.assumeUp,
    });
  }

  /** May `port` be probed now? While a host is pending, only its discovery ports (not -Pn). */
  mayProbe(port: number): boolean {
    const state = this.state;
    if (state === "up") return true;
    if (state !== "pending") return false;
    return this.policy.assumeUp || this.discovery.has(port);
  }

  /** Tries for `port` given the usual count: discovery ports of a silent host get more. */
  tries(port: number, usual: number): number {
    return this.answered === 0 && this.discovery.has(port)
      ? Math.max(usual, this.policy.tries)
      : usual;
  }

  /**
   * Record how try `attempt` (0-based) of `port` ended; `last` says it was its last try (the
   * port is settled). Returns the host's state after it.
   */
  record(port: number, outcome: ProbeOutcome, attempt: number, last: boolean): Liveness {
    if (outcome === "answered") this.answered++;
    else if (outcome === "unreachable") this.unreachable++;
    else if (last && attempt + 1 >= this.policy.tries && this.discovery.has(port)) this.silent++;
    return this.state;
  }
}
