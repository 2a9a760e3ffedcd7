// Line framing by property (fast-check): whatever the byte stream and however TCP splits it,
// the framer gives the same lines, byte for byte, and holds at most 2 bytes per byte pending.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { LineFramer } from "../../src/shared/lines.ts";

const LF = 0x0a;

/** The lines of `bytes` as a reference splits them: up to and including each LF. */
function referenceLines(bytes: Uint8Array): { lines: number[][]; rest: number[] } {
  const lines: number[][] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === LF) {
      lines.push([...bytes.subarray(start, i + 1)]);
      start = i + 1;
    }
  }
  return { lines, rest: [...bytes.subarray(start)] };
}

/** `bytes` cut at the given offsets (sorted, deduplicated, within bounds). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    pieces.push(bytes.slice(at, p));
    at = p;
  }
  return pieces;
}

// Bytes with many line ends and CRs, so that splits fall on and between them.
const streamBytes = fc
  .array(fc.oneof(fc.constant(LF), fc.constant(0x0d), fc.integer({ min: 0, max: 255 })), {
    maxLength: 400,
  })
  .map((a) => Uint8Array.from(a));

test("any split of any byte stream gives the same lines (limit never reached)", () => {
  fc.assert(
    fc.property(streamBytes, fc.array(fc.nat(), { maxLength: 30 }), (bytes, cuts) => {
      const framer = new LineFramer(1000);
      const got: number[][] = [];
      for (const piece of split(bytes, cuts)) {
        const { lines, overflow } = framer.push(piece);
        expect(overflow).toBe(false);
        for (const l of lines) got.push([...l]);
      }
      const want = referenceLines(bytes);
      expect(got).toEqual(want.lines);
      expect(framer.pending).toBe(want.rest.length);
      const rest = framer.flush();
      expect(rest ? [...rest] : []).toEqual(want.rest);
    }),
  );
});

test("next() stepping gives the same lines as push(), from any start", () => {
  fc.assert(
    fc.property(streamBytes, fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
      const a = new LineFramer(1000);
      const b = new LineFramer(1000);
      for (const piece of split(bytes, cuts)) {
        const pushed = a.push(piece).lines.map((l) => [...l]);
        const stepped: number[][] = [];
        let at = 0;
        while (at < piece.length) {
          const step = b.next(piece, at);
          if (step.line) stepped.push([...step.line]);
          at = step.end;
        }
        expect(stepped).toEqual(pushed);
      }
    }),
  );
});

test("a line past the limit overflows, however it is split, and nothing before it is lost", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 60 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (limit, extra, cuts) => {
        const ok = new Uint8Array(limit).fill(0x61);
        const long = new Uint8Array(limit + extra).fill(0x62);
        const bytes = Uint8Array.from([...ok, LF, ...long, LF]);
        const framer = new LineFramer(limit);
        const lines: number[][] = [];
        let overflow = false;
        for (const piece of split(bytes, cuts)) {
          const r = framer.push(piece);
          for (const l of r.lines) lines.push([...l]);
          overflow ||= r.overflow;
          // Memory held for a line never passes the limit (plus the CR slack).
          expect(framer.pending).toBeLessThanOrEqual(limit + 1);
        }
        expect(overflow).toBe(true);
        expect(lines).toEqual([[...ok, LF]]);
      },
    ),
  );
});
