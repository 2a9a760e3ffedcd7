// Host names inside the scanner namespace: `ip netns exec` mounts /etc/netns/<ns>/hosts and
// resolv.conf over /etc's, so scanner-side programs resolve host-N.wan.test (.test: RFC 6761,
// never on the Internet) to the lab's hosts, and any other name fails fast (the only name
// server is 127.0.0.1 in S, where nothing listens) instead of waiting on an unreachable one.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Plan, SCANNER_ADDRESS, SCANNER_ADDRESS6, v6Of } from "./layout.ts";

export const DOMAIN = "wan.test";
const NETNS_ETC = "/etc/netns";

/** Names by role and rank: host-1.wan.test, absent-1.wan.test, unreachable-1.wan.test. */
export function nameOf(role: "host" | "absent" | "unreachable", index: number): string {
  return `${role}-${index + 1}.${DOMAIN}`;
}

/** The scanner namespace's /etc/hosts: every lab address by name (and its IPv6 twin). */
export function hostsFile(plan: Plan): string {
  const lines = ["127.0.0.1 localhost", "::1 localhost", `${SCANNER_ADDRESS} scanner.${DOMAIN}`];
  if (plan.ipv6) lines.push(`${SCANNER_ADDRESS6} scanner.${DOMAIN}`);
  const named: [string, string][] = [
    ...plan.hosts.map((h, i): [string, string] => [h.address, nameOf("host", i)]),
    ...plan.absent.map((a, i): [string, string] => [a, nameOf("absent", i)]),
    ...plan.unreachable.map((a, i): [string, string] => [a, nameOf("unreachable", i)]),
  ];
  for (const [address, name] of named) {
    lines.push(`${address} ${name}`);
    if (plan.ipv6) lines.push(`${v6Of(address)} ${name}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Write the namespace's hosts and resolv.conf (read by `ip netns exec` only). */
export function writeNames(ns: string, plan: Plan): void {
  const dir = join(NETNS_ETC, ns);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "hosts"), hostsFile(plan));
  writeFileSync(join(dir, "resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
}

export function removeNames(ns: string): void {
  rmSync(join(NETNS_ETC, ns), { recursive: true, force: true });
}
