// The few libc calls the scan engine makes through bun:ffi (Linux only): non-blocking sockets,
// epoll, getsockopt/getsockname/getpeername, and the open-file limit. Errors come back as
// errno values read from the calling thread's errno right after the call.
import { dlopen, type Pointer, read } from "bun:ffi";
import { readdirSync } from "node:fs";
import { RuntimeError } from "../../shared/errors.ts";
import { LIBC_SYMBOLS, type Libc, type SystemLibc } from "./libc-symbols.ts";
import { loadSystemLibc } from "./system-libc.ts";
import { systemConstants } from "./systems.ts";

const CANDIDATES = ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1", "libc.so"];

let loaded: { libc: Libc; errnoPtr: Pointer } | undefined;
/** Off Linux: the portable engine's libc, errno in Linux's numbering (system-libc.ts). */
let elsewhere: SystemLibc | undefined;

/** Open libc once per thread (each Worker calls this for itself). */
export function libc(): {
  libc: Libc;
  errno: () => number;
  setNonBlocking?: SystemLibc["setNonBlocking"];
  handleOf?: SystemLibc["handleOf"];
} {
  if (process.platform !== "linux") {
    elsewhere ??= loadSystemLibc();
    return elsewhere;
  }
  if (!loaded) {
    let lastError: unknown;
    for (const name of CANDIDATES) {
      try {
        const lib = dlopen(name, LIBC_SYMBOLS).symbols;
        loaded = { libc: lib, errnoPtr: lib.__errno_location() as Pointer };
        break;
      } catch (error) {
        lastError = error;
      }
    }
    if (!loaded) throw new RuntimeError(`cannot load libc: ${(lastError as Error)?.message}`);
  }
  const errnoPtr = loaded.errnoPtr;
  return { libc: loaded.libc, errno: () => read.i32(errnoPtr, 0) };
}

// Linux constants (identical on x86_64 and aarch64).
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_ERROR = 4;
export const MSG_DONTWAIT = 0x40;
export const EPOLL_CLOEXEC = 0o2000000;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_MOD = 3;
export const EPOLLIN = 0x1;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLRDHUP = 0x2000;
export const RLIMIT_NOFILE = systemConstants()?.RLIMIT_NOFILE ?? 7; // 8 on macOS
/** struct epoll_event is packed (12 bytes) on x86_64, naturally aligned (16) elsewhere. */
export const EPOLL_EVENT_SIZE = process.arch === "x64" ? 12 : 16;
export const EPOLL_DATA_OFFSET = process.arch === "x64" ? 4 : 8;

export const errnoNames: Record<number, string> = {
  1: "EPERM",
  4: "EINTR",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  23: "ENFILE",
  24: "EMFILE",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  100: "ENETDOWN",
  101: "ENETUNREACH",
  103: "ECONNABORTED",
  104: "ECONNRESET",
  105: "ENOBUFS",
  106: "EISCONN",
  107: "ENOTCONN",
  110: "ETIMEDOUT",
  111: "ECONNREFUSED",
  112: "EHOSTDOWN",
  113: "EHOSTUNREACH",
  114: "EALREADY",
  115: "EINPROGRESS",
};
export const EINTR = 4;
export const ECONNREFUSED = 111;
export const EINPROGRESS = 115;
export const EALREADY = 114;
export const EISCONN = 106;
export const ENETUNREACH = 101;
export const ENETDOWN = 100;
export const EHOSTUNREACH = 113;

/** The scanner's own limits (descriptors, local ports, buffers): retry the port, never a state. */
export const LOCAL_ERRNOS = new Set([11, 12, 23, 24, 98, 99, 105]);

/**
 * Windows has no RLIMIT_NOFILE: sockets are bounded by kernel memory and by the dynamic
 * (ephemeral) port range, 16384 ports (49152-65535) by default, which every probe draws a
 * source port from and which other programs share. Half of it keeps the scan clear of port
 * exhaustion (WSAENOBUFS/WSAEADDRINUSE, retried as local limits anyway) and is 8x the
 * default --concurrency; each WSAPoll call also walks every socket watched, so more would
 * cost more than it brings.
 */
export const WINDOWS_SOCKETS = 8192;

/** The soft and hard RLIMIT_NOFILE of this process (Windows: the fixed budget above). */
export function getFileLimit(): { soft: number; hard: number } {
  if (process.platform === "win32") return { soft: WINDOWS_SOCKETS, hard: WINDOWS_SOCKETS };
  const { libc: c } = libc();
  const buf = new BigUint64Array(2);
  if (c.getrlimit(RLIMIT_NOFILE, buf) !== 0) return { soft: 1024, hard: 1024 };
  const clamp = (v: bigint) =>
    v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  return { soft: clamp(buf[0] as bigint), hard: clamp(buf[1] as bigint) };
}

/** Raise the soft RLIMIT_NOFILE to the hard limit; returns the limits before and after. */
export function raiseFileLimit(): { before: number; after: number; hard: number } {
  const { soft, hard } = getFileLimit();
  if (soft >= hard) return { before: soft, after: soft, hard };
  const { libc: c } = libc();
  const buf = new BigUint64Array(2);
  const raw = new BigUint64Array(2);
  c.getrlimit(RLIMIT_NOFILE, raw);
  buf[0] = raw[1] as bigint;
  buf[1] = raw[1] as bigint;
  const ok = c.setrlimit(RLIMIT_NOFILE, buf) === 0;
  return { before: soft, after: ok ? getFileLimit().soft : soft, hard };
}

/** Number of open descriptors of this process (Linux /proc, /dev/fd on macOS; -1 on Windows). */
export function openFdCount(): number {
  // Windows has no such list (and under Wine these paths would list Wine's own descriptors).
  if (process.platform === "win32") return -1;
  for (const dir of ["/proc/self/fd", "/dev/fd"]) {
    try {
      return readdirSync(dir).length - 1; // minus the directory handle itself
    } catch {}
  }
  return -1;
}
