// Open TCP listeners for tests and benchmarks: a given list of ports, or N ports the kernel
// picks. As a program it prints one line "ready <comma list>" on stdout once every listener is
// up, then keeps them open until stdin closes or it gets SIGTERM/SIGINT:
//   bun scripts/listeners.ts [--host 127.0.0.1] [--ports 22,80,8000-8010] [--count N]
// (--ports takes tp-scan's -p syntax)
//                            [--banner TEXT]
// --banner writes TEXT (with \r\n appended) to every accepted connection, like an SSH or SMTP
// server. Exit 1 if a port is taken.
import { createServer, type Server } from "node:net";
import { parsePortSpec } from "../src/scan/ports/port-spec.ts";

export interface ListenerOptions {
  host?: string;
  /** Exact ports to open. */
  ports?: number[];
  /** Additional listeners on kernel-chosen ports. */
  count?: number;
  /** Greeting written to each accepted connection. */
  banner?: string;
}

export interface Listeners {
  ports: number[];
  stop(): Promise<void>;
}

function listenOne(host: string, port: number, opts: ListenerOptions): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.on("error", () => {});
      if (opts.banner !== undefined) socket.end(`${opts.banner}\r\n`);
      else socket.end();
    });
    server.once("error", reject);
    server.listen({ host, port, exclusive: true, backlog: 511 }, () => resolve(server));
  });
}

/** Open the listeners; all of them or none (a failure closes those already open). */
export async function openListeners(opts: ListenerOptions): Promise<Listeners> {
  const host = opts.host ?? "127.0.0.1";
  const servers: Server[] = [];
  try {
    for (const port of opts.ports ?? []) servers.push(await listenOne(host, port, opts));
    for (let i = 0; i < (opts.count ?? 0); i++) servers.push(await listenOne(host, 0, opts));
  } catch (error) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw error;
  }
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === "object" && address ? address.port : 0;
  });
  return {
    ports,
    stop: () =>
      Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => {}),
  };
}

/** The -p syntax of tp-scan; a bad list is a usage error (exit 2). */
function parsePorts(spec: string): number[] {
  try {
    return parsePortSpec(spec);
  } catch (error) {
    console.error(`listeners: --ports ${(error as Error).message.replace(/^-p: /, "")}`);
    process.exit(2);
  }
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const opts: ListenerOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i] ?? "";
    if (flag === "--host") opts.host = value();
    else if (flag === "--ports") opts.ports = parsePorts(value());
    else if (flag === "--count") opts.count = Number(value());
    else if (flag === "--banner") opts.banner = value();
    else {
      console.error(`listeners: unknown option ${flag}`);
      process.exit(2);
    }
  }
  try {
    const listeners = await openListeners(opts);
    console.log(`ready ${listeners.ports.join(",")}`);
    const quit = () => listeners.stop().then(() => process.exit(0));
    process.on("SIGTERM", quit);
    process.on("SIGINT", quit);
    setInterval(() => {}, 1 << 30); // stay up until a signal
  } catch (error) {
    console.error(`listeners: ${(error as Error).message}`);
    process.exit(1);
  }
}
