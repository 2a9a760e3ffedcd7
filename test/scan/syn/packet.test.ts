// The SYN's bytes, the answers' parsing and the cookie: pure, no network.
import { expect, test } from "bun:test";
import { parseAnswerV4 } from "../../../src/scan/transport/syn/answer.ts";
import { acknowledgesCookie, cookieOf } from "../../../src/scan/transport/syn/cookie.ts";
import {
  checksumValid,
  IPV4_HEADER,
  pseudoHeaderSum,
  SYN_V4_LENGTH,
  TCP_SYN_LENGTH,
  writeSynV4,
} from "../../../src/scan/transport/syn/packet.ts";
import { sipKeyOf } from "../../../src/scan/transport/syn/siphash.ts";
import { answerTo, icmpUnreachableFor } from "./replies.ts";

const key = sipKeyOf(Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i));
const us = Uint8Array.of(127, 0, 0, 1);
const them = Uint8Array.of(127, 0, 0, 2);
const flow = { source: us, destination: them, sourcePort: 61234, destinationPort: 22 };
const fields = { ...flow, seq: cookieOf(key, flow), ipId: 0x1234, ttl: 64, timestamp: 99 };

function syn(): Uint8Array {
  const p = new Uint8Array(SYN_V4_LENGTH);
  writeSynV4(p, 0, fields);
  return p;
}

test("the SYN's IPv4 and TCP checksums verify, and its fields are where they belong", () => {
  const p = syn();
  const v = new DataView(p.buffer);
  expect(checksumValid(p, 0, IPV4_HEADER)).toBe(true);
  const pseudo = pseudoHeaderSum(us, them, 6, TCP_SYN_LENGTH);
  expect(checksumValid(p, IPV4_HEADER, SYN_V4_LENGTH, pseudo)).toBe(true);
  expect(v.getUint16(2)).toBe(60);
  expect([...p.subarray(12, 20)]).toEqual([127, 0, 0, 1, 127, 0, 0, 2]);
  expect(v.getUint16(20)).toBe(61234);
  expect(v.getUint16(22)).toBe(22);
  expect(v.getUint32(24)).toBe(fields.seq);
  expect(v.getUint8(33)).toBe(0x02); // SYN only
  expect(v.getUint32(40)).toBe(0x020405b4); // MSS 1460 first
  // One flipped bit breaks the TCP checksum.
  p[30] = (p[30] as number) ^ 1;
  expect(checksumValid(p, IPV4_HEADER, SYN_V4_LENGTH, pseudo)).toBe(false);
});

test("a SYN-ACK and a RST+ACK to our SYN parse as answers that match the cookie", () => {
  for (const [flags, kind] of [
    [0x12, "syn-ack"],
    [0x14, "rst"],
  ] as const) {
    const a = parseAnswerV4(answerTo(syn(), flags));
    expect(a?.kind).toBe(kind);
    expect(a?.remotePort).toBe(22);
    expect(a?.localPort).toBe(61234);
    expect([...(a?.remote ?? [])]).toEqual([...them]);
    expect(acknowledgesCookie(key, flow, a?.ack ?? 0)).toBe(true);
  }
});

test("an answer with a wrong ack fails the cookie; so does one for another port or key", () => {
  const a = parseAnswerV4(answerTo(syn(), 0x12, { ackDelta: 2 }));
  expect(a?.kind).toBe("syn-ack");
  expect(acknowledgesCookie(key, flow, a?.ack ?? 0)).toBe(false);
  const ok = parseAnswerV4(answerTo(syn(), 0x12))?.ack ?? 0;
  expect(acknowledgesCookie(key, { ...flow, destinationPort: 23 }, ok)).toBe(false);
  expect(acknowledgesCookie(sipKeyOf(new Uint8Array(16)), flow, ok)).toBe(false);
});

test("our own SYN looped back, a bare RST and a bare ACK are no answers", () => {
  expect(parseAnswerV4(syn())).toBeNull();
  expect(parseAnswerV4(answerTo(syn(), 0x04))).toBeNull();
  expect(parseAnswerV4(answerTo(syn(), 0x10))).toBeNull();
  expect(parseAnswerV4(syn().subarray(0, 30))).toBeNull();
});

test("an ICMP port-unreachable quoting our SYN names the probe, its code and the cookie", () => {
  const a = parseAnswerV4(icmpUnreachableFor(syn(), Uint8Array.of(10, 0, 0, 1), 13));
  expect(a?.kind).toBe("unreachable");
  expect(a?.detail).toBe(13);
  expect([...(a?.remote ?? [])]).toEqual([...them]);
  expect(a?.remotePort).toBe(22);
  expect(a?.localPort).toBe(61234);
  expect(acknowledgesCookie(key, flow, a?.ack ?? 0)).toBe(true);
});
