// A WAN lab for tests and bench: two network namespaces, the scanner's (S, 198.18.0.1) and the
// targets' (T, hosts 198.19.x.y), joined only by two TUN devices and a user-space forwarder that
// adds delay, jitter (no reordering), loss and a packet-rate cap with a bounded queue (this
// kernel has no netem). T holds live hosts with listeners and SYN-dropped (filtered) ports,
// absent addresses (routed to T, no answer at all), unreachable ones (ICMP host-unreachable),
// an optional per-host RST rate limit, and a SYN counter. See docs/wan-lab.md.
//
//   const lab = await WanLab.up({ delayMs: 25, lossPct: 2, hosts: [{ listen: [22, 80] }] });
//   Bun.spawn(lab.scannerCommand(["./tp-scan", lab.hosts[0].address, "-p", "1-1024"]));
//   await lab.synCount(); await lab.counters(); await lab.down();
//
// CLI: bun scripts/lib/wan.ts check|gc|up [options] [-- CMD...] (help: bun scripts/lib/wan.ts)
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildForwarder } from "../wan/build.ts";
import { type Counters, Forwarder } from "../wan/forwarder.ts";
import {
  linkSpec,
  type Plan,
  type PlannedHost,
  planAddresses,
  ruleCounters,
  scannerIpBatch,
  targetIpBatch,
  targetRules,
  type WanOptions,
} from "../wan/layout.ts";
import { runOk, which } from "../wan/sh.ts";

export type { Counters, DirectionCounters } from "../wan/forwarder.ts";
export type { HostSpec, LinkSettings, PlannedHost, WanOptions } from "../wan/layout.ts";

/** Namespaces of this module are tpwan-<owner pid>-<n>-s|t; gc removes those of dead owners. */
const PREFIX = "tpwan-";
const TUN = "wan0"; // one device per namespace, so the name never collides
const LISTEN_SCRIPT = join(import.meta.dir, "..", "wan", "listen.ts");
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

  /** Null when a lab can be built here, else why not (one line). */
  static async unavailableReason(): Promise<string | null> {
    if (process.platform !== "linux") return "the WAN lab needs Linux network namespaces";
    if (process.getuid?.() !== 0) return "the WAN lab needs root (ip netns, TUN, iptables)";
    if (!existsSync("/dev/net/tun")) return "the WAN lab needs /dev/net/tun (tun driver)";
    for (const tool of ["ip", "iptables", "iptables-restore", "iptables-save"])
      if (!which(tool)) return `the WAN lab needs '${tool}' (iproute2/iptables not installed)`;
    if (!which("cc") && !which("gcc")) return "the WAN lab needs a C compiler (cc)";
    try {
      await buildForwarder();
    } catch (error) {
      return `the WAN lab's forwarder does not build: ${(error as Error).message}`;
    }
    return null;
  }

  /** Build a lab (throws, leaving nothing behind, when it cannot). */
  static async up(options: WanOptions = {}): Promise<WanLab> {
    const plan = planAddresses(options);
    const toTarget = linkSpec(options, options.toTarget);
    const toScanner = linkSpec(options, options.toScanner);
    const rules = targetRules(plan, options);
    const binary = await buildForwarder();
    await WanLab.gc();
    const base = `${PREFIX}${process.pid}-${instances++}`;
    const lab = new WanLab(`${base}-s`, `${base}-t`, plan);
    live.add(lab);
    try {
      await runOk(["ip", "netns", "add", lab.scannerNs]);
      await runOk(["ip", "netns", "add", lab.targetNs]);
      lab.forwarder = await Forwarder.start({
        binary,
        scannerNs: lab.scannerNs,
        targetNs: lab.targetNs,
        tun: TUN,
        toTarget,
        toScanner,
        seed: options.seed ?? 1,
      });
      await runOk(["ip", "-n", lab.scannerNs, "-batch", "-"], scannerIpBatch(TUN));
      await runOk(["ip", "-n", lab.targetNs, "-batch", "-"], targetIpBatch(plan, TUN));
      await runOk(lab.targetCommand(["iptables-restore", "--noflush"]), rules);
      await lab.startListeners();
    } catch (error) {
      await lab.down();
      throw error;
    }
    return lab;
  }

  private async startListeners(): Promise<void> {
    const hosts = this.plan.hosts.filter((h) => h.listen.length > 0);
    if (hosts.length === 0) return;
    const spec = hosts.map((h) => ({ address: h.address, ports: h.listen, banner: h.banner }));
    const argv = this.targetCommand([process.execPath, LISTEN_SCRIPT, JSON.stringify(spec)]);
    const proc = Bun.spawn(argv, { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    this.listeners = proc;
    const reader = proc.stdout.getReader();
    const first = await Promise.race([reader.read(), Bun.sleep(20_000).then(() => null)]);
    reader.releaseLock();
    const text = first && !first.done ? new TextDecoder().decode(first.value) : "";
    if (!text.startsWith("ready")) {
      proc.kill();
      const err = (await new Response(proc.stderr).text()).trim();
      throw new Error(err || "the lab's listeners did not start");
    }
  }

  /** argv prefixed to run inside the scanner namespace S. */
  scannerCommand(argv: string[]): string[] {
    return ["ip", "netns", "exec", this.scannerNs, ...argv];
  }

  /** argv prefixed to run inside the target namespace T. */
  targetCommand(argv: string[]): string[] {
    return ["ip", "netns", "exec", this.targetNs, ...argv];
  }

  /** The forwarder's packet counters, per direction. */
  counters(): Promise<Counters> {
    if (!this.forwarder) return Promise.reject(new Error("the lab is down"));
    return this.forwarder.counters();
  }

  private async targetRuleCounters(): Promise<ReturnType<typeof ruleCounters>> {
    return ruleCounters(await runOk(this.targetCommand(["iptables-save", "-c"])));
  }

  /** SYNs that reached T so far (any address, absent ones included), from an iptables counter. */
  async synCount(): Promise<number> {
    return (await this.targetRuleCounters()).syn;
  }

  /** RSTs T's hosts sent and those the RST rate limit dropped (both 0 without a limit). */
  async rstCounts(): Promise<{ sent: number; dropped: number }> {
    const c = await this.targetRuleCounters();
    return { sent: c.rstSent, dropped: c.rstDropped };
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
    for (const proc of [this.listeners]) proc?.kill("SIGKILL");
    if (this.forwarder) process.kill(this.forwarder.pid, "SIGKILL");
    for (const ns of [this.scannerNs, this.targetNs]) Bun.spawnSync(["ip", "netns", "del", ns]);
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

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Kill what still runs inside a namespace, then delete it. */
async function removeNamespace(name: string): Promise<void> {
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

if (import.meta.main) {
  const { main } = await import("../wan/cli.ts");
  process.exit(await main(process.argv.slice(2)));
}
