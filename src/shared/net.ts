// Client sockets with errors a user can read in one line: connecting, and sending with
// back-pressure.
import type { Socket, SocketHandler } from "bun";
import { RuntimeError } from "./errors.ts";

export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Bun.connect, optionally bounded by `timeoutMs`, with refused / unknown host / unreachable
 * turned into one-line RuntimeErrors.
 */
export async function connectTcp<Data>(
  host: string,
  port: number,
  data: Data,
  socket: SocketHandler<Data, "buffer">,
  timeoutMs?: number,
): Promise<Socket<Data>> {
  const where = formatHostPort(host, port);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const attempt = Bun.connect<Data>({ hostname: host, port, data, socket });
  const bounded =
    timeoutMs === undefined
      ? attempt
      : Promise.race([
          attempt,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              timedOut = true;
              reject(
                new RuntimeError(`connection to ${where} timed out after ${timeoutMs / 1000} s`),
              );
            }, timeoutMs);
          }),
        ]);
  // A connection that succeeds after we gave up is closed at once.
  attempt.then((s) => timedOut && s.terminate()).catch(() => {});
  try {
    return await bounded;
  } catch (error) {
    if (error instanceof RuntimeError) throw error;
    const code = (error as { code?: string }).code;
    switch (code) {
      case "ECONNREFUSED":
        throw new RuntimeError(`connection refused by ${where} (is the server running?)`);
      case "ENOTFOUND":
      case "EAI_NONAME":
        throw new RuntimeError(`unknown host '${host}'`);
      case "ETIMEDOUT":
        throw new RuntimeError(`connection to ${where} timed out`);
      case "ENETUNREACH":
      case "EHOSTUNREACH":
        throw new RuntimeError(`${where} is unreachable`);
      default:
        throw new RuntimeError(`cannot connect to ${where}: ${code ?? (error as Error).message}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A client's way to send: all of each write, waiting for the socket to drain when the kernel
 * takes only part, so that input read faster than the server takes it is not queued without
 * bound. Call drained() from the socket's drain handler and closed() from its close handler.
 */
export class Sender {
  private waiters: Array<() => void> = [];
  private gone = false;

  constructor(private readonly socket: Socket<unknown>) {}

  /** Resolves true once all of `bytes` is with the kernel, false if the connection is gone. */
  async send(bytes: Uint8Array): Promise<boolean> {
    let rest = bytes;
    while (rest.length > 0) {
      if (this.gone) return false;
      const sent = this.socket.write(rest);
      if (sent < 0) return false;
      rest = rest.subarray(sent);
      if (rest.length > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return true;
  }

  drained(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  closed(): void {
    this.gone = true;
    this.drained();
  }
}
