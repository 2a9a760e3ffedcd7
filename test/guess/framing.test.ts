import { describe, expect, test } from "bun:test";
import { type LineEvent, ResilientLineReader } from "../../src/guess/framing.ts";
import { decodeText, encodeText } from "../../src/shared/lines.ts";

function show(events: LineEvent[]): string[] {
  return events.map((e) => ("line" in e ? decodeText(e.line) : "<too long>"));
}

describe("ResilientLineReader", () => {
  test("lines split anywhere come out whole, in order", () => {
    const r = new ResilientLineReader(10);
    expect(show(r.push(encodeText("12")))).toEqual([]);
    expect(show(r.push(encodeText("3\n45\r\n6")))).toEqual(["123\n", "45\r\n"]);
    expect(show(r.push(encodeText("\n")))).toEqual(["6\n"]);
  });

  test("a long line inside one chunk is reported in place and the next lines still come", () => {
    const r = new ResilientLineReader(10);
    const events = r.push(encodeText(`1\n${"x".repeat(50)}\n2\n3\n`));
    expect(show(events)).toEqual(["1\n", "<too long>", "2\n", "3\n"]);
  });

  test("a long line over many chunks is reported once, then skipped up to its end", () => {
    const r = new ResilientLineReader(10);
    const seen: string[] = [];
    seen.push(...show(r.push(encodeText("ok\nyyyyyy"))));
    for (let i = 0; i < 100; i++) seen.push(...show(r.push(encodeText("y".repeat(1000)))));
    seen.push(...show(r.push(encodeText("yyy\n42\n"))));
    expect(seen).toEqual(["ok\n", "<too long>", "42\n"]);
  });

  test("exactly the limit is fine, one byte more is not", () => {
    const r = new ResilientLineReader(10);
    expect(show(r.push(encodeText(`${"a".repeat(10)}\r\n${"b".repeat(11)}\nc\n`)))).toEqual([
      `${"a".repeat(10)}\r\n`,
      "<too long>",
      "c\n",
    ]);
  });
});
