// The target namespace's iptables rules, as pure text (iptables-restore input), and their
// counters read back from `iptables-save -c`: filtered ports, unreachable addresses, the per-host
// RST limit and the SYN counters.
import { type Plan, v6Of, type WanOptions } from "./layout.ts";

/** Comments naming the counting rules, so counters are read back by name. */
export const RULE = { syn: "wan-syn", rstSent: "wan-rst-sent", rstDropped: "wan-rst-dropped" };
/** Chain of one rule per target address, entered by SYNs only (synPerAddress). */
const SYN_CHAIN = "WANSYN";

export type Family = 4 | 6;

/** iptables-restore (family 4) or ip6tables-restore (6) input for the target namespace. */
export function targetRules(plan: Plan, options: WanOptions, family: Family = 4): string {
  const on = (address: string) => (family === 4 ? `${address}/32` : `${v6Of(address)}/128`);
  const reject = family === 4 ? "icmp-host-unreachable" : "icmp6-addr-unreachable";
  const lines = ["*raw"];
  if (options.synPerAddress) {
    lines.push(`:${SYN_CHAIN} - [0:0]`);
    lines.push(`-A PREROUTING -p tcp --syn -m comment --comment ${RULE.syn} -j ${SYN_CHAIN}`);
    // RETURN at the first match: a SYN walks half the list on average, not all of it.
    for (const address of plan.addresses) lines.push(`-A ${SYN_CHAIN} -d ${on(address)} -j RETURN`);
  } else lines.push(`-A PREROUTING -p tcp --syn -m comment --comment ${RULE.syn}`);
  lines.push("COMMIT", "*filter");
  for (const address of plan.unreachable)
    lines.push(`-A INPUT -d ${on(address)} -j REJECT --reject-with ${reject}`);
  for (const host of plan.hosts)
    for (const [a, b] of host.dropSyn)
      lines.push(`-A INPUT -d ${on(host.address)} -p tcp --syn --dport ${a}:${b} -j DROP`);
  const rate = options.rstPerSecond;
  if (rate !== undefined) {
    if (!Number.isInteger(rate) || rate < 1) throw new Error("rstPerSecond must be ≥ 1");
    const burst = options.rstBurst ?? rate;
    // hashlimit by source address: each host has its own budget, as each real host does.
    lines.push(
      `-A OUTPUT -p tcp --tcp-flags RST RST -m hashlimit --hashlimit-upto ${rate}/sec` +
        ` --hashlimit-burst ${burst} --hashlimit-mode srcip --hashlimit-name wanrst${family}` +
        ` -m comment --comment ${RULE.rstSent} -j ACCEPT`,
      `-A OUTPUT -p tcp --tcp-flags RST RST -m comment --comment ${RULE.rstDropped} -j DROP`,
    );
  }
  lines.push("COMMIT", "");
  return lines.join("\n");
}

/** Packet counts of the named rules in `iptables-save -c` output (0 for a rule not there). */
export function ruleCounters(save: string): Record<keyof typeof RULE, number> {
  const of = (comment: string) => {
    const line = save.split("\n").find((l) => l.includes(`--comment ${comment}`));
    return line ? Number(/^\[(\d+):/.exec(line)?.[1] ?? 0) : 0;
  };
  return { syn: of(RULE.syn), rstSent: of(RULE.rstSent), rstDropped: of(RULE.rstDropped) };
}

/** SYNs per target address from `iptables-save -c` (only with synPerAddress). */
export function synCountsByAddress(save: string): Map<string, number> {
  const counts = new Map<string, number>();
  const rule = new RegExp(`^\\[(\\d+):\\d+\\] -A ${SYN_CHAIN} -d ([\\d.a-f:]+)/(32|128)`);
  for (const line of save.split("\n")) {
    const match = rule.exec(line);
    if (match) counts.set(match[2] as string, Number(match[1]));
  }
  return counts;
}
