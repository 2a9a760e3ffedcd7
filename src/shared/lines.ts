// Line framing over a byte stream. TCP delivers segments, not lines: a line may arrive in
// several pieces and one piece may hold several lines. Work on bytes so that UTF-8 split
// across segments is never decoded half-way and the echo is byte-exact.

const LF = 0x0a;
const CR = 0x0d;

export interface FramedChunk {
  /** Complete lines, each with its line end ("\n" or "\r\n") as received. */
  lines: Uint8Array[];
  /** True when a line grew past the limit; the framer is then spent and should be dropped. */
  overflow: boolean;
}

export class LineFramer {
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private overflowed = false;

  /** `maxLineBytes` bounds a line's content, line end excluded. */
  constructor(readonly maxLineBytes: number) {}

  /** Bytes held for a line not yet ended. */
  get pending(): number {
    return this.partBytes;
  }

  push(chunk: Uint8Array): FramedChunk {
    const lines: Uint8Array[] = [];
    if (this.overflowed) return { lines, overflow: true };
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl + 1);
      const line = this.parts.length === 0 ? piece : this.join(piece);
      if (contentLength(line) > this.maxLineBytes) return this.overflow(lines);
      lines.push(line);
      start = nl + 1;
    }
    if (start < chunk.length) {
      // Copy: the caller's buffer may be reused by the runtime after this call returns.
      const rest = chunk.slice(start);
      this.parts.push(rest);
      this.partBytes += rest.length;
      // A trailing CR may still become CRLF, so allow one byte of slack for it.
      if (this.partBytes > this.maxLineBytes + 1) return this.overflow(lines);
    }
    return { lines, overflow: false };
  }

  /** What is left when the stream ends without a final line end. */
  flush(): Uint8Array | undefined {
    if (this.partBytes === 0 || this.overflowed) return undefined;
    const rest = this.join(new Uint8Array(0));
    return rest;
  }

  private overflow(lines: Uint8Array[]): FramedChunk {
    this.overflowed = true;
    this.parts = [];
    this.partBytes = 0;
    return { lines, overflow: true };
  }

  private join(last: Uint8Array): Uint8Array {
    this.parts.push(last);
    const out = concatBytes(this.parts, this.partBytes + last.length);
    this.parts = [];
    this.partBytes = 0;
    return out;
  }
}

/** One buffer holding `parts` end to end (`total` is their summed length, when known). */
export function concatBytes(
  parts: Uint8Array[],
  total = parts.reduce((n, p) => n + p.length, 0),
): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Length of a line without its "\n" or "\r\n". */
export function contentLength(line: Uint8Array): number {
  let n = line.length;
  if (n > 0 && line[n - 1] === LF) n--;
  if (n > 0 && line[n - 1] === CR) n--;
  return n;
}

/** A line's content without its line end. */
export function stripLineEnd(line: Uint8Array): Uint8Array {
  return line.subarray(0, contentLength(line));
}

const decoder = new TextDecoder("utf-8");
const encoder = new TextEncoder();

/** Decode UTF-8 leniently (invalid bytes become U+FFFD) for display and keyword checks. */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}
