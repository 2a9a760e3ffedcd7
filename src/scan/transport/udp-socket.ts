// The system calls of one UDP probe, through bun:ffi (Linux): a non-blocking datagram socket
// with IP_RECVERR, connect() to the port (no packet: it fixes the peer, so the kernel drops
// datagrams from anyone else and delivers the ICMP errors that quote this socket), send the
// payloads, read what came back. udp-states.ts says what each outcome means.
//
// IP_RECVERR: without it Linux reports only "hard" ICMP errors on a connected UDP socket
// (port and protocol unreachable, the prohibited codes), not host or net unreachable (codes
// 0, 1), which nmap calls filtered; with it every ICMP error sets the socket's error.
// Memory shared with libc is passed as the typed array itself (see probe-socket.ts).
import { libc, SOCK_CLOEXEC, SOCK_NONBLOCK } from "../sys/libc.ts";
import type { Libc } from "../sys/libc-symbols.ts";
import { buildSockaddr } from "../sys/sockaddr.ts";
import { SYSTEMS } from "../sys/systems.ts";
import type { ProbeAddress } from "./probe-socket.ts";
import { NOTHING, type UdpReading, udpError } from "./udp-states.ts";

const SOCK_DGRAM = 2;
const SOL_IP = 0;
const IP_RECVERR = 11;
const SOL_IPV6 = 41;
const IPV6_RECVERR = 25;
const MSG_DONTWAIT = 0x40;
const MSG_PEEK = 0x2;
const EAGAIN = 11;
/** Bytes of a reply kept as its banner. */
export const UDP_BANNER_BYTES = 512;

export class UdpSockets {
  readonly c: Libc;
  readonly errno: () => number;
  private readonly addresses: Array<Uint8Array | undefined>;
  private readonly builtFor: Array<ProbeAddress | undefined> = [];
  private readonly one = new Int32Array([1]);
  private readonly recvBuf = new Uint8Array(UDP_BANNER_BYTES);
  private readonly nameBuf = new Uint8Array(128);
  private readonly lenBuf = new Uint32Array(1);

  constructor(private readonly targets: readonly ProbeAddress[]) {
    if (process.platform !== "linux") throw new Error("UDP probes need Linux (for now)");
    const { libc: c, errno } = libc();
    this.c = c;
    this.errno = errno;
    this.addresses = new Array(targets.length);
  }

  private address(host: number): Uint8Array {
    let sa = this.addresses[host];
    const target = this.targets[host] as ProbeAddress;
    // The engine reuses a slot for another host (engine/host-window.ts): a new address object.
    if (!sa || this.builtFor[host] !== target) {
      sa = buildSockaddr(target, SYSTEMS.linux);
      this.addresses[host] = sa;
      this.builtFor[host] = target;
    }
    return sa;
  }

  /** A new socket connected to (host, port), or -errno (a local limit, or no route). */
  open(host: number, port: number): number {
    const v6 = (this.targets[host] as ProbeAddress).family === 6;
    const sys = SYSTEMS.linux;
    const fd = this.c.socket(
      v6 ? sys.AF_INET6 : sys.AF_INET,
      SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
      0,
    );
    if (fd < 0) return -this.errno();
    const [level, option] = v6 ? [SOL_IPV6, IPV6_RECVERR] : [SOL_IP, IP_RECVERR];
    const sa = this.address(host);
    sa[2] = port >> 8;
    sa[3] = port & 0xff;
    if (
      this.c.setsockopt(fd, level, option, this.one, 4) !== 0 ||
      this.c.connect(fd, sa, sa.length) !== 0
    ) {
      const e = this.errno();
      this.c.close(fd);
      return -e;
    }
    return fd;
  }

  /** Send every payload (an empty datagram when there are none): 0, or the first errno. */
  send(fd: number, payloads: readonly Uint8Array[] | undefined): number {
    if (!payloads || payloads.length === 0) return this.sendOne(fd, this.recvBuf, 0);
    for (const payload of payloads) {
      const e = this.sendOne(fd, payload, payload.length);
      if (e !== 0) return e;
    }
    return 0;
  }

  private sendOne(fd: number, buf: Uint8Array, length: number): number {
    return Number(this.c.send(fd, buf, length, MSG_DONTWAIT)) < 0 ? this.errno() : 0;
  }

  /** What is waiting on the socket: a reply (an empty datagram is one too), an ICMP error, or nothing. */
  read(fd: number): UdpReading {
    return this.receive(fd, MSG_DONTWAIT);
  }

  /** read(), leaving a reply queued: the socket stays readable for the banner read. */
  peek(fd: number): UdpReading {
    return this.receive(fd, MSG_DONTWAIT | MSG_PEEK);
  }

  private receive(fd: number, flags: number): UdpReading {
    const n = Number(this.c.recv(fd, this.recvBuf, this.recvBuf.length, flags));
    if (n >= 0) return { kind: "reply", banner: this.recvBuf.slice(0, n) };
    const e = this.errno();
    return e === EAGAIN ? NOTHING : udpError(e);
  }

  /** The socket's own port (0 if unknown): a probe of that port on loopback meets itself. */
  localPort(fd: number): number {
    this.lenBuf[0] = this.nameBuf.length;
    if (this.c.getsockname(fd, this.nameBuf, this.lenBuf) !== 0) return 0;
    return ((this.nameBuf[2] as number) << 8) | (this.nameBuf[3] as number);
  }

  close(fd: number): void {
    this.c.close(fd);
  }
}
