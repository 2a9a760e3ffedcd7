// struct sockaddr_in / sockaddr_in6 for one system (systems.ts): BSD (macOS) starts with a
// length byte and a one-byte family, Linux and Windows with a two-byte family. The port (bytes
// 2-3, network order) is left at 0: the probe loop writes it per probe.
import type { SystemConstants } from "./systems.ts";

export interface SockaddrTarget {
  family: 4 | 6;
  /** 4 or 16 address bytes, network order. */
  bytes: Uint8Array;
  scopeId: number;
}

export function buildSockaddr(target: SockaddrTarget, sys: SystemConstants): Uint8Array {
  const sa = new Uint8Array(target.family === 6 ? 28 : 16);
  const view = new DataView(sa.buffer);
  const family = target.family === 6 ? sys.AF_INET6 : sys.AF_INET;
  if (sys.sinLen) {
    sa[0] = sa.length;
    sa[1] = family;
  } else view.setUint16(0, family, true);
  if (target.family === 6) {
    sa.set(target.bytes, 8);
    view.setUint32(24, target.scopeId, true);
  } else sa.set(target.bytes, 4);
  return sa;
}
