// A small kernel receive buffer for each accepted client (Linux, through bun:ffi). Bun reads
// whatever the kernel holds, up to 512 KiB at once (measured); a client whose output is backed
// up has its socket paused, but the read in hand when it backed up is set aside whole. With
// loopback's auto-tuned receive buffers (up to 6 MB) that read was near 512 KiB for each of
// 1000 non-reading clients. Capping SO_RCVBUF caps the read, hence the bound per client.
import { dlopen, FFIType, ptr } from "bun:ffi";

/** Requested SO_RCVBUF (the kernel doubles it for its bookkeeping). */
export const CLIENT_RECEIVE_BUFFER = 64 * 1024;
/**
 * The largest read a client's socket then gives, for the stated bound: the doubled buffer, plus
 * one loopback segment (up to 64 KiB) that the kernel admits while the buffer is not yet full.
 * Measured: 166 KiB in one read when the test ran after others (only 128 KiB when alone).
 */
export const MAX_READ_BYTES = 2 * CLIENT_RECEIVE_BUFFER + 64 * 1024;

const SOL_SOCKET = 1;
const SO_RCVBUF = 8;

type SetSockOpt = (fd: number, level: number, name: number, value: number, size: number) => number;

let setsockopt: SetSockOpt | null | undefined;

function load(): SetSockOpt | null {
  if (process.platform !== "linux") return null;
  for (const name of ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"]) {
    try {
      const lib = dlopen(name, {
        setsockopt: {
          args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32],
          returns: FFIType.i32,
        },
      });
      // Out of line (its own ArrayBuffer) and its pointer taken at each call: a small typed
      // array lives in the GC heap and moves, so a pointer kept from the first call went stale
      // once the heap had moved it (after enough other tests ran, setsockopt read another
      // value, and the echo server's line cut and memory bound tests timed out).
      const value = new Int32Array(new ArrayBuffer(4));
      return (fd, level, opt, v, size) => {
        value[0] = v;
        return lib.symbols.setsockopt(fd, level, opt, ptr(value), size);
      };
    } catch {
      // try the next name
    }
  }
  return null;
}

/** Cap the socket's receive buffer; false where it cannot be done (then the bound says 512 KiB). */
export function capReceiveBuffer(fd: number | undefined): boolean {
  if (fd === undefined || fd < 0) return false;
  if (setsockopt === undefined) setsockopt = load();
  if (!setsockopt) return false;
  return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, CLIENT_RECEIVE_BUFFER, 4) === 0;
}
