// Test-side handle on scripts/lab.sh: a private network namespace (own loopback, optional
// SYN-dropping rules) with listeners and the scanner running inside it, so ground truth is not
// disturbed by other programs of this machine. Tests skip (with a message) where no lab can be
// built: not root, no iproute2/iptables, no namespaces.
import { join } from "node:path";
import { exePath, ROOT, type RunResult, runArgv, StreamReader } from "../helpers/exe.ts";

const LAB = join(ROOT, "scripts", "lab.sh");
let counter = 0;

function labCheck(): string | null {
  const proc = Bun.spawnSync(["bash", LAB, "check"], { stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode === 0) {
    Bun.spawnSync(["bash", LAB, "gc"]); // labs left behind by test runs that were killed
    return null;
  }
  return (proc.stdout.toString() + proc.stderr.toString()).trim() || "lab check failed";
}

/** Why the lab cannot be built here, or null when it can. */
export const labUnavailable: string | null = labCheck();
if (labUnavailable) console.warn(`tp-scan lab tests skipped: ${labUnavailable}`);

export interface Listening {
  ports: number[];
  stop(): Promise<void>;
}

export class Lab {
  private children: Bun.Subprocess[] = [];

  private constructor(readonly name: string) {}

  /**
   * Build a namespace; `drops` are iptables port ranges "A:B" whose SYNs are dropped;
   * `loopback` false leaves lo down (no network at all).
   */
  static async create(drops: string[] = [], loopback = true): Promise<Lab> {
    const name = `tplab-${process.pid}-t${counter++}`;
    const args = ["bash", LAB, "up", name, ...(loopback ? [] : ["--no-lo"])];
    args.push(...drops.flatMap((d) => ["--drop", d]));
    const proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    if (code !== 0) throw new Error(`lab up failed: ${err}`);
    return new Lab(name);
  }

  private argv(cmd: string[]): string[] {
    return ["ip", "netns", "exec", this.name, ...cmd];
  }

  /** Run a command inside the namespace to completion (bounded). */
  run(cmd: string[], timeoutMs = 60_000): Promise<RunResult> {
    return runArgv(this.argv(cmd), { timeoutMs });
  }

  /** Run ./tp-scan inside the namespace. */
  scan(args: string[], timeoutMs = 60_000): Promise<RunResult> {
    return this.run([exePath("tp-scan"), ...args], timeoutMs);
  }

  /** Start ./tp-scan inside the namespace without waiting (the pid is tp-scan's: ip execs). */
  spawnScan(args: string[]): {
    proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
    stdout: StreamReader;
    stderr: StreamReader;
  } {
    const proc = Bun.spawn(this.argv([exePath("tp-scan"), ...args]), {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, NO_COLOR: "1" },
    });
    this.children.push(proc);
    return { proc, stdout: new StreamReader(proc.stdout), stderr: new StreamReader(proc.stderr) };
  }

  /** Open listeners on `ports` of `host` inside the namespace (scripts/listeners.ts). */
  async listen(ports: number[], host = "127.0.0.1", extra: string[] = []): Promise<Listening> {
    const script = join(ROOT, "scripts", "listeners.ts");
    const args = ["bun", script, "--host", host, "--ports", ports.join(","), ...extra];
    const proc = Bun.spawn(this.argv(args), { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    this.children.push(proc);
    const out = new StreamReader(proc.stdout);
    const err = new StreamReader(proc.stderr);
    const m = await out.waitFor(/ready ([\d,]*)/, 20_000).catch((e) => {
      throw new Error(`listeners did not start: ${err.text} ${(e as Error).message}`);
    });
    return {
      ports: (m[1] ?? "").split(",").filter(Boolean).map(Number),
      stop: async () => {
        proc.kill("SIGTERM");
        await proc.exited;
      },
    };
  }

  /** Ports listening inside the namespace per `ss -ltnH` that accept connections to `address`. */
  async listeningPorts(address: "127.0.0.1" | "::1"): Promise<Set<number>> {
    const res = await this.run(["ss", "-ltnH"]);
    if (res.code !== 0) throw new Error(`ss failed: ${res.stderr}`);
    return parseSs(res.stdout, address);
  }

  async destroy(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
    await Promise.all(this.children.map((c) => c.exited));
    const proc = Bun.spawn(["bash", LAB, "down", this.name], {
      stdout: "ignore",
      stderr: "ignore",
    });
    await proc.exited;
  }
}

/**
 * Ports of `ss -ltnH` output whose local address accepts a connection to `address`:
 * the address itself, its wildcard, and `*` (a dual-stack IPv6 socket).
 */
export function parseSs(text: string, address: "127.0.0.1" | "::1"): Set<number> {
  const accepted = address === "::1" ? ["[::1]", "[::]", "*"] : ["127.0.0.1", "0.0.0.0", "*"];
  const ports = new Set<number>();
  for (const line of text.split("\n")) {
    const local = line.trim().split(/\s+/)[3];
    if (!local) continue;
    const cut = local.lastIndexOf(":");
    const host = local.slice(0, cut).replace(/%.*$/, "");
    if (accepted.includes(host)) ports.add(Number(local.slice(cut + 1)));
  }
  return ports;
}
