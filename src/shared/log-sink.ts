// Log lines out to stderr without letting stderr take the program's memory: a bounded queue,
// one write in flight, and a count of the lines dropped while stderr did not keep up. (Bun's
// process.stderr.write buffers without bound and reports writableLength 0: with stderr on a
// pipe nobody reads, a server's RSS grew by ~500 MB per million log lines.)
import { write } from "node:fs";
import { plural } from "./plural.ts";

/** Log text queued for stderr at most; past it, lines are dropped and counted. */
export const MAX_QUEUED_LOG_BYTES = 1024 * 1024;

type WriteOut = (
  bytes: Uint8Array,
  done: (error: NodeJS.ErrnoException | null, written: number) => void,
) => void;

const encoder = new TextEncoder();

export class BoundedLogSink {
  private queue: string[] = [];
  private queuedBytes = 0;
  private writing = false;
  /** Lines dropped since the last notice. */
  dropped = 0;

  constructor(
    private readonly writeOut: WriteOut = (bytes, done) => write(2, bytes, done),
    private readonly cap = MAX_QUEUED_LOG_BYTES,
    /** How a drop notice is worded, given the count (the caller adds time and level). */
    private readonly notice = (n: number) =>
      `${plural(n, "log line")} dropped: stderr did not keep up\n`,
  ) {}

  /** Bytes waiting for stderr. */
  get pending(): number {
    return this.queuedBytes;
  }

  push(line: string): void {
    if (this.queuedBytes + line.length > this.cap) {
      this.dropped++;
      return;
    }
    if (this.dropped > 0) {
      this.enqueue(this.notice(this.dropped));
      this.dropped = 0;
    }
    this.enqueue(line);
    this.pump();
  }

  private enqueue(text: string): void {
    this.queue.push(text);
    this.queuedBytes += text.length;
  }

  private pump(): void {
    if (this.writing || this.queue.length === 0) return;
    const text = this.queue.join("");
    this.queue = [];
    const bytes = encoder.encode(text);
    this.writing = true;
    this.writeOut(bytes, (error, written) => {
      this.writing = false;
      if (error?.code === "EAGAIN") {
        this.queue.unshift(text);
        setTimeout(() => this.pump(), 10);
        return;
      }
      this.queuedBytes -= text.length;
      // A closed stderr (EPIPE) drops what is left: there is no one to tell.
      if (!error && written < bytes.length)
        this.enqueue(new TextDecoder().decode(bytes.subarray(written)));
      this.pump();
    });
  }
}
