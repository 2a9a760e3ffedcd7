// A raw TCP test client that records every byte received and lets a test wait for text, and
// what a test needs to run a server inside its own process.
import type { Socket } from "bun";
import { type ConsolaInstance, createConsola, LogLevels } from "consola";
import { DEFAULT_MAX_CLIENTS, DEFAULT_MAX_PENDING_OUTPUT } from "../../src/shared/limits.ts";
import type { ServerOptions } from "../../src/shared/server/lifecycle.ts";

const decoder = new TextDecoder();

export class TestClient {
  received = new Uint8Array(0);
  closed = false;
  readonly closedPromise: Promise<void>;
  private socket!: Socket<undefined>;
  private wakers: Array<() => void> = [];
  private onClosed!: () => void;

  private constructor() {
    this.closedPromise = new Promise((resolve) => {
      this.onClosed = resolve;
    });
  }

  static async connect(host: string, port: number): Promise<TestClient> {
    const client = new TestClient();
    client.socket = await Bun.connect({
      hostname: host,
      port,
      socket: {
        data: (_s, chunk) => {
          const all = new Uint8Array(client.received.length + chunk.length);
          all.set(client.received);
          all.set(chunk, client.received.length);
          client.received = all;
          client.wake();
        },
        close: () => {
          client.closed = true;
          client.onClosed();
          client.wake();
        },
        drain: () => client.wake(),
        error: () => {},
      },
    });
    return client;
  }

  get text(): string {
    return decoder.decode(this.received);
  }

  private wake(): void {
    for (const w of this.wakers.splice(0)) w();
  }

  private nextEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakers.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Wait until the received text satisfies `done` (a substring count or a predicate). */
  async waitFor(done: string | ((text: string) => boolean), timeoutMs = 10_000): Promise<string> {
    const test = typeof done === "string" ? (t: string) => t.includes(done) : done;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.text;
      if (test(text)) return text;
      if (this.closed)
        throw new Error(`connection closed; received so far: ${JSON.stringify(text.slice(-300))}`);
      if (Date.now() > deadline)
        throw new Error(`timed out; received so far: ${JSON.stringify(text.slice(-300))}`);
      await this.nextEvent(100);
    }
  }

  /** Wait until `needle` appears `count` times. */
  waitForCount(needle: string, count: number, timeoutMs = 10_000): Promise<string> {
    return this.waitFor((t) => t.split(needle).length - 1 >= count, timeoutMs);
  }

  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () =>
          reject(
            new Error(`not closed after ${timeoutMs} ms: ${JSON.stringify(this.text.slice(-200))}`),
          ),
        timeoutMs,
      ),
    );
    await Promise.race([this.closedPromise, timeout]);
  }

  /** Write everything, waiting for drain as needed. */
  async send(data: string | Uint8Array): Promise<void> {
    let rest = typeof data === "string" ? new TextEncoder().encode(data) : data;
    while (rest.length > 0) {
      const n = this.socket.write(rest);
      if (n < 0) throw new Error("socket closed while sending");
      rest = rest.subarray(n);
      if (rest.length > 0) await this.nextEvent(100);
    }
  }

  /** Write what the kernel takes right now; returns bytes written (no waiting). */
  trySend(data: Uint8Array): number {
    return this.socket.write(data);
  }

  pause(): void {
    this.socket.pause();
  }

  /** Half-close: send FIN, keep reading. */
  end(): void {
    this.socket.shutdown();
  }

  destroy(): void {
    this.socket.terminate();
  }
}

export const sleep = (ms: number) => Bun.sleep(ms);

/** A logger that keeps its lines (level, then text) for a test to read, and prints nothing. */
export function recordingLog(): { log: ConsolaInstance; lines: string[] } {
  const lines: string[] = [];
  const log = createConsola({
    level: LogLevels.info,
    reporters: [{ log: (entry) => lines.push(`${entry.type} ${entry.args.join(" ")}`) }],
  });
  return { log, lines };
}

/** The life cycle's options for a server run inside the test process, on any free port. */
export function inProcess(overrides: Partial<ServerOptions> = {}): ServerOptions {
  return {
    host: "127.0.0.1",
    port: 0,
    idleTimeoutMs: 0,
    maxClients: DEFAULT_MAX_CLIENTS,
    maxPendingOutput: DEFAULT_MAX_PENDING_OUTPUT,
    log: createConsola({ level: LogLevels.error, reporters: [] }),
    ...overrides,
  };
}

/** Wait (bounded) until `done()` holds, checking at each turn of the event loop. */
export async function until(done: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}
