// The raw sockets of a SYN scan (Linux): one IPPROTO_RAW socket that sends our own IPv4
// headers (IP_HDRINCL is implied), and two receiving sockets, TCP and ICMP, each with the
// answer filter attached so that the kernel copies only answers to our source ports. Opening
// them is the privilege check: without root or CAP_NET_RAW, socket() fails with EPERM.
import { ptr } from "bun:ffi";
import { UsageError } from "../../../shared/errors.ts";
import { answerFilter, type FilterPorts, SOCK_FILTER_SIZE } from "./bpf.ts";
import {
  AF_INET,
  EACCES,
  EPERM,
  IPPROTO_ICMP,
  IPPROTO_RAW,
  IPPROTO_TCP,
  MSG_DONTWAIT,
  POLLIN,
  type RawLibc,
  rawLibc,
  SO_ATTACH_FILTER,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_SOCKET,
} from "./raw-libc.ts";

export const NEEDS_PRIVILEGE =
  "-sS needs root or CAP_NET_RAW: run it as root, or setcap cap_net_raw+ep ./tp-net";

/**
 * Receive buffer: loopback answers ~65k ports in well under a second, and each queued answer
 * costs its skb's truesize (~1 KB on lo), so the default 208 KB drops answers whenever the
 * loop is late; 32 MB holds a whole range (SO_RCVBUFFORCE: root may exceed rmem_max).
 */
const RECEIVE_BUFFER = 32 << 20;
const SEND_BUFFER = 4 << 20;

export interface RawSockets {
  c: RawLibc;
  errno: () => number;
  send: number;
  tcp: number;
  icmp: number;
}

function setInt(c: RawLibc, fd: number, level: number, name: number, value: number): boolean {
  return c.setsockopt(fd, level, name, Int32Array.of(value), 4) === 0;
}

function rawSocket(c: RawLibc, errno: () => number, protocol: number): number {
  const fd = c.socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd >= 0) return fd;
  const e = errno();
  if (e === EPERM || e === EACCES) throw new UsageError(NEEDS_PRIVILEGE);
  throw new UsageError(`-sS: cannot open a raw socket (errno ${e})`);
}

function attachFilter(s: RawSockets, fd: number, ports: FilterPorts): void {
  const program = answerFilter(ports);
  const fprog = new BigUint64Array(2); // u16 len (padded), pointer
  fprog[0] = BigInt(program.length / SOCK_FILTER_SIZE);
  fprog[1] = BigInt(ptr(program));
  if (s.c.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16) !== 0)
    throw new UsageError(`-sS: the kernel refused the answer filter (errno ${s.errno()})`);
  // What arrived between socket() and the filter was queued unfiltered (measured: ~100 packets
  // of other programs' loopback traffic per full-range scan): read it away.
  const scratch = new Uint8Array(2048);
  while (s.c.recv(fd, scratch, scratch.length, MSG_DONTWAIT) >= 0);
}

/** Open the three sockets (a UsageError without the privilege). */
export function openRawSockets(ports: FilterPorts): RawSockets {
  const { libc: c, errno } = rawLibc();
  const send = rawSocket(c, errno, IPPROTO_RAW);
  const s: RawSockets = { c, errno, send, tcp: -1, icmp: -1 };
  try {
    s.tcp = rawSocket(c, errno, IPPROTO_TCP);
    s.icmp = rawSocket(c, errno, IPPROTO_ICMP);
    for (const fd of [s.tcp, s.icmp]) {
      attachFilter(s, fd, ports);
      if (!setInt(c, fd, SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER))
        setInt(c, fd, SOL_SOCKET, SO_RCVBUF, RECEIVE_BUFFER);
    }
    if (!setInt(c, send, SOL_SOCKET, SO_SNDBUFFORCE, SEND_BUFFER))
      setInt(c, send, SOL_SOCKET, SO_SNDBUF, SEND_BUFFER);
  } catch (error) {
    closeRawSockets(s);
    throw error;
  }
  return s;
}

/** Fail now, with the one-line usage error, where raw sockets cannot be opened. */
export function checkRawPrivilege(): void {
  const { libc: c, errno } = rawLibc();
  c.close(rawSocket(c, errno, IPPROTO_RAW));
}

export function closeRawSockets(s: RawSockets): void {
  for (const fd of [s.send, s.tcp, s.icmp]) if (fd >= 0) s.c.close(fd);
  s.send = s.tcp = s.icmp = -1;
}

const pollFds = new Uint8Array(16); // two struct pollfd { int fd; short events, revents; }

/** Wait up to `ms` for an answer on either receiving socket; true if one may be there. */
export function waitForAnswers(s: RawSockets, ms: number): boolean {
  const v = new DataView(pollFds.buffer);
  v.setInt32(0, s.tcp, true);
  v.setInt16(4, POLLIN, true);
  v.setInt16(6, 0, true);
  v.setInt32(8, s.icmp, true);
  v.setInt16(12, POLLIN, true);
  v.setInt16(14, 0, true);
  return s.c.poll(pollFds, 2, Math.max(0, Math.ceil(ms))) > 0;
}

/** The local IPv4 address the kernel would send from to reach `destination` (UDP connect). */
export function sourceAddressFor(destination: Uint8Array): Uint8Array {
  const { libc: c } = rawLibc();
  const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Uint8Array.of(0, 0, 0, 0);
  try {
    const sa = new Uint8Array(16);
    sa[0] = AF_INET;
    sa[3] = 9; // port 9 (discard): any non-zero port, nothing is sent
    sa.set(destination, 4);
    const name = new Uint8Array(16);
    const len = Uint32Array.of(16);
    if (c.connect(fd, sa, 16) !== 0 || c.getsockname(fd, name, len) !== 0)
      return Uint8Array.of(0, 0, 0, 0);
    return name.slice(4, 8);
  } finally {
    c.close(fd);
  }
}
