// A handle on scripts/lab.sh: a private network namespace with its own loopback and optional
// SYN-dropping rules (a firewalled host), listeners and commands running inside it. Scans of it
// are not disturbed by other programs of this machine, and all traffic stays inside it. Needs
// root, iproute2 and iptables: callers skip, saying why (labUnavailable), elsewhere.
// Names are tplab-<pid>-<tag>, so parallel runs never collide and `lab.sh gc` can reap the labs
// of runs that were killed. (A two-namespace WAN lab will sit beside this one, in wan.ts.)
import { join } from "node:path";
import { exePath, ROOT } from "./root.ts";
import { type Child, type CommandResult, runCommand, spawnChild } from "./run.ts";
import { parseSsListening } from "./ss.ts";

export const LAB_SCRIPT = join(ROOT, "scripts", "lab.sh");
const LISTENERS_SCRIPT = join(ROOT, "scripts", "listeners.ts");

let unavailable: string | null | undefined;

/** Why no lab can be built here (not root, no iptables, ...), or null when it can. Checked once. */
export function labUnavailable(): string | null {
  if (unavailable !== undefined) return unavailable;
  const proc = Bun.spawnSync(["bash", LAB_SCRIPT, "check"], { stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode === 0) {
    Bun.spawnSync(["bash", LAB_SCRIPT, "gc"]); // labs left behind by runs that were killed
    unavailable = null;
  } else {
    const said = (proc.stdout.toString() + proc.stderr.toString()).trim().split("\n")[0];
    unavailable = said || "scripts/lab.sh check failed";
  }
  return unavailable;
}

/** `argv` run inside network namespace `name`. */
export function netnsExec(name: string, argv: string[]): string[] {
  return ["ip", "netns", "exec", name, ...argv];
}

export interface Listening {
  ports: number[];
  stop(): Promise<void>;
}

export interface LabOptions {
  /** iptables port ranges "A:B" whose SYNs are dropped (filtered ports). */
  drops?: string[];
  /** false leaves lo down: a host with no network at all. */
  loopback?: boolean;
  /** Name suffix (tplab-<pid>-<tag>); a counter by default. */
  tag?: string;
}

let counter = 0;

export class Lab {
  private children: Child[] = [];

  private constructor(readonly name: string) {}

  /** Build a namespace, or throw saying why `lab.sh up` failed. */
  static async create(opts: LabOptions = {}): Promise<Lab> {
    const name = `tplab-${process.pid}-${opts.tag ?? `t${counter++}`}`;
    const argv = ["bash", LAB_SCRIPT, "up", name, ...(opts.loopback === false ? ["--no-lo"] : [])];
    argv.push(...(opts.drops ?? []).flatMap((d) => ["--drop", d]));
    const up = await runCommand(argv, { timeoutMs: 15_000 });
    if (up.code !== 0) {
      await new Lab(name).destroy();
      throw new Error(`scripts/lab.sh up failed: ${up.stderr.trim().split("\n")[0]}`);
    }
    return new Lab(name);
  }

  /** `argv` as run inside this namespace. */
  exec(argv: string[]): string[] {
    return netnsExec(this.name, argv);
  }

  /** Run a command inside the namespace to completion (bounded). */
  run(argv: string[], timeoutMs = 60_000): Promise<CommandResult> {
    return runCommand(this.exec(argv), { timeoutMs });
  }

  /** Start a command inside the namespace (the pid is the command's: ip execs); stopped by destroy. */
  spawn(argv: string[]): Child {
    const child = spawnChild(this.exec(argv));
    this.children.push(child);
    return child;
  }

  /** Run ./tp-scan inside the namespace. */
  scan(args: string[], timeoutMs = 60_000): Promise<CommandResult> {
    return this.run([exePath("tp-scan"), ...args], timeoutMs);
  }

  /** Start ./tp-scan inside the namespace without waiting. */
  spawnScan(args: string[]): Child {
    return this.spawn([exePath("tp-scan"), ...args]);
  }

  /** Open listeners on `ports` of `host` inside the namespace (scripts/listeners.ts). */
  async listen(ports: number[], host = "127.0.0.1", extra: string[] = []): Promise<Listening> {
    const portsFlag = ports.length > 0 ? ["--ports", ports.join(",")] : [];
    const child = this.spawn([
      process.execPath,
      LISTENERS_SCRIPT,
      "--host",
      host,
      ...portsFlag,
      ...extra,
    ]);
    const m = await child.stdout.waitFor(/ready ([\d,]*)/, 20_000).catch((e) => {
      throw new Error(`listeners did not start: ${child.stderr.text} ${(e as Error).message}`);
    });
    return {
      ports: (m[1] ?? "").split(",").filter(Boolean).map(Number),
      stop: async () => {
        await child.stop("SIGTERM", 3_000);
      },
    };
  }

  /** Ports listening inside the namespace per `ss -ltnH` that accept connections to `address`. */
  async listeningPorts(address: "127.0.0.1" | "::1"): Promise<Set<number>> {
    const res = await this.run(["ss", "-ltnH"]);
    if (res.code !== 0) throw new Error(`ss failed: ${res.stderr}`);
    return new Set(parseSsListening(res.stdout, address));
  }

  /** Shape the namespace's loopback to `rate` (tbf), or remove the shaping (null); false if tc failed. */
  async shape(rate: string | null): Promise<boolean> {
    // Only ever inside the lab namespace: never the host's own loopback.
    const tbf = ["tbf", "rate", rate ?? "", "burst", "4kbit", "latency", "5s"];
    const argv =
      rate === null
        ? ["tc", "qdisc", "del", "dev", "lo", "root"]
        : ["tc", "qdisc", "replace", "dev", "lo", "root", ...tbf];
    return (await this.run(argv, 10_000)).code === 0;
  }

  /** Stop what was started inside, and delete the namespace. */
  async destroy(): Promise<void> {
    await Promise.all(this.children.map((c) => c.stop("SIGKILL")));
    await runCommand(["bash", LAB_SCRIPT, "down", this.name], { timeoutMs: 15_000 });
  }
}
