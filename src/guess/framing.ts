// Line input that survives an over-long line. The shared LineFramer stops for good at the
// first line past its limit (right for tp-echo, which disconnects); a game instead rejects
// that one line and goes on. So: hand the framer one line-sized piece at a time, so an
// overflow is pinned to its line, then drop bytes up to the next "\n" and start a fresh framer.
import { LineFramer } from "../shared/lines.ts";

const LF = 0x0a;

export type LineEvent = { line: Uint8Array } | { tooLong: true };

export class ResilientLineReader {
  private framer: LineFramer;
  private skipping = false;

  constructor(readonly maxLineBytes: number) {
    this.framer = new LineFramer(maxLineBytes);
  }

  /** Complete lines (with their line ends) and over-long-line events, in arrival order. */
  push(chunk: Uint8Array): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      const end = nl < 0 ? chunk.length : nl + 1;
      if (this.skipping) {
        // Still inside the over-long line: its end makes us read again.
        if (nl >= 0) this.skipping = false;
      } else {
        const framed = this.framer.push(chunk.subarray(start, end));
        for (const line of framed.lines) events.push({ line });
        if (framed.overflow) {
          events.push({ tooLong: true });
          this.framer = new LineFramer(this.maxLineBytes);
          // Overflow on a piece ending in "\n" consumed the whole line; otherwise skip its rest.
          this.skipping = nl < 0;
        }
      }
      start = end;
    }
    return events;
  }
}
