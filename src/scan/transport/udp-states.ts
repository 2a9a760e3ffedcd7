// What a UDP probe's socket said, as nmap -sU names it. Pure: the errno values are Linux's
// (the kernel's icmp_err_convert table maps each ICMP destination-unreachable code to one).
//
// A connected UDP socket (udp(7)) only receives datagrams from the address and port it is
// connected to, and only ICMP errors quoting its own 4-tuple: a reply is from the probed
// service itself, and the kernel has checked it.
import { ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, LOCAL_ERRNOS } from "../sys/libc.ts";

export const UDP_OPEN = "open";
export const UDP_CLOSED = "closed";
export const UDP_FILTERED = "filtered";
export const UDP_OPEN_FILTERED = "open|filtered";
export type UdpState =
  | typeof UDP_OPEN
  | typeof UDP_CLOSED
  | typeof UDP_FILTERED
  | typeof UDP_OPEN_FILTERED;

const ENOPROTOOPT = 92;
const EHOSTDOWN = 112;
const ENONET = 64;

/** nmap's reason names for the ICMP errors a socket reports (--reason). */
const ICMP_REASONS: Record<number, string> = {
  [ECONNREFUSED]: "port-unreach", // type 3 code 3
  [EHOSTUNREACH]: "host-unreach", // codes 1, 10 (host prohibited), 13 (admin prohibited), 14, 15
  [ENETUNREACH]: "net-unreach", // codes 0, 6, 9 (net prohibited), 11
  [ENOPROTOOPT]: "proto-unreach", // code 2
  [EHOSTDOWN]: "host-unknown", // code 7
  [ENONET]: "host-isolated", // code 8
};

export type UdpReading =
  /** Nothing yet (EAGAIN) or the scanner's own limit: wait, or try again. */
  | { kind: "none" }
  | { kind: "reply"; banner: Uint8Array }
  | { kind: "icmp"; state: UdpState; reason: string; errno: number };

export const NOTHING: UdpReading = { kind: "none" };

/**
 * The state an error of a UDP probe socket means: port-unreachable is closed, any other ICMP
 * unreachable filtered (nmap -sU's table); the scanner's own limits (ENOBUFS, EAGAIN...) are
 * none at all; an errno nothing maps is filtered with its number as the reason.
 */
export function udpError(errno: number): UdpReading {
  if (LOCAL_ERRNOS.has(errno)) return NOTHING;
  const reason = ICMP_REASONS[errno] ?? `errno-${errno}`;
  return { kind: "icmp", state: errno === ECONNREFUSED ? UDP_CLOSED : UDP_FILTERED, reason, errno };
}

/** After the last try: silence is open|filtered (a UDP service may just not answer). */
export const SILENT_REASON = "no-response";
