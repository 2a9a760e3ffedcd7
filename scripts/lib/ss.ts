// Ground truth for the scanner: which ports `ss -ltnH` says accept connections to an address.

/** Split "ADDR:PORT" as ss prints it ("127.0.0.1:22", "[::1]:631", "*:80", "127.0.0.53%lo:53"). */
export function splitAddrPort(text: string): { addr: string; port: number } | null {
  const i = text.lastIndexOf(":");
  if (i <= 0) return null;
  const port = Number(text.slice(i + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  let addr = text.slice(0, i);
  if (addr.startsWith("[") && addr.endsWith("]")) addr = addr.slice(1, -1);
  // ss may append the interface: "127.0.0.53%lo".
  addr = addr.replace(/%.*$/, "");
  return { addr, port };
}

/**
 * Ports of `ss -ltnH` output whose listener accepts a connection to `address`: bound to the
 * address itself, to its family's wildcard, or to `*` (ss's name for a dual-stack IPv6 socket;
 * `[::]` is an IPV6_V6ONLY one, which IPv4 clients cannot reach). Sorted, no duplicates.
 */
export function parseSsListening(text: string, address = "127.0.0.1"): number[] {
  return portsInState(text, address, "LISTEN");
}

/** `ss -lunH` output: the UDP ports bound so that a datagram to `address` reaches a socket. */
export function parseSsUdpBound(text: string, address = "127.0.0.1"): number[] {
  return portsInState(text, address, "UNCONN");
}

function portsInState(text: string, address: string, state: string): number[] {
  const accepted = address.includes(":")
    ? [address, "::", "*"]
    : [address, "0.0.0.0", "*", `::ffff:${address}`];
  const ports = new Set<number>();
  for (const line of text.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[0] !== state) continue;
    const local = splitAddrPort(cols[3] as string);
    if (local && accepted.includes(local.addr)) ports.add(local.port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** `ss -ltnH` run here, parsed for `address`. */
export function ssListening(address = "127.0.0.1"): number[] {
  const proc = Bun.spawnSync(["ss", "-ltnH"], { stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`ss failed: ${proc.stderr.toString().trim()}`);
  return parseSsListening(proc.stdout.toString(), address);
}

/** `ss -lunH` run here, parsed for `address`. */
export function ssUdpBound(address = "127.0.0.1"): number[] {
  const proc = Bun.spawnSync(["ss", "-lunH"], { stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`ss failed: ${proc.stderr.toString().trim()}`);
  return parseSsUdpBound(proc.stdout.toString(), address);
}
