// The WAN lab's plan, as pure data: which address plays which role and what each direction of
// the link does (interfaces: interfaces.ts; iptables: rules.ts). No side effects here,
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
  /**
   * The target side's ICMP error budget per destination (net.ipv4.icmp_ratelimit: one error
   * per this many ms after a burst of 6; 0 = unlimited). Default: the kernel's 1000, so a burst
   * of probes to an unreachable address gets 6 answers and then silence, as from a Linux router.
   */
  icmpRatelimitMs?: number;
  /** Give every address an IPv6 twin too (v6Of), with the same behaviour. */
  ipv6?: boolean;
  /** Count SYNs per target address too (lab.synCounts()); costs a rule per address per SYN. */
  synPerAddress?: boolean;
  /** Seed of loss, jitter and role interleaving (same seed, same draws). Default 1. */
  seed?: number;
  /** Mix absent and unreachable addresses among the hosts (seeded) instead of after them. */
  interleave?: boolean;
}

export interface PlannedHost {
  address: string;
  /** Its IPv6 address, with the ipv6 option. */
  address6?: string;
  listen: number[];
  dropSyn: [number, number][];
  banner?: string;
}

export interface Plan {
  scanner: string;
  /** Every address also has its IPv6 twin (v6Of). */
  ipv6: boolean;
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
/** With ipv6: the same roles in 2001:2::/48 (RFC 5180), 198.19.X.Y ↔ 2001:2::X:Y (hex). */
export const SCANNER_ADDRESS6 = "2001:2:0:ff::1";
export const SCANNER_NET6 = "2001:2:0:ff::/64";
export const TARGET_NET6 = "2001:2::/64";

/** The IPv6 twin of a target pool address: 198.19.1.254 → 2001:2::1:fe. */
export function v6Of(address: string): string {
  const [, , x = 0, y = 0] = address.split(".").map(Number);
  return `2001:2::${x.toString(16)}:${y.toString(16)}`;
}
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
    ipv6: options.ipv6 === true,
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
        ...(options.ipv6 ? { address6: v6Of(address) } : {}),
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
  return specOf({
    delayMs: s.delayMs ?? 0,
    jitterMs: s.jitterMs ?? 0,
    lossPct: s.lossPct ?? 0,
    pps: s.pps ?? 0,
    queue: s.queue ?? 0,
  });
}

const SPEC_NAMES: [keyof LinkSettings, string][] = [
  ["delayMs", "delay"],
  ["jitterMs", "jitter"],
  ["lossPct", "loss"],
  ["pps", "pps"],
  ["queue", "queue"],
];

/** A SPEC back into settings ("delay=25,loss=2" → { delayMs: 25, lossPct: 2 }); throws if bad. */
export function parseSpec(spec: string): LinkSettings {
  const settings: LinkSettings = {};
  for (const item of spec.split(",").filter(Boolean)) {
    const [name, text = ""] = item.split("=");
    const key = SPEC_NAMES.find(([, n]) => n === name)?.[0];
    if (!key || text === "" || !Number.isFinite(Number(text)))
      throw new Error(
        `bad link setting '${item}' (want delay=MS,jitter=MS,loss=PCT,pps=N,queue=N)`,
      );
    settings[key] = Number(text);
  }
  specOf(settings); // the same range checks
  return settings;
}

/** Only the settings given, as a SPEC (the forwarder keeps the others): "delay=100". */
export function specOf(settings: LinkSettings): string {
  const parts: string[] = [];
  for (const [key, name] of SPEC_NAMES) {
    const value = settings[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0 || (name === "loss" && value > 100))
      throw new Error(`bad ${name} '${value}'`);
    parts.push(`${name}=${value}`);
  }
  return parts.join(",");
}
