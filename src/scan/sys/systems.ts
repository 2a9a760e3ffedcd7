// The constants the probe loop needs, per system: the table behind the portable engine (its
// readiness primitive is poll(), whose flags and array layout differ), checked against each
// system's headers (docs/portable-engine.md says which, and how). Linux runs here, Windows
// under Wine (test/scan/windows-wine.test.ts); the macOS row is read from headers only.

export interface SystemConstants {
  /** The library the calls come from, and how the calling thread's error number is read. */
  library: string;
  errnoFunction: string;
  AF_INET: number;
  AF_INET6: number;
  SOL_SOCKET: number;
  SO_ERROR: number;
  /** sockaddr_in starts with a length byte (BSD) before a one-byte family. */
  sinLen: boolean;
  /** How a socket is made non-blocking: a socket() type flag, fcntl(O_NONBLOCK), or ioctl. */
  nonBlocking:
    | { via: "socket-flag"; SOCK_NONBLOCK: number; SOCK_CLOEXEC: number }
    | { via: "fcntl"; F_GETFL: number; F_SETFL: number; O_NONBLOCK: number }
    | { via: "ioctlsocket"; FIONBIO: number };
  /**
   * connect() may be called again on a socket: a second call reports how the first attempt
   * ended, and a refused socket can try another port (Unix). Windows leaves the first
   * undefined and the second differs between stacks (under Wine both give WSAECONNABORTED),
   * so there a probe's outcome is read with SO_ERROR and every attempt gets a new socket.
   */
  reconnects: boolean;
  /** recv() flag for "do not wait" (0 where the socket is non-blocking anyway). */
  MSG_DONTWAIT: number;
  RLIMIT_NOFILE: number | null;
  /** poll(): flags, and the size and offsets of one struct pollfd (WSAPOLLFD on Windows). */
  poll: {
    symbol: string;
    POLLIN: number;
    POLLOUT: number;
    POLLERR: number;
    POLLHUP: number;
    entrySize: number;
    eventsOffset: number;
    reventsOffset: number;
  };
  /** The error numbers the loop tells apart (a pending connect is EINPROGRESS or WOULDBLOCK). */
  errno: {
    EINTR: number;
    /** Before EAGAIN: on Windows both are WSAEWOULDBLOCK, and a connect() that says it is pending. */
    EINPROGRESS: number;
    EAGAIN: number;
    EALREADY: number;
    EISCONN: number;
    ECONNREFUSED: number;
    ENETUNREACH: number;
    ENETDOWN: number;
    EHOSTUNREACH: number;
    EMFILE: number;
    ENFILE: number;
    ENOBUFS: number;
    EADDRINUSE: number;
    EADDRNOTAVAIL: number;
    ENOMEM: number;
    ETIMEDOUT: number;
    ECONNRESET: number;
  };
  /** More of this system's numbers that mean one of the names above. */
  errnoAliases?: Record<number, keyof SystemConstants["errno"]>;
}

const UNIX_POLL = { POLLIN: 0x1, POLLOUT: 0x4, POLLERR: 0x8, POLLHUP: 0x10 };

export const SYSTEMS: Record<"linux" | "darwin" | "win32", SystemConstants> = {
  // glibc/musl, <asm-generic/errno.h>, <bits/socket.h>, <asm-generic/poll.h>
  linux: {
    library: "libc.so.6",
    errnoFunction: "__errno_location",
    AF_INET: 2,
    AF_INET6: 10,
    SOL_SOCKET: 1,
    SO_ERROR: 4,
    sinLen: false,
    nonBlocking: { via: "socket-flag", SOCK_NONBLOCK: 0o4000, SOCK_CLOEXEC: 0o2000000 },
    reconnects: true,
    MSG_DONTWAIT: 0x40,
    RLIMIT_NOFILE: 7,
    poll: { symbol: "poll", ...UNIX_POLL, entrySize: 8, eventsOffset: 4, reventsOffset: 6 },
    errno: {
      EINTR: 4,
      EINPROGRESS: 115,
      EAGAIN: 11,
      EALREADY: 114,
      EISCONN: 106,
      ECONNREFUSED: 111,
      ENETUNREACH: 101,
      ENETDOWN: 100,
      EHOSTUNREACH: 113,
      EMFILE: 24,
      ENFILE: 23,
      ENOBUFS: 105,
      EADDRINUSE: 98,
      EADDRNOTAVAIL: 99,
      ENOMEM: 12,
      ETIMEDOUT: 110,
      ECONNRESET: 104,
    },
  },
  // libSystem, xnu bsd/sys/errno.h, bsd/sys/socket.h, bsd/sys/fcntl.h, bsd/sys/poll.h
  darwin: {
    library: "/usr/lib/libSystem.B.dylib",
    errnoFunction: "__error",
    AF_INET: 2,
    AF_INET6: 30,
    SOL_SOCKET: 0xffff,
    SO_ERROR: 0x1007,
    sinLen: true,
    nonBlocking: { via: "fcntl", F_GETFL: 3, F_SETFL: 4, O_NONBLOCK: 0x4 },
    reconnects: true,
    MSG_DONTWAIT: 0x80,
    RLIMIT_NOFILE: 8,
    poll: { symbol: "poll", ...UNIX_POLL, entrySize: 8, eventsOffset: 4, reventsOffset: 6 },
    errno: {
      EINTR: 4,
      EINPROGRESS: 36,
      EAGAIN: 35,
      EALREADY: 37,
      EISCONN: 56,
      ECONNREFUSED: 61,
      ENETUNREACH: 51,
      ENETDOWN: 50,
      EHOSTUNREACH: 65,
      EMFILE: 24,
      ENFILE: 23,
      ENOBUFS: 55,
      EADDRINUSE: 48,
      EADDRNOTAVAIL: 49,
      ENOMEM: 12,
      ETIMEDOUT: 60,
      ECONNRESET: 54,
    },
  },
  // ws2_32, winsock2.h / winerror.h: WSAPOLLFD holds a 64-bit SOCKET, and WSAPoll rejects
  // POLLERR/POLLHUP in `events` (they are only ever reported). A pending connect is
  // WSAEWOULDBLOCK.
  win32: {
    library: "ws2_32.dll",
    errnoFunction: "WSAGetLastError",
    AF_INET: 2,
    AF_INET6: 23,
    SOL_SOCKET: 0xffff,
    SO_ERROR: 0x1007,
    sinLen: false,
    nonBlocking: { via: "ioctlsocket", FIONBIO: 0x8004667e },
    reconnects: false,
    MSG_DONTWAIT: 0,
    RLIMIT_NOFILE: null,
    poll: {
      symbol: "WSAPoll",
      POLLIN: 0x100 | 0x200, // POLLRDNORM | POLLRDBAND
      POLLOUT: 0x10, // POLLWRNORM
      POLLERR: 0x1,
      POLLHUP: 0x2,
      entrySize: 16,
      eventsOffset: 8,
      reventsOffset: 10,
    },
    errno: {
      EINTR: 10004,
      EINPROGRESS: 10035, // WSAEWOULDBLOCK: what a non-blocking connect() says
      EAGAIN: 10035,
      EALREADY: 10037,
      EISCONN: 10056,
      ECONNREFUSED: 10061,
      ENETUNREACH: 10051,
      ENETDOWN: 10050,
      EHOSTUNREACH: 10065,
      EMFILE: 10024,
      ENFILE: 10024,
      ENOBUFS: 10055,
      EADDRINUSE: 10048,
      EADDRNOTAVAIL: 10049,
      ENOMEM: 8, // WSA_NOT_ENOUGH_MEMORY
      ETIMEDOUT: 10060,
      ECONNRESET: 10054,
    },
    // WSAEINPROGRESS: what WinSock 1.1 stacks said of a pending connect.
    errnoAliases: { 10036: "EINPROGRESS" },
  },
};

/** This system's row, or null where the portable engine has no constants. */
export function systemConstants(platform = process.platform): SystemConstants | null {
  return platform === "linux" || platform === "darwin" || platform === "win32"
    ? SYSTEMS[platform]
    : null;
}

/** System error numbers with no Linux twin land here (shown as "errno 10NNN"), never on one. */
const UNKNOWN_BASE = 10_000;

/** A system's error number in Linux's numbering (the names of systems.ts are the bridge). */
export function linuxErrnoOf(row: SystemConstants): (e: number) => number {
  if (row === SYSTEMS.linux) return (e) => e;
  const map = new Map<number, number>();
  const linux = SYSTEMS.linux.errno as Record<string, number>;
  for (const [name, value] of Object.entries(row.errno))
    if (!map.has(value)) map.set(value, linux[name] as number);
  for (const [value, name] of Object.entries(row.errnoAliases ?? {}))
    map.set(Number(value), linux[name] as number);
  // Windows' own numbers (100NN) are past every Linux one already: shown as they are.
  return (e) => (e === 0 ? 0 : (map.get(e) ?? (e >= UNKNOWN_BASE ? e : UNKNOWN_BASE + e)));
}
