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

/** One step of LineFramer.next: a complete line (or none yet) and where to go on. */
export interface NextLine {
  /** A complete line with its line end; undefined when the chunk ended inside a line. */
  line: Uint8Array | undefined;
  /** Offset in the chunk just past what this step consumed. */
  end: number;
  /** A line grew past the limit: the framer is spent. */
  overflow: boolean;
}

/** Held partial lines start in a buffer this small and double as they grow. */
const HELD_MIN_BYTES = 256;
/** A held buffer larger than this is dropped once its line is complete, not kept for reuse. */
const HELD_KEEP_BYTES = 4096;

export class LineFramer {
  // The unterminated line, in one growing buffer: at most 2 bytes of memory per byte held
  // (a list of the received pieces cost ~17 bytes per byte when a client sends one byte per
  // segment, measured: 200 clients x 20 KB held took RSS from 39 to 109 MB).
  private held: Uint8Array = new Uint8Array(0);
  private heldBytes = 0;
  private overflowed = false;

  /** `maxLineBytes` bounds a line's content, line end excluded. */
  constructor(readonly maxLineBytes: number) {}

  /** Bytes held for a line not yet ended. */
  get pending(): number {
    return this.heldBytes;
  }

  /** All the complete lines of a chunk at once. */
  push(chunk: Uint8Array): FramedChunk {
    const lines: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length || this.overflowed) {
      const step = this.next(chunk, at);
      if (step.overflow) return { lines, overflow: true };
      if (step.line) lines.push(step.line);
      at = step.end;
    }
    return { lines, overflow: false };
  }

  /**
   * The next complete line of `chunk` from `start` on, so that a caller can stop between two
   * lines (e.g. when its output backs up) and hand the rest back later. The line may be a
   * view of `chunk`: use it before the runtime reuses the chunk's buffer.
   */
  next(chunk: Uint8Array, start: number): NextLine {
    if (this.overflowed) return { line: undefined, end: chunk.length, overflow: true };
    const nl = chunk.indexOf(LF, start);
    if (nl < 0) {
      // A trailing CR may still become CRLF, so allow one byte of slack for it.
      if (this.heldBytes + chunk.length - start > this.maxLineBytes + 1)
        return this.overflow(chunk.length);
      this.hold(chunk.subarray(start));
      return { line: undefined, end: chunk.length, overflow: false };
    }
    let line = chunk.subarray(start, nl + 1);
    if (this.heldBytes > 0) line = this.join(line);
    if (contentLength(line) > this.maxLineBytes) return this.overflow(nl + 1);
    return { line, end: nl + 1, overflow: false };
  }

  /** What is left when the stream ends without a final line end. */
  flush(): Uint8Array | undefined {
    if (this.heldBytes === 0 || this.overflowed) return undefined;
    return this.join(new Uint8Array(0));
  }

  private overflow(end: number): NextLine {
    this.overflowed = true;
    this.held = new Uint8Array(0);
    this.heldBytes = 0;
    return { line: undefined, end, overflow: true };
  }

  /** Copy: the caller's buffer may be reused by the runtime after this call returns. */
  private hold(piece: Uint8Array): void {
    const need = this.heldBytes + piece.length;
    if (need > this.held.length) {
      let size = Math.max(HELD_MIN_BYTES, this.held.length * 2);
      while (size < need) size *= 2;
      const grown = new Uint8Array(Math.min(size, this.maxLineBytes + 2));
      grown.set(this.held.subarray(0, this.heldBytes));
      this.held = grown;
    }
    this.held.set(piece, this.heldBytes);
    this.heldBytes = need;
  }

  private join(last: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.heldBytes + last.length);
    out.set(this.held.subarray(0, this.heldBytes));
    out.set(last, this.heldBytes);
    this.heldBytes = 0;
    if (this.held.length > HELD_KEEP_BYTES) this.held = new Uint8Array(0);
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
