// The lab's interfaces as `ip -batch` input, pure text: the scanner side's address and route,
// the target side's addresses (hosts and unreachable ones; absent ones belong to nobody) and its
// route back, in IPv4 and, with the ipv6 option, IPv6.
import {
  type Plan,
  SCANNER_ADDRESS,
  SCANNER_ADDRESS6,
  SCANNER_NET,
  SCANNER_NET6,
  TARGET_NET,
  TARGET_NET6,
  v6Of,
} from "./layout.ts";

/**
 * Packets a TUN device holds for the forwarder to read. The default (500) overflowed under a
 * scanner's bursts: tp-scan -p- -c 5000 lost 22207 SYNs there, loss no setting asked for.
 */
export const TUN_QUEUE = 50_000;

function linkUp(dev: string): string[] {
  return [
    "link set lo up",
    `link set ${dev} addrgenmode none`, // no IPv6 link-local: no stray packets on the link
    `link set ${dev} txqueuelen ${TUN_QUEUE}`,
    `link set ${dev} up`,
  ];
}

/** `ip -batch` input for the scanner namespace; the TUN device is `dev`. */
export function scannerIpBatch(plan: Plan, dev: string): string {
  const lines = linkUp(dev);
  lines.push(`addr add ${SCANNER_ADDRESS}/32 dev ${dev}`);
  lines.push(`route add ${TARGET_NET} dev ${dev} src ${SCANNER_ADDRESS}`);
  if (plan.ipv6) {
    // nodad: duplicate address detection would hold the address unusable for a second.
    lines.push(`addr add ${SCANNER_ADDRESS6}/128 dev ${dev} nodad`);
    lines.push(`route add ${TARGET_NET6} dev ${dev} src ${SCANNER_ADDRESS6}`);
  }
  return [...lines, ""].join("\n");
}

/** `ip -batch` input for the target namespace: hosts and unreachable addresses, not absent. */
export function targetIpBatch(plan: Plan, dev: string): string {
  const owned = [...plan.hosts.map((h) => h.address), ...plan.unreachable];
  const lines = linkUp(dev);
  lines.push(...owned.map((a) => `addr add ${a}/32 dev ${dev}`));
  // Absent addresses fall into a blackhole: dropped without a word. (Without a route IPv6
  // answers "no route", ENETUNREACH at the scanner; IPv4 happens to stay silent.)
  lines.push(`route add ${SCANNER_NET} dev ${dev}`, `route add blackhole ${TARGET_NET}`);
  if (plan.ipv6) {
    lines.push(...owned.map((a) => `addr add ${v6Of(a)}/128 dev ${dev} nodad`));
    lines.push(`route add ${SCANNER_NET6} dev ${dev}`, `route add blackhole ${TARGET_NET6}`);
  }
  return [...lines, ""].join("\n");
}
