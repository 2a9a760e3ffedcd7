// The libc calls of the SYN transport through bun:ffi (Linux): raw sockets, their options
// (IP_HDRINCL, SO_ATTACH_FILTER, buffer sizes), sendmmsg/recvmmsg batches and poll. Opened
// apart from sys/libc.ts's set so that the connect engine's Workers do not load them.
import { dlopen, FFIType, type Pointer, read } from "bun:ffi";
import { RuntimeError } from "../../../shared/errors.ts";

const { i32, u32, i64, u64, ptr: P } = FFIType;

const RAW_SYMBOLS = {
  socket: { args: [i32, i32, i32], returns: i32 },
  setsockopt: { args: [i32, i32, i32, P, u32], returns: i32 },
  close: { args: [i32], returns: i32 },
  recv: { args: [i32, P, u64, i32], returns: i64 },
  connect: { args: [i32, P, u32], returns: i32 },
  getsockname: { args: [i32, P, P], returns: i32 },
  sendmmsg: { args: [i32, P, u32, i32], returns: i32 },
  recvmmsg: { args: [i32, P, u32, i32, P], returns: i32 },
  poll: { args: [P, u32, i32], returns: i32 },
  __errno_location: { args: [], returns: P },
} as const;

export type RawLibc = ReturnType<typeof dlopen<typeof RAW_SYMBOLS>>["symbols"];

// Linux constants (x86_64 and arm64 alike).
export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_RAW = 255;
export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_ATTACH_FILTER = 26;
export const SO_RCVBUFFORCE = 33;
export const SO_SNDBUFFORCE = 32;
export const MSG_DONTWAIT = 0x40;
export const POLLIN = 0x1;
export const EPERM = 1;
export const EINTR = 4;
export const EAGAIN = 11;
export const EACCES = 13;
export const ENOBUFS = 105;

let loaded: { libc: RawLibc; errnoPtr: Pointer } | undefined;

/** Open the calls once per thread. */
export function rawLibc(): { libc: RawLibc; errno: () => number } {
  if (process.platform !== "linux")
    throw new RuntimeError(
      `-sS runs on Linux only (raw sockets through libc), not ${process.platform}`,
    );
  if (!loaded) {
    let lastError: unknown;
    for (const name of ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"]) {
      try {
        const lib = dlopen(name, RAW_SYMBOLS).symbols;
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
