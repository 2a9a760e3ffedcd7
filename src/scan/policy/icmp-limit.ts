// ICMP rate limits for -sU: a host that answers a few ports with port-unreachable, then goes
// silent, is rationing its ICMP errors, and its silent ports are closed ports whose answer
// was dropped, not open|filtered ones. Pure (the policy and a model of the kernel's bucket).
//
// Linux (net.ipv4.icmp_ratelimit, ms, default 1000; ICMPv6: net.ipv6.icmp.ratelimit) keeps a
// token bucket per destination (inet_peer_xrlim_allow): a token every `ratelimit` ms, at most
// XRLIM_BURST_FACTOR = 6 saved, one per port-unreachable; loopback is exempt, as it is from the
// global net.ipv4.icmp_msgs_per_sec (1000/s, burst 50). The default is one a second after a
// burst of 6: nmap's book puts 65,536 ports at ~18 hours. Other systems: FreeBSD's
// net.inet.icmp.icmplim (200 a whole second), macOS 250/s, Windows none by default.
//
// The evidence and the pace are rst-limit.ts's, with port-unreachable in the role of the RST:
// ports silent on one try that answer port-unreachable on a later one, in seconds that lose
// over a quarter of their probes; the host is then paced at the rate of port-unreachables it
// shows, so that each retry finds a token. What differs is the policy below.
// `--defeat-icmp-ratelimit` (nmap's flag) turns it off: silent ports stay open|filtered after
// the usual tries, open ports are as fast, closed ones past the burst are not called closed.
import { DEFAULT_RST_LIMIT, type RstLimitPolicy, RstRateLimit } from "./rst-limit.ts";

/** XRLIM_BURST_FACTOR in the kernel (net/ipv4/inetpeer.c): tokens a quiet peer may save. */
export const LINUX_ICMP_BURST = 6;

export const DEFAULT_ICMP_LIMIT: RstLimitPolicy = {
  ...DEFAULT_RST_LIMIT,
  // Three ports closed on a retry: a UDP host's first seconds give few answers (the default
  // bucket grants 6 and then one a second), five would wait for ~5 s of them.
  minRetryRsts: 3,
  // A paced second that loses a quarter does not rule the limit out: on UDP that is a dropped
  // port or two among few probes (at 1/s, one probe a second; the first second's burst of 6
  // made every later one look "paced under a rate shown"), and ruling out called 1 of 17
  // closed ports open|filtered in the simulation (udp-sim.ts, 20 ports, 2 dropped).
  ruleOutShare: 0,
};

/**
 * Retries of a silent UDP port before its host is known to be limited: the evidence (3 ports
 * closed on a retry) takes a few seconds at one port-unreachable a second, and with the TCP
 * default (1, grown as retries answer) the WAN lab's 20 ports at 1/s ended in 9.9 s with 5
 * closed ports called open|filtered. nmap -sU -T4 retries up to 6 times.
 */
const UDP_MIN_RETRIES = 5;

/**
 * Tries after the first for a silent UDP port of a host: `grown` (the congestion module's,
 * more once ports answered retries), more again once the host is limited (its silences are
 * the bucket's); only `base` (--retries) when told to skip the wait: the answers to retries
 * are then the limiter's, not loss, and growing on them made 1000 ports take 41 s, not 8 s
 * (udp-sim.ts).
 */
export function silentPortRetries(
  limit: RstRateLimit,
  retries: { grown: number; base: number },
): number {
  if (!limit.policy.enabled) return retries.base;
  return limit.retries(Math.max(retries.grown, retries.base, UDP_MIN_RETRIES));
}

export function icmpRateLimit(respectIcmpRatelimit: boolean): RstRateLimit {
  return new RstRateLimit({ ...DEFAULT_ICMP_LIMIT, enabled: respectIcmpRatelimit });
}

/** The least time a host at `ratelimitMs` needs to call `closed` ports closed, ms. */
export function icmpFloorMs(closed: number, ratelimitMs: number): number {
  return Math.max(0, closed - LINUX_ICMP_BURST) * ratelimitMs;
}
