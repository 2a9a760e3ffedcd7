// Client connections for the bot and the human client, with errors a user can read in one line.
import type { Socket, SocketHandler } from "bun";
import { RuntimeError } from "../shared/cli.ts";

export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Bun.connect bounded by `timeoutMs`, with refused / unknown host / unreachable as one line. */
export async function connect<Data>(
  host: string,
  port: number,
  data: Data,
  handler: SocketHandler<Data, "buffer">,
  timeoutMs: number,
): Promise<Socket<Data>> {
  const where = formatHostPort(host, port);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const attempt = Bun.connect<Data>({ hostname: host, port, data, socket: handler });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new RuntimeError(`connection to ${where} timed out after ${timeoutMs / 1000} s`));
    }, timeoutMs);
  });
  // A connection that succeeds after we gave up is closed at once.
  attempt.then((s) => timedOut && s.terminate()).catch(() => {});
  try {
    return await Promise.race([attempt, timeout]);
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
