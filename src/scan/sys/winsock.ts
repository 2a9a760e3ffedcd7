// The calls of libc.ts on Windows: ws2_32.dll through bun:ffi, shaped like the Unix calls so
// the engine's loop is the same everywhere. What differs, and is handled here:
// - SOCKET is a UINT_PTR handle: the engine sees small ids instead (socket-handles.ts), and
//   poll-readiness.ts writes the handle itself into each WSAPOLLFD (handleOf).
// - Winsock is started once per thread (WSAStartup; never cleaned up, the process exit does).
// - Errors come from WSAGetLastError, translated to Linux's numbers (systems.ts's win32 row).
// - WSAPoll rejects an empty array (WSAEINVAL) where poll() just sleeps: sleep instead.
// - A SYN answered by RST is retried by Windows (~2 s per closed port, even on loopback):
//   each probe socket asks for no SYN retransmission, as Go's net and libuv do (the engine
//   retries lost probes itself). See docs/portable-engine.md.
import { dlopen, FFIType } from "bun:ffi";
import { RuntimeError } from "../../shared/errors.ts";
import type { Libc, SystemLibc } from "./libc-symbols.ts";
import { SocketHandles } from "./socket-handles.ts";
import { linuxErrnoOf, SYSTEMS } from "./systems.ts";

const { i32, u32, i64, i64_fast, u16, ptr: P } = FFIType;
type Memory = NodeJS.TypedArray;

/** SOCKET arguments are 64-bit; socket() returns INVALID_SOCKET (~0) as -1 through i64_fast. */
const WS2_SYMBOLS = {
  WSAStartup: { args: [u16, P], returns: i32 },
  WSAGetLastError: { args: [], returns: i32 },
  socket: { args: [i32, i32, i32], returns: i64_fast },
  ioctlsocket: { args: [i64, u32, P], returns: i32 },
  WSAIoctl: { args: [i64, u32, P, u32, P, u32, P, P, P], returns: i32 },
  connect: { args: [i64, P, i32], returns: i32 },
  closesocket: { args: [i64], returns: i32 },
  recv: { args: [i64, P, i32, i32], returns: i32 },
  WSAPoll: { args: [P, u32, i32], returns: i32 },
  getsockopt: { args: [i64, i32, i32, P, P], returns: i32 },
  getsockname: { args: [i64, P, P], returns: i32 },
  getpeername: { args: [i64, P, P], returns: i32 },
} as const;

/** Winsock 2.2, and room for a WSADATA (408 bytes on x64). */
const WINSOCK_VERSION = 0x0202;
const WSADATA_SIZE = 512;

/** mstcpip.h: SIO_TCP_INITIAL_RTO = _WSAIOW(IOC_VENDOR, 17), and its parameters' values. */
export const SIO_TCP_INITIAL_RTO = 0x98000011;
export const TCP_INITIAL_RTO_UNSPECIFIED_RTT = 0xffff;
/** (UCHAR)-2: Windows 10 1709 (build 16299) and later; older ones refuse it. */
export const TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS = 0xfe;

/** struct TCP_INITIAL_RTO_PARAMETERS { USHORT Rtt; UCHAR MaxSynRetransmissions; } (4 bytes). */
export function initialRtoParameters(maxSynRetransmissions: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint16(0, TCP_INITIAL_RTO_UNSPECIFIED_RTT, true);
  bytes[2] = maxSynRetransmissions;
  return bytes;
}

/** ws2_32 with ids for SOCKETs, errors in Linux's numbering; throws where it cannot load. */
export function loadWinsock(): SystemLibc {
  let ws: ReturnType<typeof dlopen<typeof WS2_SYMBOLS>>["symbols"];
  try {
    ws = dlopen(SYSTEMS.win32.library, WS2_SYMBOLS).symbols;
  } catch (error) {
    throw new RuntimeError(`cannot load ws2_32.dll: ${(error as Error).message}`);
  }
  const started = ws.WSAStartup(WINSOCK_VERSION, new Uint8Array(WSADATA_SIZE));
  if (started !== 0) throw new RuntimeError(`WSAStartup failed: error ${started}`);

  const ids = new SocketHandles();
  const h = (id: number) => ids.handleOf(id);
  const toLinux = linuxErrnoOf(SYSTEMS.win32);
  const { FIONBIO } = SYSTEMS.win32.nonBlocking as { FIONBIO: number };
  const one = new Uint32Array([1]);
  const returned = new Uint32Array(1);
  // No SYN retransmission; where refused, one (the least before Windows 10 1709, Go's choice);
  // where that is refused too (Wine), none is asked for again.
  const rtoChoices = [
    initialRtoParameters(TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS),
    initialRtoParameters(1),
  ];

  const calls = {
    socket(family: number, type: number, protocol: number): number {
      const handle = ws.socket(family, type, protocol);
      if (handle === -1) return -1;
      if (typeof handle === "bigint") throw new RuntimeError(`SOCKET ${handle} out of range`);
      return ids.add(handle);
    },
    connect: (id: number, sa: Memory, len: number) => ws.connect(h(id), sa, len),
    close(id: number): number {
      const r = ws.closesocket(h(id));
      ids.remove(id);
      return r;
    },
    recv: (id: number, buf: Memory, len: number, flags: number) => ws.recv(h(id), buf, len, flags),
    poll(entries: Memory, count: number, timeoutMs: number): number {
      if (count > 0) return ws.WSAPoll(entries, count, timeoutMs);
      if (timeoutMs > 0) Bun.sleepSync(timeoutMs);
      return 0;
    },
    getsockopt: (id: number, level: number, name: number, value: Memory, len: Memory) =>
      ws.getsockopt(h(id), level, name, value, len),
    getsockname: (id: number, sa: Memory, len: Memory) => ws.getsockname(h(id), sa, len),
    getpeername: (id: number, sa: Memory, len: Memory) => ws.getpeername(h(id), sa, len),
  };

  const rto = (handle: number, params: Uint8Array) =>
    ws.WSAIoctl(handle, SIO_TCP_INITIAL_RTO, params, 4, null, 0, returned, null, null) === 0;
  return {
    // The Linux engine's calls (epoll, rlimits) are absent: --engine linux is refused here.
    libc: calls as unknown as Libc,
    errno: () => toLinux(ws.WSAGetLastError()),
    setNonBlocking(id: number): boolean {
      const handle = h(id);
      if (ws.ioctlsocket(handle, FIONBIO, one) !== 0) return false;
      // Best effort: without it a closed port answers in ~2 s instead of at once.
      while (rtoChoices.length > 0 && !rto(handle, rtoChoices[0] as Uint8Array)) rtoChoices.shift();
      return true;
    },
    handleOf: h,
  };
}
