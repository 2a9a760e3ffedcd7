// Process plumbing for the bench: run a command with a hard time limit, start a server and wait
// until it says it listens, read a process's CPU time and memory from /proc.
import { readFileSync } from "node:fs";
import { StreamReader } from "../test/helpers/exe.ts";
import { parseProcStatTicks, parseStatusKb } from "./lib/parse.ts";

export { freePort } from "../test/helpers/exe.ts";

export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

let clkTck: number | null = null;
/** Kernel clock ticks per second (USER_HZ), for /proc/<pid>/stat CPU times. */
export function clockTicks(): number {
  if (clkTck === null) {
    const out = Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim();
    clkTck = Number(out) > 0 ? Number(out) : 100;
  }
  return clkTck;
}

/** CPU time (user + system) a process has used so far, in ms; null once it is gone. */
export function cpuMsOf(pid: number): number | null {
  try {
    return (parseProcStatTicks(readFileSync(`/proc/${pid}/stat`, "utf8")) * 1000) / clockTicks();
  } catch {
    return null;
  }
}

/** A kB field of /proc/<pid>/status (VmRSS, VmHWM); null once the process is gone. */
export function statusKbOf(pid: number, field: "VmRSS" | "VmHWM"): number | null {
  try {
    return parseStatusKb(readFileSync(`/proc/${pid}/status`, "utf8"), field);
  } catch {
    return null;
  }
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Killed because it ran past its time limit. */
  timedOut: boolean;
  /** CPU time of the process itself (user + system, from its rusage), in ms. */
  cpuMs: number | null;
}

/** Run a command to completion, killed after `timeoutMs`; wall time measured from spawn to exit. */
export async function runCommand(
  argv: string[],
  opts: { timeoutMs: number; cwd?: string; stdin?: string },
): Promise<CommandResult> {
  const started = performance.now();
  const proc = Bun.spawn(argv, {
    cwd: opts.cwd ?? ROOT,
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, opts.timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const wallMs = performance.now() - started;
  clearTimeout(timer);
  const usage = proc.resourceUsage();
  const cpuMs = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1000 : null;
  return { code: timedOut ? null : code, stdout, stderr, wallMs, timedOut, cpuMs };
}

export interface Server {
  pid: number;
  stderr: StreamReader;
  /** SIGTERM, then SIGKILL if it lingers; resolves when it has exited. */
  stop(): Promise<void>;
}

export type Readiness = { stderr: RegExp } | { host: string; port: number };

/** Resolve once a TCP connect to host:port succeeds (the probe closes at once); false on timeout. */
export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      Bun.connect({
        hostname: host,
        port,
        socket: {
          open(s) {
            s.end();
            resolve(true);
          },
          data() {},
          connectError() {
            resolve(false);
          },
          error() {
            resolve(false);
          },
        },
      }).catch(() => resolve(false));
    });
    if (ok) return true;
    await sleep(50);
  }
  return false;
}

/** Start a long-running server and wait (bounded) until it is ready. */
export async function startServer(
  argv: string[],
  ready: Readiness,
  timeoutMs = 15_000,
): Promise<Server> {
  const proc = Bun.spawn(argv, {
    cwd: ROOT,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const stderr = new StreamReader(proc.stderr);
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
    await proc.exited;
    clearTimeout(timer);
  };
  try {
    if ("stderr" in ready) await stderr.waitFor(ready.stderr, timeoutMs);
    else if (!(await waitForPort(ready.host, ready.port, timeoutMs)))
      throw new Error(`nothing listens on ${ready.host}:${ready.port}`);
  } catch (error) {
    await stop();
    throw new Error(
      `${argv.join(" ")} did not become ready: ${(error as Error).message.split("\n")[0]}\n${stderr.text}`,
    );
  }
  return { pid: proc.pid, stderr, stop };
}

/** The first line of a tool's version output, or null when the tool is missing. */
export function versionOf(argv: string[]): string | null {
  try {
    const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) return null;
    return (r.stdout.toString() || r.stderr.toString()).trim().split("\n")[0] ?? null;
  } catch {
    return null;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
