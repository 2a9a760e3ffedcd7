// Run the compiled executables the way a user does, and small socket helpers for tests.
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");

/**
 * How the tests start a program of the multi-call executable (env TP_EXE_VIA), so that every
 * executable test can run under each of its names: `link` (default) the build's ./tp-scan hard
 * link, `symlink` a symlink to ./tp-net, `tp-net` as `./tp-net scan ...` (a script that execs it).
 */
export const EXE_VIA = process.env.TP_EXE_VIA ?? "link";
const VIAS = ["link", "symlink", "tp-net"];
if (!VIAS.includes(EXE_VIA)) throw new Error(`TP_EXE_VIA must be one of ${VIAS.join(", ")}`);

let viaDir: string | undefined;

function viaPath(name: string): string {
  if (!viaDir) {
    viaDir = join(tmpdir(), `tp-exe-via-${process.pid}`);
    mkdirSync(viaDir, { recursive: true });
    const dir = viaDir;
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  const path = join(viaDir, name);
  if (existsSync(path)) return path;
  if (EXE_VIA === "symlink") symlinkSync(join(ROOT, "tp-net"), path);
  else {
    // exec: the signals a test sends reach tp-net itself.
    writeFileSync(
      path,
      `#!/bin/sh\nexec '${join(ROOT, "tp-net")}' ${name.replace(/^tp-/, "")} "$@"\n`,
    );
    chmodSync(path, 0o755);
  }
  return path;
}

export function exePath(name: string): string {
  if (EXE_VIA === "link" || name === "tp-net") return join(ROOT, name);
  return viaPath(name);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run an executable to completion (bounded by `timeoutMs`), feeding `stdin` if given. */
export function runExe(
  name: string,
  args: string[],
  opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<RunResult> {
  return runArgv([exePath(name), ...args], opts);
}

/** Run any command line to completion (bounded by `timeoutMs`), collecting its output. */
export async function runArgv(
  argv: string[],
  opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {},
): Promise<RunResult> {
  const proc = Bun.spawn(argv, {
    cwd: opts.cwd,
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Reads a child's stream incrementally so a test can wait for a given line. */
export class StreamReader {
  text = "";
  private waiters: Array<() => void> = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    this.done = (async () => {
      for await (const chunk of stream) {
        this.text += decoder.decode(chunk, { stream: true });
        for (const w of this.waiters.splice(0)) w();
      }
      for (const w of this.waiters.splice(0)) w();
    })();
  }

  /** Resolve with the first match of `pattern` in everything read so far, or throw after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let finished = false;
    this.done.then(() => {
      finished = true;
    });
    for (;;) {
      const m = this.text.match(pattern);
      if (m) return m;
      if (finished) throw new Error(`stream ended without ${pattern}; got:\n${this.text}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; got:\n${this.text}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** A long-running child (a server) with its output readers. */
export interface Child {
  proc: Bun.Subprocess<"pipe", "pipe", "pipe">;
  stdout: StreamReader;
  stderr: StreamReader;
  /** Kill if still running, and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

export function spawnExe(name: string, args: string[], env: Record<string, string> = {}): Child {
  const proc = Bun.spawn([exePath(name), ...args], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  const child: Child = {
    proc,
    stdout: new StreamReader(proc.stdout),
    stderr: new StreamReader(proc.stderr),
    async stop(signal = "SIGKILL") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      const code = await proc.exited;
      clearTimeout(timer);
      return code;
    },
  };
  return child;
}

/** A TCP port that was free a moment ago on `host` (the kernel picks it). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const listener = Bun.listen({ hostname: host, port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** Wait until something accepts TCP connections on host:port (bounded). */
export async function waitForPort(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const s = await Bun.connect({ hostname: host, port, socket: { data() {} } });
      s.end();
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
      await Bun.sleep(25);
    }
  }
}
