// The WAN lab's plan, as pure data: which address plays which role, what each direction of the
// link does, and the ip/iptables input that builds the target namespace. No side effects here,
// so all of it is unit-tested without a network (test/wan/layout.test.ts).

/** One direction of the link. Every field defaults to 0 = none. */
export interface LinkSettings {
  /** One-way delay in ms (a round trip pays it twice: 25 here is a 50 ms RTT). */
  delayMs?: number;
  /** Each packet's delay varies by up to ± this many ms, never reordering packets. */
  jitterMs?: number;
  /** Random loss, percent of packets. */
  lossPct?: number;
  /** Packet-rate cap (packets/s), like a bottleneck link. */
  pps?: number;
  /** Packets the bottleneck holds before it drops (tail drop); 0 = unbounded. Needs pps. */
  queue?: number;
}

/** A port list: numbers and "A-B" ranges. */
export type PortList = (number | string)[];

export interface HostSpec {
  /** Ports with a listener (accepts, writes the banner if any, closes). */
  listen?: PortList;
  /** Ports whose SYNs are dropped without an answer (filtered). */
  dropSyn?: PortList;
  /** Greeting each accepted connection gets, e.g. "SSH-2.0-lab". */
  banner?: string;
}

export interface WanOptions extends LinkSettings {
  /** Overrides for the scanner → target direction. */
  toTarget?: LinkSettings;
  /** Overrides for the target → scanner direction. */
  toScanner?: LinkSettings;
  /** Live target hosts, or how many with no listener. Default 1. */
  hosts?: HostSpec[] | number;
  /** Addresses routed to the target side with no host behind them: no answer at all. */
  absent?: number;
  /** Addresses for which the target side answers ICMP host-unreachable. */
  unreachable?: number;
  /** RSTs each host sends per second at most (FreeBSD/macOS-style limit); the rest dropped. */
  rstPerSecond?: number;
  /** Burst of the RST limit; default rstPerSecond (a per-second budget, as FreeBSD counts). */
  rstBurst?: number;
  /** Seed of loss, jitter and role interleaving (same seed, same draws). Default 1. */
  seed?: number;
  /** Mix absent and unreachable addresses among the hosts (seeded) instead of after them. */
  interleave?: boolean;
}

export interface PlannedHost {
  address: string;
  listen: number[];
  dropSyn: [number, number][];
  banner?: string;
}

export interface Plan {
  scanner: string;
  hosts: PlannedHost[];
  absent: string[];
  unreachable: string[];
  /** Every target-side address in pool order (hosts, absent, unreachable mixed as planned). */
  addresses: string[];
}

/** The scanner's address; targets are in TARGET_NET, both inside 198.18.0.0/15 (RFC 2544). */
export const SCANNER_ADDRESS = "198.18.0.1";
export const SCANNER_NET = "198.18.0.0/16";
export const TARGET_NET = "198.19.0.0/16";
/** Usable addresses of the pool: 198.19.1.1 .. 198.19.255.254, no .0 or .255. */
export const MAX_ADDRESSES = 255 * 254;

/** The i-th address of the target pool: 198.19.1.1, ... 198.19.1.254, 198.19.2.1, ... */
export function poolAddress(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= MAX_ADDRESSES) throw new Error(`no pool address ${i}`);
  return `198.19.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`;
}

export function parsePortList(list: PortList): [number, number][] {
  return list.map((item) => {
    const [a, b = a] = String(item).split("-").map(Number);
    if (!isPort(a) || !isPort(b) || (b as number) < (a as number))
      throw new Error(`bad port or range '${item}'`);
    return [a as number, b as number];
  });
}

function isPort(n: number | undefined): boolean {
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= 65535;
}

export function expandPorts(list: PortList): number[] {
  return parsePortList(list).flatMap(([a, b]) =>
    Array.from({ length: b - a + 1 }, (_, i) => a + i),
  );
}

// mulberry32: a small seeded generator for the interleaving shuffle.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Role = "host" | "absent" | "unreachable";

/** Give each pool address a role; hosts keep their order among themselves. */
export function planAddresses(options: WanOptions): Plan {
  const specs = hostSpecs(options.hosts);
  const absent = count(options.absent, "absent");
  const unreachable = count(options.unreachable, "unreachable");
  const total = specs.length + absent + unreachable;
  if (total > MAX_ADDRESSES) throw new Error(`at most ${MAX_ADDRESSES} addresses (asked ${total})`);
  const roles: Role[] = [
    ...specs.map(() => "host" as const),
    ...Array<Role>(absent).fill("absent"),
    ...Array<Role>(unreachable).fill("unreachable"),
  ];
  if (options.interleave) {
    const next = random(options.seed ?? 1);
    for (let i = roles.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [roles[i], roles[j]] = [roles[j] as Role, roles[i] as Role];
    }
  }
  const plan: Plan = {
    scanner: SCANNER_ADDRESS,
    hosts: [],
    absent: [],
    unreachable: [],
    addresses: [],
  };
  roles.forEach((role, i) => {
    const address = poolAddress(i);
    plan.addresses.push(address);
    if (role === "absent") plan.absent.push(address);
    else if (role === "unreachable") plan.unreachable.push(address);
    else {
      const spec = specs[plan.hosts.length] as HostSpec;
      plan.hosts.push({
        address,
        listen: expandPorts(spec.listen ?? []),
        dropSyn: parsePortList(spec.dropSyn ?? []),
        ...(spec.banner === undefined ? {} : { banner: spec.banner }),
      });
    }
  });
  return plan;
}

function hostSpecs(hosts: WanOptions["hosts"]): HostSpec[] {
  if (hosts === undefined) return [{}];
  if (typeof hosts === "number") return Array.from({ length: count(hosts, "hosts") }, () => ({}));
  return hosts;
}

function count(value: number | undefined, what: string): number {
  const n = value ?? 0;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be a whole number ≥ 0`);
  return n;
}

/** One direction's settings as the forwarder's SPEC: "delay=25,jitter=0,loss=2,pps=0,queue=0". */
export function linkSpec(base: LinkSettings, override: LinkSettings = {}): string {
  const s = { ...base, ...override };
  const fields: [string, number | undefined][] = [
    ["delay", s.delayMs],
    ["jitter", s.jitterMs],
    ["loss", s.lossPct],
    ["pps", s.pps],
    ["queue", s.queue],
  ];
  return fields
    .map(([name, value]) => {
      const v = value ?? 0;
      if (!Number.isFinite(v) || v < 0 || (name === "loss" && v > 100))
        throw new Error(`bad ${name} '${value}'`);
      return `${name}=${v}`;
    })
    .join(",");
}

/** `ip -batch` input for the scanner namespace; the TUN device is `dev`. */
export function scannerIpBatch(dev: string): string {
  return [
    "link set lo up",
    `link set ${dev} up`,
    `addr add ${SCANNER_ADDRESS}/32 dev ${dev}`,
    `route add ${TARGET_NET} dev ${dev} src ${SCANNER_ADDRESS}`,
    "",
  ].join("\n");
}

/** `ip -batch` input for the target namespace: hosts and unreachable addresses, not absent. */
export function targetIpBatch(plan: Plan, dev: string): string {
  const owned = [...plan.hosts.map((h) => h.address), ...plan.unreachable];
  return [
    "link set lo up",
    `link set ${dev} up`,
    ...owned.map((a) => `addr add ${a}/32 dev ${dev}`),
    `route add ${SCANNER_NET} dev ${dev}`,
    "",
  ].join("\n");
}

/** Comments naming the counting rules, so counters are read back by name. */
export const RULE = { syn: "wan-syn", rstSent: "wan-rst-sent", rstDropped: "wan-rst-dropped" };

/** iptables-restore input for the target namespace. */
export function targetRules(plan: Plan, options: WanOptions): string {
  const lines = ["*raw", `-A PREROUTING -p tcp --syn -m comment --comment ${RULE.syn}`, "COMMIT"];
  lines.push("*filter");
  for (const address of plan.unreachable)
    lines.push(`-A INPUT -d ${address}/32 -j REJECT --reject-with icmp-host-unreachable`);
  for (const host of plan.hosts)
    for (const [a, b] of host.dropSyn)
      lines.push(`-A INPUT -d ${host.address}/32 -p tcp --syn --dport ${a}:${b} -j DROP`);
  const rate = options.rstPerSecond;
  if (rate !== undefined) {
    if (!Number.isInteger(rate) || rate < 1) throw new Error("rstPerSecond must be ≥ 1");
    const burst = options.rstBurst ?? rate;
    // hashlimit by source address: each host has its own budget, as each real host does.
    lines.push(
      `-A OUTPUT -p tcp --tcp-flags RST RST -m hashlimit --hashlimit-upto ${rate}/sec` +
        ` --hashlimit-burst ${burst} --hashlimit-mode srcip --hashlimit-name wanrst` +
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
