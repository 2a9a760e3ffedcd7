// The clients' one way to read their input (stdin): whole lines, handed on as they come, a
// last line without a line end at the end of input. Whole lines, because a server that reads
// with a bare recv() (the lab's) takes each write for a message: a line cut between two pipe
// reads would reach it as two. Bytes, not text, so what is typed goes out byte for byte.
import { concatBytes } from "./lines.ts";

const LF = 0x0a;
const NOTHING: Uint8Array = new Uint8Array(0);

export interface LineInput {
  /** true when the input ended (after its last line was handed on), false when stop() came first. */
  readonly ended: Promise<boolean>;
  /** Stop reading: a pending read on a terminal would otherwise keep the process alive. */
  stop(): void;
}

/**
 * Read `stream` (stdin by default) and pass each run of complete lines to `deliver`, in one
 * piece per read (a pipe's 64 KiB read is one write, not a thousand). `deliver` returns
 * false (or a promise of false) to stop reading, e.g. when the connection is gone.
 */
export function readLines(
  deliver: (lines: Uint8Array) => boolean | Promise<boolean>,
  stream: ReadableStream<Uint8Array> = Bun.stdin.stream(),
): LineInput {
  const reader = stream.getReader();
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    reader.cancel().catch(() => {});
  };
  const pump = async (): Promise<boolean> => {
    let rest: Uint8Array = NOTHING;
    for (;;) {
      const { done, value } = await reader.read();
      if (stopped) return false;
      if (done) break;
      const last = value.lastIndexOf(LF);
      if (last < 0) {
        rest = concatBytes([rest, value]);
        continue;
      }
      const lines =
        rest.length === 0
          ? value.subarray(0, last + 1)
          : concatBytes([rest, value.subarray(0, last + 1)]);
      rest = value.slice(last + 1);
      if (!(await deliver(lines)) || stopped) return false;
    }
    if (rest.length > 0 && !(await deliver(rest))) return false;
    return !stopped;
  };
  // A failed read (stdin closed under us) is the end of input.
  return { ended: pump().catch(() => !stopped), stop };
}
