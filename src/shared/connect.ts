// Opening a client connection with errors a user can read in one line.
import type { Socket, SocketHandler } from "bun";
import { RuntimeError } from "./cli.ts";

export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Bun.connect, with refused / unknown host / unreachable turned into one-line RuntimeErrors. */
export async function connectTcp<Data>(
  host: string,
  port: number,
  data: Data,
  socket: SocketHandler<Data, "buffer">,
): Promise<Socket<Data>> {
  try {
    return await Bun.connect<Data>({ hostname: host, port, data, socket });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const where = formatHostPort(host, port);
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
  }
}

/** Write all of `bytes`, waiting for the socket to drain when the kernel takes only part. */
export async function writeAll(
  socket: Socket<unknown>,
  bytes: Uint8Array,
  waitDrain: () => Promise<void>,
): Promise<boolean> {
  let rest = bytes;
  while (rest.length > 0) {
    const sent = socket.write(rest);
    if (sent < 0) return false;
    rest = rest.subarray(sent);
    if (rest.length > 0) await waitDrain();
  }
  return true;
}
