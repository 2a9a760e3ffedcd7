// A firewalled host for the scanner's discovery tests (issue 18): two network namespaces built
// with scripts/lab.sh, a scanner (198.18.5.2) and a target (198.18.5.1) joined by a veth pair,
// so that the target's ICMP errors, RSTs and silences reach the scanner the way they cross a
// real link (on one namespace's lo, nmap calls any local address up: "localhost-response").
// The target's firewall is a list of iptables rules (REJECT with each ICMP code, default-deny,
// drops, nat REDIRECT of every port to one listener); the scanner may get an unreachable route.
// Needs root, iproute2 and iptables: callers skip, saying why (labUnavailable).
import { Lab, labUnavailable } from "./lab.ts";
import { exePath } from "./root.ts";
import type { CommandResult } from "./run.ts";

export { labUnavailable };

export const TARGET_ADDRESS = "198.18.5.1";
export const SCANNER_ADDRESS = "198.18.5.2";
/** Routed to nowhere from the scanner (`ip route add unreachable`): the kernel says so at once. */
export const UNROUTED_ADDRESS = "198.18.6.1";

/** iptables' REJECT codes the tests cover (each is a --reject-with value). */
export const REJECT_CODES = [
  "icmp-host-prohibited",
  "icmp-admin-prohibited",
  "icmp-net-prohibited",
  "icmp-port-unreachable",
  "tcp-reset",
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

/** One firewall of the target, as iptables rule specs (arguments after `iptables -t T -A`). */
export const FIREWALLS = {
  /** Every TCP port but `open` rejected with `code`. */
  rejectAllBut: (code: RejectCode, open: number): string[][] => [
    ["filter", "INPUT", "-p", "tcp", "--dport", String(open), "-j", "ACCEPT"],
    ["filter", "INPUT", "-p", "tcp", "-j", "REJECT", "--reject-with", code],
  ],
  /** Default deny (everything dropped) but TCP `open` and, if `echo`, ICMP echo requests. */
  defaultDeny: (open: number, echo: boolean): string[][] => [
    ["filter", "INPUT", "-p", "tcp", "--dport", String(open), "-j", "ACCEPT"],
    ...(echo
      ? [["filter", "INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-j", "ACCEPT"]]
      : []),
    ["filter", "INPUT", "-m", "state", "--state", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
    ["filter", "INPUT", "-j", "DROP"],
  ],
  /** SYNs to ports `from`..`to` dropped (other ports answer as usual: RST or SYN-ACK). */
  dropRange: (from: number, to: number, except: number): string[][] => [
    ["filter", "INPUT", "-p", "tcp", "--dport", String(except), "-j", "ACCEPT"],
    ["filter", "INPUT", "-p", "tcp", "--syn", "--dport", `${from}:${to}`, "-j", "DROP"],
  ],
  /** Nothing answers: every packet dropped. */
  dropAll: (): string[][] => [["filter", "INPUT", "-j", "DROP"]],
  /** Every TCP port redirected to `listener`: the host "answers" every port (a SYN proxy). */
  allOpen: (listener: number): string[][] => [
    ["nat", "PREROUTING", "-p", "tcp", "-j", "REDIRECT", "--to-ports", String(listener)],
  ],
};

let counter = 0;

export class FirewallLab {
  private constructor(
    readonly scanner: Lab,
    readonly target: Lab,
  ) {}

  /**
   * Build the two namespaces (tplab-<pid>-firewall-<tag>-s/-t), the link, `rules` on the
   * target, and an unreachable route to UNROUTED_ADDRESS on the scanner.
   */
  static async create(rules: string[][], tag = `f${counter++}`): Promise<FirewallLab> {
    const scanner = await Lab.create({ tag: `firewall-${tag}-s` });
    const target = await Lab.create({ tag: `firewall-${tag}-t` }).catch(async (e) => {
      await scanner.destroy();
      throw e;
    });
    const lab = new FirewallLab(scanner, target);
    try {
      await lab.link();
      for (const rule of rules) {
        const [table, chain, ...spec] = rule;
        await lab.must(target, ["iptables", "-t", table as string, "-A", chain as string, ...spec]);
      }
    } catch (e) {
      await lab.destroy();
      throw e;
    }
    return lab;
  }

  private async must(ns: Lab, argv: string[]): Promise<void> {
    const r = await ns.run(argv, 15_000);
    if (r.code !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.trim().split("\n")[0]}`);
  }

  private async link(): Promise<void> {
    const t = this.target.name;
    // veth names are at most 15 bytes: the peer's end is named in the scanner, then moved.
    await this.must(this.scanner, ["ip", "link", "add", "fw0", "type", "veth", "peer", "fw1"]);
    await this.must(this.scanner, ["ip", "link", "set", "fw1", "netns", t]);
    await this.must(this.scanner, ["ip", "addr", "add", `${SCANNER_ADDRESS}/24`, "dev", "fw0"]);
    await this.must(this.target, ["ip", "addr", "add", `${TARGET_ADDRESS}/24`, "dev", "fw1"]);
    await this.must(this.scanner, ["ip", "link", "set", "fw0", "up"]);
    await this.must(this.target, ["ip", "link", "set", "fw1", "up"]);
    await this.must(this.scanner, ["ip", "route", "add", "unreachable", `${UNROUTED_ADDRESS}/32`]);
    // The kernel limits the ICMP errors a host sends (1 a second per peer after a burst): a
    // REJECTing firewall then mostly looks like a dropping one. Lifted in the target only.
    for (const knob of ["net.ipv4.icmp_ratelimit=0", "net.ipv4.icmp_msgs_per_sec=100000"])
      await this.target.run(["sysctl", "-qw", knob], 5_000);
  }

  /** Listeners on `ports` of the target (every address). */
  listen(ports: number[]) {
    return this.target.listen(ports, "0.0.0.0");
  }

  /** ./tp-scan run in the scanner's namespace; `asUser` drops root first (setpriv, nobody). */
  scan(args: string[], opts: { asUser?: boolean; timeoutMs?: number } = {}) {
    const argv = [exePath("tp-scan"), ...args];
    return this.scanner.run(opts.asUser ? unprivileged(argv) : argv, opts.timeoutMs ?? 60_000);
  }

  /** nmap -sT run in the scanner's namespace, its -oX on stdout. */
  nmap(
    args: string[],
    opts: { asUser?: boolean; timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    // No ARP ping: on a shared link ARP finds every host, and the tests want nmap's IP-level
    // evidence (echo, SYN/ACK or connect pings), as across a router.
    const argv = ["nmap", "-sT", "-n", "--reason", "--disable-arp-ping", "-oX", "-", ...args];
    if (opts.asUser) argv.splice(1, 0, "--unprivileged");
    return this.scanner.run(opts.asUser ? unprivileged(argv) : argv, opts.timeoutMs ?? 120_000);
  }

  async destroy(): Promise<void> {
    await Promise.all([this.scanner.destroy(), this.target.destroy()]);
  }
}

/** `argv` run as nobody (no capabilities): the unprivileged scanner a user runs. */
function unprivileged(argv: string[]): string[] {
  return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", ...argv];
}

/** Is nmap there (null) or why not. */
export function nmapMissing(): string | null {
  return Bun.which("nmap") ? null : "nmap is not installed (apt-get install nmap)";
}

export interface NmapHost {
  status: string;
  statusReason: string;
  ports: Map<number, { state: string; reason: string }>;
  /** Ports nmap folded into <extraports> (state -> count), and their reasons (reason -> count). */
  extra: Map<string, number>;
  extraReasons: Map<string, number>;
}

/** The first host of nmap's -oX (a small parse: the attributes the tests compare). */
export function parseNmapXml(xml: string): NmapHost {
  const status = /<status state="([^"]+)" reason="([^"]+)"/.exec(xml);
  const ports = new Map<number, { state: string; reason: string }>();
  for (const m of xml.matchAll(
    /<port protocol="tcp" portid="(\d+)"><state state="([^"]+)" reason="([^"]+)"/g,
  ))
    ports.set(Number(m[1]), { state: m[2] as string, reason: m[3] as string });
  const extra = new Map<string, number>();
  for (const m of xml.matchAll(/<extraports state="([^"]+)" count="(\d+)"/g))
    extra.set(m[1] as string, Number(m[2]));
  const extraReasons = new Map<string, number>();
  for (const m of xml.matchAll(/<extrareasons reason="([^"]+)" count="(\d+)"/g))
    extraReasons.set(m[1] as string, Number(m[2]));
  return {
    status: status?.[1] ?? "down",
    statusReason: status?.[2] ?? "",
    ports,
    extra,
    extraReasons,
  };
}
