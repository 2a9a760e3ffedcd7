// Why Bun.listen failed, as the one line a user reads: busy port, no permission, not an
// address of this machine, unknown host.
import { RuntimeError } from "../errors.ts";
import { formatHostPort } from "../net.ts";

/** Why Bun.listen failed, as one line. */
export function listenError(error: unknown, host: string, port: number): RuntimeError {
  const code = (error as { code?: string }).code;
  const where = formatHostPort(host, port);
  switch (code) {
    case "EADDRINUSE":
      return new RuntimeError(`cannot listen on ${where}: port ${port} is already in use`);
    case "EACCES":
      return new RuntimeError(
        `cannot listen on ${where}: permission denied (ports below 1024 need root)`,
      );
    case "EADDRNOTAVAIL":
      return new RuntimeError(
        `cannot listen on ${where}: ${host} is not an address of this machine`,
      );
    default:
      return new RuntimeError(`cannot listen on ${where}: ${code ?? "unknown host or address"}`);
  }
}
