// Misbehaving clients for the torture suite, all on loopback, all bounded in count and time.
import type { Socket } from "bun";

export const HOST = "127.0.0.1";

interface Flooder {
  socket: Socket<undefined> | undefined;
  sent: number;
}

/**
 * `count` clients that each write `line` over and over as fast as the server takes it and
 * never read (their sockets are paused at once: the kernel's receive buffer fills, then the
 * server's send buffer, then whatever the server queues). Stops after `durationMs`.
 * Resolves with the bytes sent in all.
 */
export async function nonReaders(
  port: number,
  count: number,
  line: Uint8Array,
  durationMs: number,
  onOpen?: (socket: Socket<undefined>) => void,
): Promise<number> {
  const block = new Uint8Array(Math.max(line.length, 16 * 1024 - ((16 * 1024) % line.length)));
  for (let at = 0; at + line.length <= block.length; at += line.length) block.set(line, at);
  const flooders: Flooder[] = [];
  const pump = (f: Flooder) => {
    const s = f.socket;
    if (!s) return;
    for (let i = 0; i < 64; i++) {
      const n = s.write(block);
      if (n <= 0) return;
      f.sent += n;
      if (n < block.length) return; // kernel full: wait for drain
    }
    setImmediate(() => pump(f));
  };
  const stopAt = performance.now() + durationMs;
  for (let i = 0; i < count && performance.now() < stopAt; i++) {
    const f: Flooder = { socket: undefined, sent: 0 };
    flooders.push(f);
    try {
      f.socket = await Bun.connect({
        hostname: HOST,
        port,
        socket: {
          open(s) {
            s.pause();
            onOpen?.(s);
          },
          data() {},
          drain: () => pump(f),
          close() {
            f.socket = undefined;
          },
          error() {},
        },
      });
      pump(f);
    } catch {
      // refused or out of descriptors: counted as not sent
    }
  }
  await Bun.sleep(Math.max(0, stopAt - performance.now()));
  let total = 0;
  for (const f of flooders) {
    total += f.sent;
    f.socket?.terminate();
    f.socket = undefined;
  }
  return total;
}

/** A well-behaved connection: collects what the server says; send, wait for text, close. */
export class Conn {
  text = "";
  closed = false;
  private socket: Socket<undefined> | undefined;
  private wakers: Array<() => void> = [];
  private readonly decoder = new TextDecoder();

  static async open(port: number, opts: { paused?: boolean } = {}): Promise<Conn> {
    const c = new Conn();
    c.socket = await Bun.connect({
      hostname: HOST,
      port,
      socket: {
        open: (s) => {
          if (opts.paused) s.pause();
        },
        data: (_s, chunk) => {
          c.text += c.decoder.decode(chunk, { stream: true });
          if (c.text.length > 1_000_000) c.text = c.text.slice(-100_000);
          c.wake();
        },
        drain: () => c.wake(),
        close: () => {
          c.closed = true;
          c.wake();
        },
        error: () => {},
      },
    });
    return c;
  }

  private wake(): void {
    for (const w of this.wakers.splice(0)) w();
  }

  private next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakers.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Wait until the text holds `needle` (true) or the connection closes / time runs out (false). */
  async waitFor(
    needle: string | RegExp | ((text: string) => boolean),
    timeoutMs: number,
  ): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const has = () =>
      typeof needle === "string"
        ? this.text.includes(needle)
        : typeof needle === "function"
          ? needle(this.text)
          : needle.test(this.text);
    while (!has()) {
      if (this.closed || performance.now() > deadline) return has();
      await this.next(Math.max(1, deadline - performance.now()));
    }
    return true;
  }

  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!this.closed && performance.now() < deadline)
      await this.next(deadline - performance.now());
    return this.closed;
  }

  /** Write all of `data` (bounded wait for drain); false if it could not. */
  async send(data: string | Uint8Array, timeoutMs = 5000): Promise<boolean> {
    let rest = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const deadline = performance.now() + timeoutMs;
    while (rest.length > 0) {
      const s = this.socket;
      if (!s || this.closed || performance.now() > deadline) return false;
      const n = s.write(rest);
      if (n < 0) return false;
      rest = rest.subarray(n);
      if (rest.length > 0) await this.next(50);
    }
    return true;
  }

  /** What the kernel takes now, without waiting. */
  trySend(data: Uint8Array): number {
    return this.socket?.write(data) ?? -1;
  }

  /** Stop reading: what the server sends stays in the kernel's buffers, then the server's. */
  pause(): void {
    this.socket?.pause();
  }

  halfClose(): void {
    this.socket?.shutdown();
  }

  reset(): void {
    this.socket?.terminate();
  }

  close(): void {
    this.socket?.end();
  }
}

/** Open `count` connections, `batch` at a time; the ones that fail are left out. */
export async function openMany(
  port: number,
  count: number,
  opts: { paused?: boolean; batch?: number } = {},
): Promise<Conn[]> {
  const conns: Conn[] = [];
  const batch = opts.batch ?? 100;
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    const opened = await Promise.allSettled(
      Array.from({ length: n }, () => Conn.open(port, { paused: opts.paused })),
    );
    for (const r of opened) if (r.status === "fulfilled") conns.push(r.value);
  }
  return conns;
}
