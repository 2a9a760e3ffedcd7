// The libc symbols the engine opens through bun:ffi, the Libc type they give, and what the
// portable engine's libc (system-libc.ts, winsock.ts) provides: a leaf that the loaders import,
// so that none of them imports another back for a type.
import { type dlopen, FFIType } from "bun:ffi";

const { i32, u32, i64, u64, ptr: P } = FFIType;

export const LIBC_SYMBOLS = {
  socket: { args: [i32, i32, i32], returns: i32 },
  connect: { args: [i32, P, u32], returns: i32 },
  close: { args: [i32], returns: i32 },
  recv: { args: [i32, P, u32, i32], returns: i64 },
  send: { args: [i32, P, u64, i32], returns: i64 }, // UDP probes (transport/udp-socket.ts)
  setsockopt: { args: [i32, i32, i32, P, u32], returns: i32 }, // IP_RECVERR on UDP probes
  epoll_create1: { args: [i32], returns: i32 },
  epoll_ctl: { args: [i32, i32, i32, P], returns: i32 },
  epoll_wait: { args: [i32, P, i32, i32], returns: i32 },
  poll: { args: [P, u64, i32], returns: i32 }, // the portable engine's wait (transport/poll-readiness.ts)
  getsockopt: { args: [i32, i32, i32, P, P], returns: i32 },
  getsockname: { args: [i32, P, P], returns: i32 },
  getpeername: { args: [i32, P, P], returns: i32 },
  getrlimit: { args: [i32, P], returns: i32 },
  setrlimit: { args: [i32, P], returns: i32 },
  __errno_location: { args: [], returns: P },
} as const;

export type Libc = ReturnType<typeof dlopen<typeof LIBC_SYMBOLS>>["symbols"];

export interface SystemLibc {
  libc: Libc;
  errno: () => number;
  /** Make a new socket non-blocking where socket() has no flag for it (true on success). */
  setNonBlocking: (fd: number) => boolean;
  /** What poll() must be given for descriptor `fd` (Windows: its SOCKET handle). */
  handleOf?: (fd: number) => number;
}
