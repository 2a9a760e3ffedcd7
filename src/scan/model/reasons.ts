// Why a port has its state and a host its status: nmap's --reason names (nmap's reason.cc), so
// that every output says what nmap would. A leaf: imports nothing.

/**
 * Why a port has its state.
 * syn-ack: the connection was accepted (open). conn-refused: a RST, or ICMP port-unreachable,
 * which the kernel reports alike (closed). no-response: silence on every try (filtered).
 * host-unreach, net-unreach, admin-prohibited: an ICMP error instead of an answer (filtered).
 */
export type PortReason =
  | "syn-ack"
  | "conn-refused"
  | "no-response"
  | "host-unreach"
  | "net-unreach"
  | "admin-prohibited";

/**
 * Why a host has its status.
 * up: syn-ack / conn-refused (a port or a connect ping answered), echo-reply (ICMP echo),
 * user-set (-Pn, never probed into an answer). down: no-response. unreachable: host-unreach,
 * net-unreach, admin-prohibited (every probe met that error, none was answered).
 * host-timeout: --host-timeout ended it (still up).
 */
export type HostReason = PortReason | "echo-reply" | "user-set" | "host-timeout";

/** Port reason codes as stored in the engine's shared arrays (0 = none yet). */
export const PORT_REASON_CODE = {
  none: 0,
  "syn-ack": 1,
  "conn-refused": 2,
  "no-response": 3,
  "host-unreach": 4,
  "net-unreach": 5,
  "admin-prohibited": 6,
} as const;

/** Host reason codes (the shared per-host slot): the port reasons, then the host-only ones. */
export const HOST_REASON_CODE = { ...PORT_REASON_CODE, "echo-reply": 7 } as const;

export const REASON_NAMES: readonly (HostReason | undefined)[] = [
  undefined,
  "syn-ack",
  "conn-refused",
  "no-response",
  "host-unreach",
  "net-unreach",
  "admin-prohibited",
  "echo-reply",
];

/**
 * A port's byte in the engine's shared states: its state code (0-4, open|filtered included) in
 * the low three bits, its reason code (0-7) above them, so a reason costs no memory of its own.
 */
export const REASON_SHIFT = 3;
export const STATE_MASK = (1 << REASON_SHIFT) - 1;

export function packState(stateCode: number, reasonCode: number): number {
  return stateCode | (reasonCode << REASON_SHIFT);
}

/**
 * How a host was looked for (HostResult.discovery): the scanned ports' own first probes, connect
 * pings to ports outside the list (nmap's unprivileged 80 and 443), an ICMP echo where this
 * process may send one (root, CAP_NET_RAW, or net.ipv4.ping_group_range), or not at all (-Pn).
 */
export type DiscoveryMethod = "scan-ports" | "connect-ping" | "icmp-echo" | "none";

/** A host that accepted too many ports to be believed (a SYN proxy, a tarpit): why it was cut. */
export type AllOpenVerdict = "port-threshold" | "closed-ports-accept";
