// Loopback ports for tests and bench: one the kernel picks, and waiting until one accepts.

/** A TCP port that was free a moment ago on `host` (the kernel picks it). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const listener = Bun.listen({ hostname: host, port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** Whether a TCP connect to host:port succeeds now (the probe closes at once). */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
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
}

/** Wait until something accepts TCP connections on host:port; throws after `timeoutMs`. */
export async function waitForPort(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(host, port))) {
    if (Date.now() > deadline)
      throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await Bun.sleep(25);
  }
}
