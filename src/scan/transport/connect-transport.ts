// Connect probes as a ProbeTransport (probe-transport.ts): a non-blocking connect() per probe,
// epoll or poll() to wait (readiness.ts). On loopback the answer is usually there inside
// connect() itself: a second connect() at once settles most probes without waiting, and a
// refused socket is kept (a few per family) to serve the next probe, so a closed port costs 2
// system calls in all. A watched socket is never reused: its refusal is closed with it.
import { ECONNREFUSED, LOCAL_ERRNOS } from "../sys/libc.ts";
import type { FdTable } from "./fd-table.ts";
import {
  PENDING as CONNECT_PENDING,
  CONNECTED,
  type ProbeAddress,
  ProbeSockets,
} from "./probe-socket.ts";
import { OPEN, PENDING, type ProbeTransport, SELF } from "./probe-transport.ts";
import {
  createReadiness,
  type EngineName,
  type Readiness,
  WAIT_CONNECT,
  WAIT_READ,
} from "./readiness.ts";

export const MAX_EVENTS = 1024;
/** Refused sockets kept per family for the next probe. */
const MAX_SPARES = 4;

export class ConnectTransport implements ProbeTransport {
  handle = -1;
  private readonly sockets: ProbeSockets;
  private readonly readiness: Readiness;
  private readonly spares: number[][] = [[], [], [], [], [], [], []]; // by family (4, 6)

  constructor(
    targets: readonly ProbeAddress[],
    engine: EngineName,
    private readonly table: FdTable,
  ) {
    this.sockets = new ProbeSockets(targets);
    this.readiness = createReadiness(engine, this.sockets, table, MAX_EVENTS);
  }

  start(host: number, port: number): number {
    const spares = this.spares[this.sockets.family(host)] as number[];
    let fd = spares.pop() ?? -1;
    if (fd < 0) {
      fd = this.sockets.open(host);
      if (fd < 0) return -fd;
      this.table.ensure(fd);
    }
    const first = this.sockets.connect(fd, host, port);
    const outcome = first === CONNECT_PENDING ? this.sockets.connectAgain(fd, host) : first;
    this.handle = fd;
    if (outcome === CONNECT_PENDING) {
      if (this.readiness.watch(fd, WAIT_CONNECT)) return PENDING;
      const e = this.sockets.errno();
      this.sockets.close(fd);
      return e;
    }
    if (outcome === CONNECTED) return this.connected(fd, host);
    // Not in epoll: a refused socket may serve another probe, after connect(AF_UNSPEC) unless
    // the second call saw the refusal (the kernel has then dissolved the attempt already).
    const dissolved = first === CONNECT_PENDING;
    const reuse = outcome === ECONNREFUSED && this.sockets.reconnects && spares.length < MAX_SPARES;
    if (reuse && (dissolved || this.sockets.reset(fd))) spares.push(fd);
    else this.sockets.close(fd);
    return outcome;
  }

  /** A connect completed: open, unless the SYN met itself (source port == destination). */
  private connected(fd: number, host: number): number {
    if (!this.sockets.isSelfConnect(fd, host)) return OPEN;
    this.end(fd);
    return SELF;
  }

  wait(timeoutMs: number): number {
    return this.readiness.wait(timeoutMs);
  }

  ready(i: number): number {
    return this.readiness.readyFd(i);
  }

  check(fd: number): number {
    const status = this.sockets.inspect(fd);
    if (status === CONNECT_PENDING) return PENDING;
    if (status === CONNECTED) return this.connected(fd, this.table.host[fd] as number);
    this.end(fd);
    return status;
  }

  end(fd: number): void {
    this.readiness.forget(fd);
    this.sockets.close(fd);
  }

  watchReply(fd: number): boolean {
    return this.readiness.watch(fd, WAIT_READ);
  }

  readReply(fd: number): string | null {
    return this.sockets.recv(fd, LOCAL_ERRNOS);
  }

  errno(): number {
    return this.sockets.errno();
  }

  close(): void {
    for (const list of this.spares) for (const fd of list) this.sockets.close(fd);
    this.readiness.close();
  }
}
