// Process measures for the bench: start a server and wait until it is ready, read a process's
// CPU time and memory from /proc, a tool's version. (Running commands: scripts/lib/run.ts.)
import { readFileSync } from "node:fs";
import { waitForPort } from "../scripts/lib/net.ts";
import { spawnChild } from "../scripts/lib/run.ts";
import { parseProcStatTicks, parseStatusKb } from "./lib/parse.ts";

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

export interface Server {
  pid: number;
  /** SIGTERM, then SIGKILL if it lingers; resolves when it has exited. */
  stop(): Promise<void>;
}

export type Readiness = { stderr: RegExp } | { host: string; port: number };

/** Start a long-running server and wait (bounded) until it is ready. */
export async function startServer(
  argv: string[],
  ready: Readiness,
  timeoutMs = 15_000,
): Promise<Server> {
  const child = spawnChild(argv);
  const stop = async () => {
    await child.stop("SIGTERM", 5_000);
  };
  try {
    if ("stderr" in ready) await child.stderr.waitFor(ready.stderr, timeoutMs);
    else await waitForPort(ready.host, ready.port, timeoutMs);
  } catch (error) {
    await stop();
    throw new Error(
      `${argv.join(" ")} did not become ready: ${(error as Error).message.split("\n")[0]}\n${child.stderr.text}`,
    );
  }
  return { pid: child.proc.pid, stop };
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
