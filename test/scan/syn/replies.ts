// Answers a host would send to one of our SYNs, as bytes: for the parser's and the filter's
// tests and for the forged SYN-ACK sent on loopback (checksums right, so a kernel keeps them).
import {
  foldChecksum,
  IPV4_HEADER,
  onesSum,
  pseudoHeaderSum,
} from "../../../src/scan/transport/syn/packet.ts";

/** A 40-byte IPv4 TCP answer (no options) to `syn`, from its destination to its source. */
export function answerTo(syn: Uint8Array, flags: number, opts: { ackDelta?: number } = {}) {
  const s = new DataView(syn.buffer, syn.byteOffset);
  const p = new Uint8Array(40);
  const v = new DataView(p.buffer);
  v.setUint8(0, 0x45);
  v.setUint16(2, 40);
  v.setUint8(8, 64);
  v.setUint8(9, 6);
  p.set(syn.subarray(16, 20), 12);
  p.set(syn.subarray(12, 16), 16);
  v.setUint16(10, foldChecksum(onesSum(p, 0, IPV4_HEADER)));
  v.setUint16(20, s.getUint16(22));
  v.setUint16(22, s.getUint16(20));
  v.setUint32(24, 0x11223344);
  v.setUint32(28, (s.getUint32(24) + (opts.ackDelta ?? 1)) >>> 0);
  v.setUint16(32, (5 << 12) | flags);
  v.setUint16(34, 65535);
  const pseudo = pseudoHeaderSum(p.subarray(12, 16), p.subarray(16, 20), 6, 20);
  v.setUint16(36, foldChecksum(onesSum(p, 20, 40, pseudo)));
  return p;
}

/** An ICMP destination-unreachable (type 3, `code`) from `router` quoting `syn`'s first 28 bytes. */
export function icmpUnreachableFor(syn: Uint8Array, router: Uint8Array, code: number) {
  const p = new Uint8Array(20 + 8 + 28);
  const v = new DataView(p.buffer);
  v.setUint8(0, 0x45);
  v.setUint16(2, p.length);
  v.setUint8(8, 64);
  v.setUint8(9, 1);
  p.set(router, 12);
  p.set(syn.subarray(12, 16), 16);
  v.setUint16(10, foldChecksum(onesSum(p, 0, IPV4_HEADER)));
  v.setUint8(20, 3);
  v.setUint8(21, code);
  p.set(syn.subarray(0, 28), 28);
  v.setUint16(22, foldChecksum(onesSum(p, 20, p.length)));
  return p;
}
