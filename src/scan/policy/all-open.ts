// Hosts that accept every port: SYN proxies, tarpits, "all ports open" middleboxes, the top
// false-positive report of naabu, masscan and RustScan. A connect scan cannot tell their SYN-ACK
// from a listener's, but it can tell that no real host listens on everything. Pure.
//
// - port-threshold: more open ports than the threshold (naabu's -port-threshold; 0 turns it
//   off). The default, 1000, is above any listener count the project's labs and bench open
//   (the loopback lab: 60; the WAN lab: a few dozen per host) and far below 65535.
// - closed-ports-accept: the host's first `sample` settled ports were all open, none closed or
//   filtered, when the scan has many more to go. The first ports probed are the usual ones
//   (probeOrder), then the scan's own order, which is random over the list: on a real host,
//   among 200 ports there is a closed or filtered one unless it is the list of its listeners.
//
// A verdict cuts the host's scan short (its other ports are skipped, it is reported with what
// it has and marked), unless --keep-all-open says to go on.

import type { AllOpenVerdict } from "../model/reasons.ts";

export interface AllOpenPolicy {
  /** Open ports above which a host is not believed; 0: no limit. */
  threshold: number;
  /** Ports settled, all open, that make a host suspect (when at least `sample` more remain). */
  sample: number;
  /** --keep-all-open: mark such hosts but scan them to the end. */
  keepGoing: boolean;
}

export const DEFAULT_ALL_OPEN: AllOpenPolicy = { threshold: 1000, sample: 200, keepGoing: false };

export interface PortCounts {
  open: number;
  closed: number;
  filtered: number;
  /** Ports of the host's scan in all (this shard). */
  total: number;
}

/** Is this host one that accepts everything? null while it looks like a real host. */
export function allOpenVerdict(counts: PortCounts, policy: AllOpenPolicy): AllOpenVerdict | null {
  if (policy.threshold > 0 && counts.open > policy.threshold) return "port-threshold";
  const settled = counts.open + counts.closed + counts.filtered;
  const allOpen = counts.open === settled;
  if (policy.sample > 0 && allOpen && settled >= policy.sample && counts.total >= 2 * policy.sample)
    return "closed-ports-accept";
  return null;
}
