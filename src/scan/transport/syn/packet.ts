// The SYN probe as bytes: an IPv4 header (we set IP_HDRINCL, so the source address and the
// IP ID are ours) and a TCP SYN with the options Linux's own SYN carries (MSS, SACK permitted,
// timestamps, window scale: a SYN with MSS alone and a 1024 window is nmap's fingerprint), and
// the IPv6 segment (the kernel writes the IPv6 header). Checksums with the pseudo-header.

export const IPV4_HEADER = 20;
export const TCP_OPTIONS = 20;
export const TCP_SYN_LENGTH = 20 + TCP_OPTIONS;
export const SYN_V4_LENGTH = IPV4_HEADER + TCP_SYN_LENGTH;
export const IPPROTO_TCP = 6;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

/** What one SYN carries (addresses in network order, 4 or 16 bytes). */
export interface SynFields {
  source: Uint8Array;
  destination: Uint8Array;
  sourcePort: number;
  destinationPort: number;
  seq: number;
  ipId: number;
  ttl: number;
  /** TSval of the timestamp option (any value: only the answer's TSecr echoes it). */
  timestamp: number;
}

/** The Internet checksum's 32-bit running sum of `bytes[from..to)` (big-endian words). */
export function onesSum(bytes: Uint8Array, from: number, to: number, sum = 0): number {
  let i = from;
  for (; i + 1 < to; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
  if (i < to) sum += (bytes[i] as number) << 8;
  return sum;
}

/** Fold a running sum into the 16-bit one's-complement checksum. */
export function foldChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** The pseudo-header's sum (RFC 793 for IPv4, RFC 8200 8.1 for IPv6). */
export function pseudoHeaderSum(
  source: Uint8Array,
  destination: Uint8Array,
  protocol: number,
  length: number,
): number {
  const sum = onesSum(destination, 0, destination.length, onesSum(source, 0, source.length));
  return sum + protocol + (length & 0xffff) + Math.floor(length / 0x10000);
}

/** A DataView over all of `buf` (callers that write many packets pass theirs, made once). */
const viewOf = (buf: Uint8Array) => new DataView(buf.buffer, buf.byteOffset, buf.length);

/** Write the TCP SYN (header and options) at `at`; checksum over the pseudo-header. */
export function writeTcpSyn(buf: Uint8Array, at: number, f: SynFields, view = viewOf(buf)): void {
  const v = view;
  const o = at;
  v.setUint16(o + 0, f.sourcePort);
  v.setUint16(o + 2, f.destinationPort);
  v.setUint32(o + 4, f.seq >>> 0);
  v.setUint32(o + 8, 0);
  v.setUint16(o + 12, ((TCP_SYN_LENGTH / 4) << 12) | TCP_SYN);
  v.setUint16(o + 14, 64240); // Linux's initial window on Ethernet
  v.setUint32(o + 16, 0); // checksum and urgent pointer
  // MSS 1460 | SACK permitted | timestamps (TSval, TSecr 0) | NOP | window scale 7
  v.setUint32(o + 20, 0x020405b4);
  v.setUint16(o + 24, 0x0402);
  v.setUint16(o + 26, 0x080a);
  v.setUint32(o + 28, f.timestamp >>> 0);
  v.setUint32(o + 32, 0);
  v.setUint32(o + 36, 0x01030307);
  const sum = pseudoHeaderSum(f.source, f.destination, IPPROTO_TCP, TCP_SYN_LENGTH);
  v.setUint16(o + 16, foldChecksum(onesSum(buf, at, at + TCP_SYN_LENGTH, sum)));
}

/** Write IPv4 header + SYN at `at` (SYN_V4_LENGTH bytes). */
export function writeSynV4(buf: Uint8Array, at: number, f: SynFields, view = viewOf(buf)): void {
  const v = view;
  const o = at;
  v.setUint8(o + 0, 0x45);
  v.setUint8(o + 1, 0);
  v.setUint16(o + 2, SYN_V4_LENGTH);
  v.setUint16(o + 4, f.ipId & 0xffff);
  v.setUint16(o + 6, 0x4000); // don't fragment
  v.setUint8(o + 8, f.ttl);
  v.setUint8(o + 9, IPPROTO_TCP);
  v.setUint16(o + 10, 0);
  buf.set(f.source, at + 12);
  buf.set(f.destination, at + 16);
  v.setUint16(o + 10, foldChecksum(onesSum(buf, at, at + IPV4_HEADER)));
  writeTcpSyn(buf, at + IPV4_HEADER, f, view);
}

/** Whether a checksummed region (header with its checksum field) sums to zero. */
export function checksumValid(bytes: Uint8Array, from: number, to: number, pseudo = 0): boolean {
  return foldChecksum(onesSum(bytes, from, to, pseudo)) === 0;
}
