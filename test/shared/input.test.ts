import { describe, expect, test } from "bun:test";
import { readLines } from "../../src/shared/input.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A stream that gives these pieces, one per read. */
function pieces(...parts: string[]): ReadableStream<Uint8Array> {
  const encoded = parts.map((p) => new TextEncoder().encode(p));
  return new ReadableStream({
    pull(controller) {
      const next = encoded.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

describe("readLines", () => {
  test("whole lines only, one delivery per read; a line cut between reads comes out once", async () => {
    const got: string[] = [];
    const input = readLines(
      (b) => got.push(text(b)) > 0,
      pieces("un\ndeux\ntr", "ois", "\nquatre\r\n", "dernier sans fin"),
    );
    expect(await input.ended).toBe(true);
    expect(got).toEqual(["un\ndeux\n", "trois\nquatre\r\n", "dernier sans fin"]);
  });

  test("bytes pass through untouched, a character split between reads included", async () => {
    const bytes = new TextEncoder().encode("é😀\n");
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 3));
        controller.enqueue(bytes.slice(3));
        controller.close();
      },
    });
    const got: Uint8Array[] = [];
    await readLines((b) => got.push(b.slice()) > 0, stream).ended;
    expect(got).toEqual([bytes]);
  });

  test("deliver returning false stops the reading", async () => {
    const got: string[] = [];
    const input = readLines(
      (b) => {
        got.push(text(b));
        return false;
      },
      pieces("a\n", "b\n"),
    );
    expect(await input.ended).toBe(false);
    expect(got).toEqual(["a\n"]);
  });

  test("stop() ends a read that would wait for ever (a terminal nobody types in)", async () => {
    const never = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    const input = readLines(() => true, never);
    input.stop();
    expect(await input.ended).toBe(false);
  });
});
