// A WAN lab for tests and bench: two network namespaces, the scanner's (S, 198.18.0.1) and the
// targets' (T, hosts 198.19.x.y), joined only by two TUN devices and a user-space forwarder that
// adds delay, jitter (no reordering), loss and a packet-rate cap with a bounded queue (this
// kernel has no netem). T holds live hosts with listeners and SYN-dropped (filtered) ports,
// absent addresses (routed to T, no answer at all), unreachable ones (ICMP host-unreachable),
// an optional per-host RST rate limit and SYN counters; optionally IPv6 twins of every address
// (2001:2::/48); names host-N.wan.test that resolve inside S. See docs/wan-lab.md.
//
//   const lab = await WanLab.up({ delayMs: 25, lossPct: 2, hosts: [{ listen: [22, 80] }] });
//   Bun.spawn(lab.scannerCommand(["./tp-scan", lab.hosts[0].address, "-p", "1-1024"]));
//   await lab.synCount(); await lab.counters(); await lab.down();
//
// By hand: bun scripts/wan/cli.ts check|gc|up [options] [-- CMD...] (its own module: this one
// is the library and starts no command line).
import { existsSync, readFileSync } from "node:fs";
import { buildForwarder } from "../wan/build.ts";
import { type Counters, Forwarder } from "../wan/forwarder.ts";
import { scannerIpBatch } from "../wan/interfaces.ts";
import {
  type LinkSettings,
  linkSpec,
  type Plan,
  type PlannedHost,
  planAddresses,
  SCANNER_ADDRESS6,
  specOf,
  v6Of,
  type WanOptions,
} from "../wan/layout.ts";
import { nameOf, removeNames, writeNames } from "../wan/names.ts";
import { targetRules } from "../wan/rules.ts";
import { runOk, which } from "../wan/sh.ts";
import { configureTarget, readRuleCounters, readSynCounts, startListeners } from "../wan/target.ts";

export type { Counters, DirectionCounters } from "../wan/forwarder.ts";
export type { HostSpec, LinkSettings, PlannedHost, WanOptions } from "../wan/layout.ts";

/** Namespaces of this module are tpwan-<owner pid>-<n>-s|t; gc removes those of dead owners. */
const PREFIX = "tpwan-";
const TUN = "wan0"; // one device per namespace, so the name never collides
let instances = 0;
const live = new Set<WanLab>();

export class WanLab {
  private listeners: Bun.Subprocess<"pipe", "pipe", "pipe"> | null = null;
  private forwarder: Forwarder | null = null;
  private closed = false;

  private constructor(
    /** Namespace the scanner runs in. */
    readonly scannerNs: string,
    /** Namespace of the target hosts. */
    readonly targetNs: string,
    readonly plan: Plan,
    private readonly options: WanOptions,
  ) {}

  /** The scanner's address in S. */
  get scannerAddress(): string {
    return this.plan.scanner;
  }
  /** Live hosts in the order given: address, listening ports, SYN-dropped ranges. */
  get hosts(): PlannedHost[] {
    return this.plan.hosts;
  }
  /** Addresses routed to T with nothing behind them: no answer at all. */
  get absentAddresses(): string[] {
    return this.plan.absent;
  }
  /** Addresses for which T answers ICMP host-unreachable. */
  get unreachableAddresses(): string[] {
    return this.plan.unreachable;
  }
  /**
   * Names that resolve inside S (its own /etc/hosts): host-N.wan.test for hosts[N-1], and
   * absent-N / unreachable-N.wan.test; any other name fails at once there.
   */
  get hostNames(): string[] {
    return this.plan.hosts.map((_, i) => nameOf("host", i));
  }
  get absentNames(): string[] {
    return this.plan.absent.map((_, i) => nameOf("absent", i));
  }
  get unreachableNames(): string[] {
    return this.plan.unreachable.map((_, i) => nameOf("unreachable", i));
  }
  /** With ipv6: the scanner's IPv6 address, and the IPv6 twins of the lists above. */
  get scannerAddress6(): string | null {
    return this.plan.ipv6 ? SCANNER_ADDRESS6 : null;
  }
  get absentAddresses6(): string[] {
    return this.plan.ipv6 ? this.plan.absent.map(v6Of) : [];
  }
  get unreachableAddresses6(): string[] {
    return this.plan.ipv6 ? this.plan.unreachable.map(v6Of) : [];
  }

  /** Null when a lab can be built here, else why not (one line). */
  static async unavailableReason(): Promise<string | null> {
    if (process.platform !== "linux") return "the WAN lab needs Linux network namespaces";
    if (process.getuid?.() !== 0) return "the WAN lab needs root (ip netns, TUN, iptables)";
    if (!existsSync("/dev/net/tun")) return "the WAN lab needs /dev/net/tun (tun driver)";
    for (const tool of ["ip", "iptables", "iptables-restore", "iptables-save"])
      if (!which(tool)) return `the WAN lab needs '${tool}' (iproute2/iptables not installed)`;
    if (!which("cc") && !which("gcc")) return "the WAN lab needs a C compiler (cc)";
    if (!which("sysctl")) return "the WAN lab needs 'sysctl' (procps not installed)";
    try {
      await buildForwarder();
    } catch (error) {
      return `the WAN lab's forwarder does not build: ${(error as Error).message}`;
    }
    // Every feature once (TUN in a namespace, REJECT, hashlimit, comment, sysctl), so a kernel
    // without one of them skips the tests with the reason instead of failing them.
    try {
      const options = { unreachable: 1, rstPerSecond: 1, synPerAddress: true, icmpRatelimitMs: 0 };
      await (await WanLab.up(options)).down();
    } catch (error) {
      return `the WAN lab cannot be built here: ${(error as Error).message}`;
    }
    return null;
  }

  /** Build a lab (throws, leaving nothing behind, when it cannot). */
  static async up(options: WanOptions = {}): Promise<WanLab> {
    const plan = planAddresses(options);
    const toTarget = linkSpec(options, options.toTarget);
    const toScanner = linkSpec(options, options.toScanner);
    targetRules(plan, options); // refuse bad settings before building anything
    const binary = await buildForwarder();
    await WanLab.gc();
    const base = `${PREFIX}${process.pid}-${instances++}`;
    const lab = new WanLab(`${base}-s`, `${base}-t`, plan, options);
    live.add(lab);
    try {
      await runOk(["ip", "netns", "add", lab.scannerNs]);
      await runOk(["ip", "netns", "add", lab.targetNs]);
      writeNames(lab.scannerNs, plan);
      lab.forwarder = await Forwarder.start({
        binary,
        scannerNs: lab.scannerNs,
        targetNs: lab.targetNs,
        tun: TUN,
        toTarget,
        toScanner,
        seed: options.seed ?? 1,
      });
      await runOk(["ip", "-n", lab.scannerNs, "-batch", "-"], scannerIpBatch(plan, TUN));
      await configureTarget(lab.targetNs, plan, options, TUN);
      lab.listeners = await startListeners(lab.targetNs, plan);
    } catch (error) {
      await lab.down();
      throw error;
    }
    return lab;
  }

  /** The forwarder's process id (it ends with this process, or on down()). */
  get forwarderPid(): number | null {
    return this.forwarder?.pid ?? null;
  }

  /** argv prefixed to run inside the scanner namespace S. */
  scannerCommand(argv: string[]): string[] {
    return ["ip", "netns", "exec", this.scannerNs, ...argv];
  }

  /** argv prefixed to run inside the target namespace T. */
  targetCommand(argv: string[]): string[] {
    return ["ip", "netns", "exec", this.targetNs, ...argv];
  }

  /**
   * Change the link while the lab runs (settings not given stay as they are); top-level
   * settings apply to both directions, toTarget/toScanner to one. Packets already in flight
   * keep their times, and none is ever reordered.
   */
  async setLink(settings: LinkSettings & { toTarget?: LinkSettings; toScanner?: LinkSettings }) {
    if (!this.forwarder) throw new Error("the lab is down");
    const { toTarget, toScanner, ...both } = settings;
    await this.forwarder.setLink("toTarget", specOf({ ...both, ...toTarget }));
    await this.forwarder.setLink("toScanner", specOf({ ...both, ...toScanner }));
  }

  /** The forwarder's packet counters, per direction. */
  counters(): Promise<Counters> {
    if (!this.forwarder) return Promise.reject(new Error("the lab is down"));
    return this.forwarder.counters();
  }

  /** SYNs that reached T so far (any address, absent ones included), from an iptables counter. */
  async synCount(): Promise<number> {
    return (await readRuleCounters(this.targetNs, this.plan)).syn;
  }

  /**
   * The scanner's connection attempts as the link saw them: SYNs read from S, and their rate
   * between the first and the latest ((count − 1) / span, per second; 0 below two SYNs). Taken
   * where they enter the link, before any loss, on the forwarder's clock: process start-up and
   * the scan's tail do not blur it, which a --rate test needs.
   */
  async synRate(): Promise<{ count: number; perSecond: number; spanMs: number }> {
    const { syn, synFirstMs, synLastMs } = (await this.counters()).toTarget;
    const spanMs = synLastMs - synFirstMs;
    return {
      count: syn,
      perSecond: syn > 1 && spanMs > 0 ? ((syn - 1) * 1000) / spanMs : 0,
      spanMs,
    };
  }

  /** SYNs that reached T so far, per target address (needs the synPerAddress option). */
  async synCounts(): Promise<Map<string, number>> {
    if (!this.options.synPerAddress)
      throw new Error("synCounts() needs WanLab.up({ synPerAddress: true })");
    return readSynCounts(this.targetNs, this.plan);
  }

  /** RSTs T's hosts sent and those the RST rate limit dropped (both 0 without a limit). */
  async rstCounts(): Promise<{ sent: number; dropped: number }> {
    const c = await readRuleCounters(this.targetNs, this.plan);
    return { sent: c.rstSent, dropped: c.rstDropped };
  }

  /**
   * Packets a TUN device dropped before the forwarder read them (its queue was full): loss no
   * setting asked for, so a test can check it stayed 0. Per direction of travel.
   */
  async tunDrops(): Promise<{ toTarget: number; toScanner: number }> {
    const dropped = async (ns: string) => {
      const json = await runOk(["ip", "-n", ns, "-s", "-j", "link", "show", TUN]);
      return (
        (JSON.parse(json) as { stats64: { tx: { dropped: number } } }[])[0]?.stats64.tx.dropped ?? 0
      );
    };
    return { toTarget: await dropped(this.scannerNs), toScanner: await dropped(this.targetNs) };
  }

  /** Tear everything down; returns the forwarder's final counters. Safe to call twice. */
  async down(): Promise<Counters | null> {
    if (this.closed) return null;
    this.closed = true;
    live.delete(this);
    this.listeners?.stdin.end();
    this.listeners?.kill();
    const counters = (await this.forwarder?.stop()) ?? null;
    await this.listeners?.exited;
    await removeNamespace(this.scannerNs);
    await removeNamespace(this.targetNs);
    return counters;
  }

  /** Synchronous last-resort teardown (process exit). */
  killNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners?.kill("SIGKILL");
    const forwarder = this.forwarder?.pid;
    if (forwarder && pidAlive(forwarder)) process.kill(forwarder, "SIGKILL");
    for (const ns of [this.scannerNs, this.targetNs]) {
      removeNames(ns);
      Bun.spawnSync(["ip", "netns", "del", ns]);
    }
  }

  /** Delete the labs of processes that no longer exist; returns the namespaces removed. */
  static async gc(): Promise<string[]> {
    const list = await runOk(["ip", "netns", "list"]).catch(() => "");
    const removed: string[] = [];
    for (const name of list.split("\n").map((l) => l.split(" ")[0] ?? "")) {
      const pid = Number(/^tpwan-(\d+)-/.exec(name)?.[1]);
      if (!pid || pidAlive(pid)) continue;
      await removeNamespace(name);
      removed.push(name);
    }
    return removed;
  }
}

/** True while pid runs (a zombie, dead but not yet reaped by its new parent, does not). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Kill what still runs inside a namespace, then delete it (and its /etc/netns files). */
async function removeNamespace(name: string): Promise<void> {
  removeNames(name);
  const pids = await runOk(["ip", "netns", "pids", name]).catch(() => "");
  for (const pid of pids.split("\n").filter(Boolean).map(Number)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  await runOk(["ip", "netns", "del", name]).catch(() => {});
}

process.on("exit", () => {
  for (const lab of live) lab.killNow();
});
