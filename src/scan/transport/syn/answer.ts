// What came back to a SYN, read from the bytes a raw IPv4 socket delivers (IP header first):
// a SYN-ACK (open), a RST+ACK (closed), or an ICMP destination-unreachable quoting our SYN
// (filtered, with the ICMP code as the reason). Anything else is not an answer.
import { IPPROTO_TCP, TCP_ACK, TCP_RST, TCP_SYN } from "./packet.ts";

export const IPPROTO_ICMP = 1;
const ICMP_UNREACHABLE = 3;

export type AnswerKind = "syn-ack" | "rst" | "unreachable";

/** One answer, in the probe's terms: `remote` is the probed address, `local` ours. */
export interface Answer {
  kind: AnswerKind;
  remote: Uint8Array;
  local: Uint8Array;
  remotePort: number;
  localPort: number;
  /** The acknowledgement to check against the cookie (for ICMP: the quoted seq + 1). */
  ack: number;
  /** ICMP code (unreachable), TTL of the answer otherwise. */
  detail: number;
}

/** A fresh Answer to parse into (parseAnswerV4 fills the one it is given). */
export function emptyAnswer(): Answer {
  const zero = new Uint8Array(4);
  return {
    kind: "rst",
    remote: zero,
    local: new Uint8Array(4),
    remotePort: 0,
    localPort: 0,
    ack: 0,
    detail: 0,
  };
}

function copy4(to: Uint8Array, p: Uint8Array, at: number): Uint8Array {
  to[0] = p[at] as number;
  to[1] = p[at + 1] as number;
  to[2] = p[at + 2] as number;
  to[3] = p[at + 3] as number;
  return to;
}

function tcpAnswer(
  p: Uint8Array,
  v: DataView,
  ihl: number,
  length: number,
  a: Answer,
): Answer | null {
  if (length < ihl + 20) return null;
  const flags = v.getUint8(ihl + 13);
  if ((flags & TCP_ACK) === 0) return null; // a bare SYN (our own, looped back) or a bare RST
  let kind: AnswerKind;
  if ((flags & (TCP_SYN | TCP_RST)) === TCP_SYN) kind = "syn-ack";
  else if (flags & TCP_RST) kind = "rst";
  else return null;
  a.kind = kind;
  copy4(a.remote, p, 12);
  copy4(a.local, p, 16);
  a.remotePort = v.getUint16(ihl);
  a.localPort = v.getUint16(ihl + 2);
  a.ack = v.getUint32(ihl + 8);
  a.detail = v.getUint8(8);
  return a;
}

function icmpAnswer(
  p: Uint8Array,
  v: DataView,
  ihl: number,
  length: number,
  a: Answer,
): Answer | null {
  // ICMP header (8) then the quoted IP header and at least 8 bytes of our TCP header.
  if (length < ihl + 8 + 20 + 8 || v.getUint8(ihl) !== ICMP_UNREACHABLE) return null;
  const q = ihl + 8;
  if (v.getUint8(q) >>> 4 !== 4 || v.getUint8(q + 9) !== IPPROTO_TCP) return null;
  const qihl = (v.getUint8(q) & 0x0f) * 4;
  if (length < q + qihl + 8) return null;
  a.kind = "unreachable";
  copy4(a.remote, p, q + 16);
  copy4(a.local, p, q + 12);
  a.remotePort = v.getUint16(q + qihl + 2);
  a.localPort = v.getUint16(q + qihl);
  a.ack = (v.getUint32(q + qihl + 4) + 1) >>> 0;
  a.detail = v.getUint8(ihl + 1);
  return a;
}

/**
 * Parse one IPv4 packet of `length` bytes at the start of `p` (`v`: a DataView over `p`) into
 * `into` (returned); null if it is no answer.
 */
export function parseAnswerV4(
  p: Uint8Array,
  length = p.length,
  into = emptyAnswer(),
  v = new DataView(p.buffer, p.byteOffset, p.length),
): Answer | null {
  if (length < 20 || (p[0] as number) >>> 4 !== 4) return null;
  const ihl = (v.getUint8(0) & 0x0f) * 4;
  if (ihl < 20) return null;
  const protocol = v.getUint8(9);
  if (protocol === IPPROTO_TCP) return tcpAnswer(p, v, ihl, length, into);
  if (protocol === IPPROTO_ICMP) return icmpAnswer(p, v, ihl, length, into);
  return null;
}
