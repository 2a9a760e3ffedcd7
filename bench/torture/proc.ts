// The server under test as a child process, with its RSS and descriptor count sampled from
// /proc (Linux). Every child is killed at the end of its case, whatever happens.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

export interface ServerProc {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  /** stderr so far (the server's log). */
  log(): string;
  stop(): Promise<number>;
}

/** Resident memory of `pid` in bytes (0 once it is gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function openFiles(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Samples RSS every `everyMs` until stopped: peak and the series. */
export class RssSampler {
  readonly series: Array<{ t: number; rss: number; fds: number }> = [];
  peak = 0;
  private timer: Timer;
  private readonly t0 = performance.now();

  constructor(
    private readonly pid: number,
    everyMs = 100,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }

  sample(): number {
    const rss = rssBytes(this.pid);
    this.peak = Math.max(this.peak, rss);
    this.series.push({ t: performance.now() - this.t0, rss, fds: openFiles(this.pid) });
    return rss;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** Median RSS over the samples taken in [fromMs, toMs): the level, without the GC's spikes. */
  medianBetween(fromMs: number, toMs: number): number {
    const values = this.series
      .filter((s) => s.t >= fromMs && s.t < toMs)
      .map((s) => s.rss)
      .sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? 0;
  }

  /** Highest RSS over the samples taken in [fromMs, toMs). */
  peakBetween(fromMs: number, toMs: number): number {
    let peak = 0;
    for (const s of this.series) if (s.t >= fromMs && s.t < toMs) peak = Math.max(peak, s.rss);
    return peak;
  }
}

async function accepts(port: number): Promise<boolean> {
  try {
    const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    s.terminate();
    return true;
  } catch {
    return false;
  }
}

/** A port free on loopback right now (tp-echo takes no port 0). */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

export interface StartOptions {
  /** An open-file limit for the server (set by the shell, which then execs it). */
  fileLimit?: number;
  /** false: nobody reads the server's stderr (a pipe left full). */
  readLog?: boolean;
  timeoutMs?: number;
}

/** Start `./tp-echo` or `./tp-guess server` on a free port; resolves once it accepts. */
export async function startServer(argv: string[], opts: StartOptions = {}): Promise<ServerProc> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const chosen = freePort();
  const command = [join(ROOT, argv[0] as string), ...argv.slice(1), "--port", String(chosen)];
  const wrap = opts.fileLimit ? ["sh", "-c", `ulimit -n ${opts.fileLimit} && exec "$@"`, "sh"] : [];
  const proc = Bun.spawn([...wrap, ...command], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  let text = "";
  const port = chosen;
  const decoder = new TextDecoder();
  const reading = (async () => {
    if (opts.readLog === false) return;
    for await (const chunk of proc.stderr) {
      text += decoder.decode(chunk, { stream: true });
      // Keep the log bounded: a torture case may make the server log a lot.
      if (text.length > 1_000_000) text = text.slice(-500_000);
    }
  })();
  void new Response(proc.stdout).arrayBuffer();
  const deadline = performance.now() + timeoutMs;
  // --quiet hides "listening on": wait until the port takes a connection instead.
  while (!(await accepts(port))) {
    if (performance.now() > deadline || proc.exitCode !== null) {
      proc.kill("SIGKILL");
      throw new Error(`server did not start: ${text.slice(0, 500)}`);
    }
    await Bun.sleep(20);
  }
  return {
    proc,
    port,
    log: () => text,
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      const code = await proc.exited;
      clearTimeout(timer);
      await reading;
      return code;
    },
  };
}
