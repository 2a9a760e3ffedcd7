// The calls of libc.ts on a system other than Linux, for the portable engine: macOS's
// libSystem (written from xnu's headers, not run here: see docs/portable-engine.md), and
// Windows' ws2_32 (winsock.ts, run under Wine here). Error numbers are translated to Linux's
// at this boundary (systems.ts's linuxErrnoOf), so the engine's logic (outcomes.ts, prober.ts,
// errnoNames) reads one numbering everywhere.
import { dlopen, FFIType, type Pointer, read } from "bun:ffi";
import { RuntimeError } from "../../shared/errors.ts";
import type { Libc, SystemLibc } from "./libc-symbols.ts";
import { linuxErrnoOf, systemConstants } from "./systems.ts";
import { loadWinsock } from "./winsock.ts";

const { i32, u32, i64, u64, ptr: P } = FFIType;

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

/** libSystem on macOS, ws2_32 on Windows; an error elsewhere. */
export function loadSystemLibc(platform = process.platform): SystemLibc {
  if (platform === "win32") return loadWinsock();
  const row = systemConstants(platform);
  if (platform !== "darwin" || !row || row.nonBlocking.via !== "fcntl")
    throw new RuntimeError(`tp-scan has no engine for ${platform} (Linux, macOS, Windows only)`);
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
