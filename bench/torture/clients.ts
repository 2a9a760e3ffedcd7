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
