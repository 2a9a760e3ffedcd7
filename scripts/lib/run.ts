// Child processes for tests and bench: run a command to completion under a hard time limit, or
// start a long-running one (a server) with readers on its output.
import { ROOT } from "./root.ts";
import { StreamReader } from "./stream.ts";

export interface CommandResult {
  /** Exit status (128 + signal when killed). */
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in ms. */
  wallMs: number;
  /** Killed because it ran past its time limit. */
  timedOut: boolean;
  /** CPU time of the process itself (user + system, from its rusage), in ms. */
  cpuMs: number | null;
  /** The same, split: user and system CPU time, in ms. */
  userMs: number | null;
  sysMs: number | null;
}

export interface CommandOptions {
  /** Hard limit: SIGKILL after this many ms (20 s by default). */
  timeoutMs?: number;
  /** Written to the child's stdin, then closed; no stdin at all when absent. */
  stdin?: string;
  env?: Record<string, string>;
  /** Working directory; the repository root by default. */
  cwd?: string;
}

function childEnv(env: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...process.env, NO_COLOR: "1", ...env };
}

/** Run a command to completion (bounded by `timeoutMs`), collecting its output. */
export async function runCommand(
  argv: string[],
  opts: CommandOptions = {},
): Promise<CommandResult> {
  const started = performance.now();
  const proc = Bun.spawn(argv, {
    cwd: opts.cwd ?? ROOT,
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: childEnv(opts.env),
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, opts.timeoutMs ?? 20_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const wallMs = performance.now() - started;
  clearTimeout(timer);
  const usage = proc.resourceUsage();
  const userMs = usage ? Number(usage.cpuTime.user) / 1000 : null;
  const sysMs = usage ? Number(usage.cpuTime.system) / 1000 : null;
  const cpuMs = userMs === null || sysMs === null ? null : userMs + sysMs;
  return { code, stdout, stderr, wallMs, timedOut, cpuMs, userMs, sysMs };
}

/** A long-running child (a server, a scan to interrupt) with readers on its output. */
export interface Child {
  proc: Bun.Subprocess<"pipe", "pipe", "pipe">;
  stdout: StreamReader;
  stderr: StreamReader;
  /** Send `signal` if still running (SIGKILL `graceMs` later if it lingers); resolve with the exit status. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
}

/** Start a command; its stdin stays open (a pipe) until the caller writes or ends it. */
export function spawnChild(argv: string[], env: Record<string, string> = {}): Child {
  const proc = Bun.spawn(argv, {
    cwd: ROOT,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    env: childEnv(env),
  });
  return {
    proc,
    stdout: new StreamReader(proc.stdout),
    stderr: new StreamReader(proc.stderr),
    async stop(signal = "SIGKILL", graceMs = 10_000) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      const code = await proc.exited;
      clearTimeout(timer);
      return code;
    },
  };
}
