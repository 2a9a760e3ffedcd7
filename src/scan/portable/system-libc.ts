// The calls of libc.ts on a system other than Linux, for the portable engine: macOS's
// libSystem (written from xnu's headers, not run here: see docs/portable-engine.md). Error
// numbers are translated to Linux's at this boundary, so the engine's logic (outcomes.ts,
// prober.ts, errnoNames) reads one numbering everywhere.
import { dlopen, FFIType, type Pointer, read } from "bun:ffi";
import { RuntimeError } from "../../shared/errors.ts";
import type { Libc } from "../libc.ts";
import { SYSTEMS, type SystemConstants, systemConstants } from "./systems.ts";

const { i32, u32, i64, u64, ptr: P } = FFIType;

/** System error numbers with no Linux twin land here (shown as "errno 10NNN"), never on one. */
const UNKNOWN_BASE = 10_000;

/** A system's error number in Linux's numbering (the names of systems.ts are the bridge). */
export function linuxErrnoOf(row: SystemConstants): (e: number) => number {
  if (row === SYSTEMS.linux) return (e) => e;
  const map = new Map<number, number>();
  const linux = SYSTEMS.linux.errno as Record<string, number>;
  for (const [name, value] of Object.entries(row.errno))
    if (!map.has(value)) map.set(value, linux[name] as number);
  return (e) => (e === 0 ? 0 : (map.get(e) ?? UNKNOWN_BASE + e));
}

/**
 * fcntl() is variadic. On Apple arm64 a variadic argument goes on the stack, not in a
 * register, so it is declared with six unused register arguments before it: the ninth
 * integer argument of a plain call is the first stack slot, where fcntl reads it.
 */
const FCNTL =
  process.arch === "arm64"
    ? { args: [i32, i32, i64, i64, i64, i64, i64, i64, i64], returns: i32 }
    : { args: [i32, i32, i64], returns: i32 };

const DARWIN_SYMBOLS = {
  socket: { args: [i32, i32, i32], returns: i32 },
  connect: { args: [i32, P, u32], returns: i32 },
  close: { args: [i32], returns: i32 },
  recv: { args: [i32, P, u64, i32], returns: i64 },
  poll: { args: [P, u32, i32], returns: i32 },
  getsockopt: { args: [i32, i32, i32, P, P], returns: i32 },
  getsockname: { args: [i32, P, P], returns: i32 },
  getpeername: { args: [i32, P, P], returns: i32 },
  getrlimit: { args: [i32, P], returns: i32 },
  setrlimit: { args: [i32, P], returns: i32 },
  fcntl: FCNTL,
  __error: { args: [], returns: P },
} as const;

export interface SystemLibc {
  libc: Libc;
  errno: () => number;
  /** Make a new socket non-blocking where socket() has no flag for it (true on success). */
  setNonBlocking: (fd: number) => boolean;
}

/** libSystem on macOS; an error elsewhere (Windows' ws2_32 is not wired yet). */
export function loadSystemLibc(platform = process.platform): SystemLibc {
  const row = systemConstants(platform);
  if (platform !== "darwin" || !row || row.nonBlocking.via !== "fcntl")
    throw new RuntimeError(`tp-scan has no engine for ${platform} yet (Linux and macOS only)`);
  const lib = dlopen(row.library, DARWIN_SYMBOLS).symbols;
  const errnoPtr = lib.__error() as Pointer;
  const toLinux = linuxErrnoOf(row);
  const { F_SETFL, O_NONBLOCK } = row.nonBlocking;
  const setNonBlocking =
    process.arch === "arm64"
      ? (fd: number) =>
          (lib.fcntl as (...a: number[]) => number)(fd, F_SETFL, 0, 0, 0, 0, 0, 0, O_NONBLOCK) === 0
      : (fd: number) => (lib.fcntl as (...a: number[]) => number)(fd, F_SETFL, O_NONBLOCK) === 0;
  return {
    // The Linux engine's calls (epoll) are absent: --engine linux is refused off Linux.
    libc: lib as unknown as Libc,
    errno: () => toLinux(read.i32(errnoPtr, 0)),
    setNonBlocking,
  };
}
