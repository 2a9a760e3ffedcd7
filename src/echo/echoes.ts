// The echoes of many lines built into one buffer, with no object per line: a client that
// pipelines 2-byte lines made the server allocate four objects per line (a view, a reply, its
// bytes, a step), and the garbage, not the queues, set the peak RSS under floods.
import { ECHO_PREFIX_BYTES, PROMPT_BYTES } from "./dialogue.ts";

/** `ECHO : line` + prompt for one line (a span of `source`), in one buffer. */
export function echoReply(source: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(ECHO_PREFIX_BYTES.length + (end - start) + PROMPT_BYTES.length);
  out.set(ECHO_PREFIX_BYTES, 0);
  const at = copySpan(out, ECHO_PREFIX_BYTES.length, source, start, end);
  out.set(PROMPT_BYTES, at);
  return out;
}

/** Copy source[start, end) into out at `at`; returns where the copy ends. */
function copySpan(
  out: Uint8Array,
  at: number,
  src: Uint8Array,
  start: number,
  end: number,
): number {
  // Short lines byte by byte: a view per line is the allocation this file avoids.
  if (end - start <= 64) {
    let to = at;
    for (let j = start; j < end; j++) out[to++] = src[j] as number;
    return to;
  }
  out.set(src.subarray(start, end), at);
  return at + (end - start);
}

/** Lines to echo, as (source, start, end) spans: no copy until the reply is built. */
export class EchoBatch {
  private sources: Uint8Array[] = [];
  /** Flat triples: source index, start, end. */
  private spans: number[] = [];
  /** Bytes of the reply so far. */
  bytes = 0;

  get lineCount(): number {
    return this.spans.length / 3;
  }

  add(source: Uint8Array, start: number, end: number): void {
    let index = this.sources.length - 1;
    if (this.sources[index] !== source) {
      this.sources.push(source);
      index++;
    }
    this.spans.push(index, start, end);
    this.bytes += ECHO_PREFIX_BYTES.length + (end - start) + PROMPT_BYTES.length;
  }

  /** `ECHO : line` + prompt for each line, in one buffer. */
  build(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    const prefix = ECHO_PREFIX_BYTES;
    const prompt = PROMPT_BYTES;
    let at = 0;
    for (let i = 0; i < this.spans.length; i += 3) {
      const src = this.sources[this.spans[i] as number] as Uint8Array;
      const start = this.spans[i + 1] as number;
      const end = this.spans[i + 2] as number;
      out.set(prefix, at);
      at = copySpan(out, at + prefix.length, src, start, end);
      out.set(prompt, at);
      at += prompt.length;
    }
    return out;
  }
}
