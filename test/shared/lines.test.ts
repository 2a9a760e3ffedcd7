import { describe, expect, test } from "bun:test";
import {
  contentLength,
  decodeText,
  encodeText,
  LineFramer,
  stripLineEnd,
} from "../../src/shared/lines.ts";

const text = (lines: Uint8Array[]) => lines.map(decodeText);

describe("LineFramer", () => {
  test("several lines in one chunk give one line each, line ends kept", () => {
    const f = new LineFramer(100);
    const { lines, overflow } = f.push(encodeText("a\nbb\r\nccc\n"));
    expect(overflow).toBe(false);
    expect(text(lines)).toEqual(["a\n", "bb\r\n", "ccc\n"]);
    expect(f.pending).toBe(0);
  });

  test("a line split across chunks comes out once, whole", () => {
    const f = new LineFramer(100);
    expect(f.push(encodeText("hel")).lines).toHaveLength(0);
    expect(f.push(encodeText("lo wo")).lines).toHaveLength(0);
    expect(f.pending).toBe(8);
    const { lines } = f.push(encodeText("rld\nnext"));
    expect(text(lines)).toEqual(["hello world\n"]);
    expect(f.pending).toBe(4);
  });

  test("CRLF split between the CR and the LF", () => {
    const f = new LineFramer(100);
    f.push(encodeText("abc\r"));
    expect(text(f.push(encodeText("\n")).lines)).toEqual(["abc\r\n"]);
  });

  test("a multi-byte UTF-8 character split across chunks round-trips byte for byte", () => {
    const bytes = encodeText("é€😀\n");
    for (let cut = 1; cut < bytes.length; cut++) {
      const f = new LineFramer(100);
      const first = f.push(bytes.slice(0, cut)).lines;
      const second = f.push(bytes.slice(cut)).lines;
      const all = [...first, ...second];
      expect(all).toHaveLength(1);
      expect(Array.from(all[0] as Uint8Array)).toEqual(Array.from(bytes));
    }
  });

  test("the framer copies: reusing the caller's buffer does not corrupt a pending line", () => {
    const f = new LineFramer(100);
    const buf = encodeText("abc");
    f.push(buf);
    buf.fill(0x78);
    expect(text(f.push(encodeText("\n")).lines)).toEqual(["abc\n"]);
  });

  test("a line at the limit passes; one byte more overflows, in one chunk or many", () => {
    const ok = new LineFramer(5);
    expect(ok.push(encodeText("12345\r\n")).overflow).toBe(false);
    const tooLong = new LineFramer(5);
    expect(tooLong.push(encodeText("123456\n")).overflow).toBe(true);
    const dribble = new LineFramer(5);
    let overflow = false;
    for (const c of "1234567") overflow ||= dribble.push(encodeText(c)).overflow;
    expect(overflow).toBe(true);
  });

  test("lines before an overflowing one are still delivered", () => {
    const f = new LineFramer(3);
    const { lines, overflow } = f.push(encodeText("ok\ntoo long\n"));
    expect(text(lines)).toEqual(["ok\n"]);
    expect(overflow).toBe(true);
  });

  test("memory held for an unterminated line is bounded by the limit", () => {
    const f = new LineFramer(1000);
    let overflow = false;
    for (let i = 0; i < 100 && !overflow; i++)
      overflow = f.push(new Uint8Array(64).fill(65)).overflow;
    expect(overflow).toBe(true);
    expect(f.pending).toBe(0);
  });

  test("flush returns the unterminated rest", () => {
    const f = new LineFramer(100);
    f.push(encodeText("a\nrest"));
    expect(decodeText(f.flush() as Uint8Array)).toBe("rest");
    expect(f.flush()).toBeUndefined();
  });
});

test("stripLineEnd and contentLength drop only the line end", () => {
  expect(decodeText(stripLineEnd(encodeText("x \r\n")))).toBe("x ");
  expect(decodeText(stripLineEnd(encodeText("x\n")))).toBe("x");
  expect(decodeText(stripLineEnd(encodeText("x\r")))).toBe("x");
  expect(contentLength(encodeText("abc"))).toBe(3);
});
