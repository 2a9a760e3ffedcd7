// UDP probes as a ProbeTransport (probe-transport.ts), for -sU: a connected UDP socket per
// probe (udp-socket.ts) carrying the port's payloads (ports/udp-payloads.ts), epoll or poll()
// to wait. A reply is OPEN (peeked, so the banner read finds it still there), an ICMP error
// its errno (ECONNREFUSED: closed; the others: filtered, udp-states.ts), silence PENDING until
// the loop's timeout, after its tries open|filtered. On loopback the port-unreachable is
// usually there as soon as send() returns (the kernel answers within the call): one read then
// settles the probe without waiting.
import type { PayloadSet } from "../ports/udp-payloads.ts";
import type { FdTable } from "./fd-table.ts";
import { type ProbeAddress, ProbeSockets } from "./probe-socket.ts";
import { OPEN, PENDING, type ProbeTransport, SELF } from "./probe-transport.ts";
import { type EngineName, type Readiness, WAIT_READ } from "./readiness.ts";
import { createReadiness } from "./readiness-engines.ts";
import { UdpSockets } from "./udp-socket.ts";
import type { UdpReading } from "./udp-states.ts";

const MAX_EVENTS = 1024;

export class UdpTransport implements ProbeTransport {
  handle = -1;
  private readonly udp: UdpSockets;
  private readonly readiness: Readiness;
  /** The libc handle the readiness uses (epoll/poll calls and errno). */
  private readonly system: ProbeSockets;
  /** The port each socket probes, by descriptor. */
  private readonly portOf: number[] = [];

  constructor(
    targets: readonly ProbeAddress[],
    engine: EngineName,
    private readonly table: FdTable,
    private readonly payloads: PayloadSet,
  ) {
    this.udp = new UdpSockets(targets);
    this.system = new ProbeSockets(targets);
    this.readiness = createReadiness(engine, this.system, table, MAX_EVENTS);
  }

  start(host: number, port: number): number {
    const fd = this.udp.open(host, port);
    if (fd < 0) return -fd;
    this.table.ensure(fd);
    const e = this.udp.send(fd, this.payloads.byPort[port]);
    if (e !== 0) {
      this.udp.close(fd);
      return e; // a port-unreachable to an earlier datagram, or a local limit
    }
    this.handle = fd;
    this.portOf[fd] = port;
    const now = this.outcome(fd, port, this.udp.peek(fd));
    if (now !== PENDING) return now;
    if (this.readiness.watch(fd, WAIT_READ)) return PENDING;
    const failed = this.system.errno();
    this.udp.close(fd);
    return failed;
  }

  /** OPEN (fd kept), SELF or an errno (fd closed), or PENDING. */
  private outcome(fd: number, port: number, reading: UdpReading): number {
    if (reading.kind === "none") return PENDING;
    // A socket whose own port is the one probed hears its own datagram (loopback, measured
    // once in a full -p- scan): not an answer; the loop probes again.
    if (reading.kind === "reply" && this.udp.localPort(fd) === port) {
      this.end(fd);
      return SELF;
    }
    if (reading.kind === "reply") return OPEN;
    this.end(fd);
    return reading.errno;
  }

  wait(timeoutMs: number): number {
    return this.readiness.wait(timeoutMs);
  }

  ready(i: number): number {
    return this.readiness.readyFd(i);
  }

  check(fd: number): number {
    return this.outcome(fd, this.portOf[fd] as number, this.udp.peek(fd));
  }

  end(fd: number): void {
    this.readiness.forget(fd);
    this.udp.close(fd);
  }

  /** The reply is still queued (peeked): the socket is readable at once. */
  watchReply(fd: number): boolean {
    return this.readiness.watch(fd, WAIT_READ);
  }

  readReply(fd: number): string | null {
    const reading = this.udp.read(fd);
    if (reading.kind === "reply") return Buffer.from(reading.banner).toString("latin1");
    return reading.kind === "none" ? null : "";
  }

  errno(): number {
    return this.system.errno();
  }

  close(): void {
    this.readiness.close();
  }
}
