// The answer filter run by a small classic-BPF interpreter written here from linux/filter.h
// (loads, ldx msh, and, jumps, ret; an out-of-bounds load drops the packet, as the kernel's
// does): it keeps exactly what the parser calls an answer to one of our source ports.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { parseAnswerV4 } from "../../../src/scan/transport/syn/answer.ts";
import { answerFilter } from "../../../src/scan/transport/syn/bpf.ts";
import { SYN_V4_LENGTH, writeSynV4 } from "../../../src/scan/transport/syn/packet.ts";
import { answerTo, icmpUnreachableFor } from "./replies.ts";

/** Run a struct sock_filter[] on `packet`; returns the kept length (0 = dropped). */
function runFilter(filter: Uint8Array, packet: Uint8Array): number {
  const f = new DataView(filter.buffer, filter.byteOffset, filter.length);
  const p = new DataView(packet.buffer, packet.byteOffset, packet.length);
  let a = 0;
  let x = 0;
  const load = (at: number, size: number): number | null => {
    if (at < 0 || at + size > packet.length) return null;
    return size === 1 ? p.getUint8(at) : size === 2 ? p.getUint16(at) : p.getUint32(at);
  };
  for (let pc = 0, steps = 0; pc * 8 < filter.length && steps < 4096; pc++, steps++) {
    const code = f.getUint16(pc * 8, true);
    const jt = f.getUint8(pc * 8 + 2);
    const jf = f.getUint8(pc * 8 + 3);
    const k = f.getUint32(pc * 8 + 4, true);
    const cls = code & 0x07;
    if (cls === 0x00) {
      const size = { 0: 4, 8: 2, 16: 1 }[code & 0x18] as number;
      const mode = code & 0xe0;
      if (mode !== 0x20 && mode !== 0x40) throw new Error(`ld mode ${mode}`);
      const value = load(mode === 0x20 ? k : x + k, size);
      if (value === null) return 0;
      a = value;
    } else if (cls === 0x01 && code === 0xb1) {
      const value = load(k, 1);
      if (value === null) return 0;
      x = 4 * (value & 0xf);
    } else if (cls === 0x04 && code === 0x54) a = (a & k) >>> 0;
    else if (cls === 0x05) {
      const op = code & 0xf0;
      const taken =
        op === 0x10 ? a === k : op === 0x20 ? a > k : op === 0x30 ? a >= k : (a & k) !== 0;
      if (op > 0x40 || (code & 0x08) !== 0) throw new Error(`jump ${code}`);
      pc += taken ? jt : jf;
    } else if (cls === 0x06) return k;
    else throw new Error(`opcode ${code.toString(16)}`);
  }
  throw new Error("the program ran off its end");
}

const ports = { first: 61000, last: 61063 };
const filter = answerFilter(ports);

function synFrom(sourcePort: number, destinationPort = 80): Uint8Array {
  const p = new Uint8Array(SYN_V4_LENGTH);
  const addr = Uint8Array.of(127, 0, 0, 1);
  const f = { source: addr, destination: addr, sourcePort, destinationPort };
  writeSynV4(p, 0, { ...f, seq: 7, ipId: 1, ttl: 64, timestamp: 0 });
  return p;
}

test("keeps SYN-ACK and RST+ACK to our ports, and ICMP unreachable", () => {
  expect(runFilter(filter, answerTo(synFrom(61000), 0x12))).toBeGreaterThan(0);
  expect(runFilter(filter, answerTo(synFrom(61063), 0x14))).toBeGreaterThan(0);
  const icmp = icmpUnreachableFor(synFrom(61001), Uint8Array.of(10, 0, 0, 1), 3);
  expect(runFilter(filter, icmp)).toBeGreaterThan(0);
});

test("drops our own SYN, answers to other ports, bare RSTs and ACKs, ICMP echo", () => {
  expect(runFilter(filter, synFrom(61000))).toBe(0);
  expect(runFilter(filter, answerTo(synFrom(60999), 0x12))).toBe(0);
  expect(runFilter(filter, answerTo(synFrom(61064), 0x12))).toBe(0);
  expect(runFilter(filter, answerTo(synFrom(61000), 0x04))).toBe(0);
  expect(runFilter(filter, answerTo(synFrom(61000), 0x10))).toBe(0);
  const echo = icmpUnreachableFor(synFrom(61000), Uint8Array.of(10, 0, 0, 1), 0);
  echo[20] = 0;
  expect(runFilter(filter, echo)).toBe(0);
});

test("on any TCP answer, the filter keeps it exactly when the parser takes it for our ports", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 60900, max: 61100 }),
      fc.integer({ min: 0, max: 0x3f }),
      fc.integer({ min: 0, max: 0x1fff }),
      (port, flags, fragment) => {
        const p = answerTo(synFrom(port), flags);
        new DataView(p.buffer).setUint16(6, fragment);
        const a = parseAnswerV4(p);
        const ours = a !== null && a.kind !== "unreachable" && fragment === 0;
        const inRange = port >= ports.first && port <= ports.last;
        expect(runFilter(filter, p) > 0).toBe(ours && inRange);
      },
    ),
    { numRuns: 2000 },
  );
});
