// A portable TCP connect prober on node:net, for systems where the bun:ffi epoll engine cannot
// run (macOS, Windows). destroy() releases a pending connect at once, so a timed-out probe gives
// its descriptor back (Bun.connect cannot cancel one: ~2 min per filtered probe). Standalone: the
// lead wires it behind `--engine portable`. Figures in docs/platforms.md.
import { Socket } from "node:net";

export type ProbeState = "open" | "closed" | "filtered";

export interface ProbeOptions {
  address: string;
  family: 4 | 6;
  ports: readonly number[];
  /** Probes in flight at once. */
  concurrency: number;
  timeoutMs: number;
  /** Extra tries of a port that timed out, each waiting twice as long as the one before. */
  retries: number;
  onState(port: number, state: ProbeState, rttMs: number): void;
}

/** Errors that say something about the scanner, not the port: try the port again later. */
const LOCAL_ERRORS = new Set(["EMFILE", "ENFILE", "EADDRNOTAVAIL", "ENOBUFS", "EAGAIN"]);
const UNREACHABLE = new Set(["EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT"]);

type Outcome = ProbeState | "again";

/** One connect to `port`: its outcome, settled exactly once. */
function probeOnce(options: ProbeOptions, port: number, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle("filtered"), timeoutMs);
    socket.once("connect", () => {
      // A self-connect (loopback: source port == destination port) is no listener: probe again.
      const self = socket.localPort === port && socket.localAddress === socket.remoteAddress;
      settle(self ? "again" : "open");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ?? "";
      if (code === "ECONNREFUSED") settle("closed");
      else if (LOCAL_ERRORS.has(code)) settle("again");
      else settle(UNREACHABLE.has(code) ? "filtered" : "closed");
    });
    socket.connect({ host: options.address, port, family: options.family });
  });
}

/** Probe every port of `options.ports`; resolves when all are known or `signal` aborts. */
export async function probePorts(options: ProbeOptions, signal?: AbortSignal): Promise<void> {
  const queue: Array<{ port: number; tries: number }> = options.ports.map((port) => ({
    port,
    tries: 0,
  }));
  let next = 0;
  const lane = async (): Promise<void> => {
    while (!signal?.aborted) {
      const item = queue[next++];
      if (!item) return;
      const started = performance.now();
      const outcome = await probeOnce(options, item.port, options.timeoutMs * 2 ** item.tries);
      if (outcome === "again") queue.push(item);
      else if (outcome === "filtered" && item.tries < options.retries) {
        item.tries++;
        queue.push(item);
      } else options.onState(item.port, outcome, performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, () => lane()));
}
