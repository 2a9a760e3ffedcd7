// The forwarder process (forwarder.c) seen from TypeScript: started with its two namespaces and
// link specs, asked for counters over its stdin, stopped by closing stdin. It also dies with
// its parent (PR_SET_PDEATHSIG), so a killed test leaves no link behind.
import type { Subprocess } from "bun";

export interface DirectionCounters {
  /** Packets read from the sending side. */
  in: number;
  /** Packets delivered to the other side. */
  out: number;
  /** Dropped by random loss. */
  lost: number;
  /** Dropped because the bottleneck queue was full. */
  qdrop: number;
  /** Failed writes to the other side's TUN device. */
  errors: number;
  /** In flight inside the forwarder (delayed or queued) right now. */
  queued: number;
  /** TCP SYNs without ACK (connection attempts) read, before any loss. */
  syn: number;
  /** When the first and the latest of them were read, ms after the forwarder started. */
  synFirstMs: number;
  synLastMs: number;
}

export interface Counters {
  toTarget: DirectionCounters;
  toScanner: DirectionCounters;
}

function parseCounters(line: string): Counters {
  const raw = JSON.parse(line) as { ab: DirectionCounters; ba: DirectionCounters };
  return { toTarget: raw.ab, toScanner: raw.ba };
}

export interface ForwarderStart {
  binary: string;
  scannerNs: string;
  targetNs: string;
  tun: string;
  toTarget: string;
  toScanner: string;
  seed: number;
}

export class Forwarder {
  private lines: string[] = [];
  private waiters: ((line: string | null) => void)[] = [];
  private ended = false;
  private last: Counters | null = null;

  private constructor(private readonly proc: Subprocess<"pipe", "pipe", "pipe">) {
    void this.readLines();
  }

  static async start(s: ForwarderStart): Promise<Forwarder> {
    const argv = [s.binary, "--control", "--tun", s.tun, "--seed", String(s.seed)];
    argv.push("--ns-a", `/run/netns/${s.scannerNs}`, "--ns-b", `/run/netns/${s.targetNs}`);
    argv.push("--ab", s.toTarget, "--ba", s.toScanner);
    const proc = Bun.spawn(argv, { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    const forwarder = new Forwarder(proc);
    const first = await forwarder.nextLine(10_000);
    if (first !== "ready") {
      proc.kill();
      const err = (await new Response(proc.stderr).text()).trim();
      throw new Error(err || `forwarder did not start (${first ?? "no output"})`);
    }
    return forwarder;
  }

  get pid(): number {
    return this.proc.pid;
  }

  private async readLines(): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of this.proc.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        this.deliver(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        nl = pending.indexOf("\n");
      }
    }
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) waiter(null);
  }

  private deliver(line: string): void {
    if (line.startsWith("{")) this.last = parseCounters(line);
    const waiter = this.waiters.shift();
    if (waiter) waiter(line);
    else this.lines.push(line);
  }

  private nextLine(timeoutMs: number): Promise<string | null> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(null);
      }, timeoutMs);
      const waiter = (l: string | null) => {
        clearTimeout(timer);
        resolve(l);
      };
      this.waiters.push(waiter);
    });
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Send one control line and return its answer (requests are answered in order). */
  private request(line: string): Promise<string> {
    const next = this.queue.then(async () => {
      this.lines = []; // unsolicited lines (counters printed on SIGUSR1)
      this.proc.stdin.write(`${line}\n`);
      this.proc.stdin.flush();
      const answer = await this.nextLine(5_000);
      if (answer === null) throw new Error(`the forwarder did not answer '${line}'`);
      return answer;
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** Counters now. */
  async counters(): Promise<Counters> {
    const line = await this.request("c");
    if (!line.startsWith("{")) throw new Error(`the forwarder answered '${line}' for its counters`);
    return parseCounters(line);
  }

  /** Change one direction from now on; packets in flight keep their times. */
  async setLink(direction: "toTarget" | "toScanner", spec: string): Promise<void> {
    if (spec === "") return;
    const answer = await this.request(`set ${direction === "toTarget" ? "ab" : "ba"} ${spec}`);
    if (answer !== "ok") throw new Error(`the forwarder refused '${spec}': ${answer}`);
  }

  /** Stop it; the counters it printed at exit (or the last ones seen). */
  async stop(): Promise<Counters | null> {
    if (!this.ended) {
      this.proc.stdin.end();
      const timer = setTimeout(() => this.proc.kill("SIGKILL"), 3_000);
      await this.proc.exited;
      clearTimeout(timer);
      while (!this.ended) await Bun.sleep(1);
    }
    return this.last;
  }
}
