// The system calls of one probe, through bun:ffi: a non-blocking socket, connect() (twice on
// loopback, where the answer is often there before the first call returns), the socket's
// state without waiting, the self-connect check and a banner read.
//
// Memory shared with libc is always passed as the typed array itself, never as a cached
// ptr(): the JIT otherwise forwards a store made before the call to a load after it, as if
// libc had not written in between (measured: wrong SO_ERROR values after ~5000 calls).
import { EALREADY, EINPROGRESS, EISCONN, libc, SOCK_STREAM } from "../sys/libc.ts";
import type { Libc } from "../sys/libc-symbols.ts";
import { buildSockaddr } from "../sys/sockaddr.ts";
import { linuxErrnoOf, SYSTEMS, type SystemConstants, systemConstants } from "../sys/systems.ts";

export interface ProbeAddress {
  family: 4 | 6;
  /** 4 or 16 address bytes, network order. */
  bytes: Uint8Array;
  scopeId: number;
}

/** What connect() said: connected, still pending, or failed with an errno. */
export const CONNECTED = 0;
export const PENDING = -1;

export class ProbeSockets {
  readonly c: Libc;
  readonly errno: () => number;
  private readonly addresses: Array<Uint8Array | undefined>;
  private readonly builtFor: Array<ProbeAddress | undefined> = [];
  private readonly unspec = new Uint8Array(16); // AF_UNSPEC: dissolve a refused connect
  private readonly errBuf = new Int32Array(1);
  private readonly lenBuf = new Uint32Array(1);
  private readonly nameA = new Uint8Array(128);
  private readonly nameB = new Uint8Array(128);
  private readonly recvBuf = new Uint8Array(512);
  /** This system's constants (sys/systems.ts; Linux's are libc.ts's own). */
  private readonly sys: SystemConstants;
  private readonly typeFlags: number;
  private readonly setNonBlocking: ((fd: number) => boolean) | undefined;
  private readonly linuxErrno: (e: number) => number;
  /** May a socket connect again after an attempt ended (see systems.ts)? */
  readonly reconnects: boolean;

  constructor(private readonly targets: readonly ProbeAddress[]) {
    const { libc: c, errno, setNonBlocking } = libc();
    this.c = c;
    this.errno = errno;
    this.addresses = new Array(targets.length);
    this.sys = systemConstants() ?? SYSTEMS.linux;
    const nb = this.sys.nonBlocking;
    this.typeFlags = nb.via === "socket-flag" ? nb.SOCK_NONBLOCK | nb.SOCK_CLOEXEC : 0;
    this.setNonBlocking = setNonBlocking;
    this.linuxErrno = linuxErrnoOf(this.sys);
    this.reconnects = this.sys.reconnects;
  }

  /** The socket address of host `h` (built on first use); the port bytes change per probe. */
  private address(host: number): Uint8Array {
    let sa = this.addresses[host];
    const target = this.targets[host] as ProbeAddress;
    // The engine reuses a slot for another host (engine/host-window.ts): a new address object.
    if (sa && this.builtFor[host] === target) return sa;
    sa = buildSockaddr(target, this.sys);
    this.addresses[host] = sa;
    this.builtFor[host] = target;
    return sa;
  }

  /** A new non-blocking socket for host `h`'s family, or -errno. */
  open(host: number): number {
    const family = this.family(host) === 6 ? this.sys.AF_INET6 : this.sys.AF_INET;
    const fd = this.c.socket(family, SOCK_STREAM | this.typeFlags, 0);
    if (fd < 0) return -this.errno();
    if (this.setNonBlocking && !this.setNonBlocking(fd)) {
      const e = this.errno();
      this.c.close(fd);
      return -e;
    }
    return fd;
  }

  /** Socket of the right family for host `h`? (Spare sockets are reused only within one.) */
  family(host: number): number {
    return (this.targets[host] as ProbeAddress).family;
  }

  /** connect() to (host, port): CONNECTED, PENDING, or the errno (> 0). */
  connect(fd: number, host: number, port: number): number {
    const sa = this.address(host);
    sa[2] = port >> 8;
    sa[3] = port & 0xff;
    if (this.c.connect(fd, sa, sa.length) === 0) return CONNECTED;
    const e = this.errno();
    return e === EINPROGRESS ? PENDING : e;
  }

  /**
   * The same connect() again: on loopback the handshake (or the RST) has usually completed
   * inside the first call, and this reports it (after a refusal the kernel has dissolved the
   * attempt, so the socket can serve the next probe as it is). Windows: SO_ERROR instead.
   */
  connectAgain(fd: number, host: number): number {
    if (!this.reconnects) return this.inspect(fd);
    const sa = this.address(host);
    if (this.c.connect(fd, sa, sa.length) === 0) return CONNECTED;
    const e = this.errno();
    if (e === EISCONN) return CONNECTED;
    return e === EALREADY || e === EINPROGRESS ? PENDING : e;
  }

  /** Dissolve a failed attempt so the socket can connect again (true on success). */
  reset(fd: number): boolean {
    return this.c.connect(fd, this.unspec, 16) === 0;
  }

  /** A socket's state without waiting: CONNECTED, PENDING, or the errno (> 0). */
  inspect(fd: number): number {
    this.lenBuf[0] = 4;
    this.errBuf[0] = 0;
    this.c.getsockopt(fd, this.sys.SOL_SOCKET, this.sys.SO_ERROR, this.errBuf, this.lenBuf);
    const e = this.linuxErrno(this.errBuf[0] as number);
    if (e !== 0) return e;
    this.lenBuf[0] = 128;
    return this.c.getpeername(fd, this.nameB, this.lenBuf) === 0 ? CONNECTED : PENDING;
  }

  /** Did this connected socket connect to itself (simultaneous open on loopback)? */
  isSelfConnect(fd: number, host: number): boolean {
    const { c, lenBuf, nameA, nameB } = this;
    lenBuf[0] = 128;
    if (c.getsockname(fd, nameA, lenBuf) !== 0) return false;
    const lenA = lenBuf[0] as number;
    lenBuf[0] = 128;
    if (c.getpeername(fd, nameB, lenBuf) !== 0) return false;
    if (lenBuf[0] !== lenA) return false;
    const n = this.family(host) === 6 ? 24 : 8;
    for (let i = 0; i < n; i++) if (nameA[i] !== nameB[i]) return false;
    return true;
  }

  /** What is waiting on `fd` (latin1), "" if nothing, or null if nothing yet (EAGAIN). */
  recv(fd: number, localErrnos: Set<number>): string | null {
    const n = Number(this.c.recv(fd, this.recvBuf, this.recvBuf.length, this.sys.MSG_DONTWAIT));
    if (n < 0) {
      // Windows' WSAEWOULDBLOCK reads as EINPROGRESS (systems.ts): nothing yet, as EAGAIN.
      const e = this.errno();
      if (localErrnos.has(e) || e === EINPROGRESS) return null;
    }
    return n > 0 ? Buffer.from(this.recvBuf.subarray(0, n)).toString("latin1") : "";
  }

  close(fd: number): void {
    this.c.close(fd);
  }
}
