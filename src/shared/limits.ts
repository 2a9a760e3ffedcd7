// Limits that keep a server alive and its memory flat whatever its clients do, and the
// bounded writer that enforces the output cap.
import type { Socket } from "bun";

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_MAX_CLIENTS = 4096;
export const DEFAULT_MAX_PENDING_OUTPUT = 256 * 1024;
/** A line begun must end within this long (slowloris: one byte every few seconds). */
export const DEFAULT_LINE_TIMEOUT_MS = 10_000;
/** Last words a client does not read are given this long before its connection is cut. */
export const CLOSING_TIMEOUT_MS = 5_000;
/** How long a stopping server waits for its goodbyes to flush before it cuts connections. */
export const SHUTDOWN_GRACE_MS = 2_000;

const SMALL_WRITE_BYTES = 2048;
const STAGING_BYTES = 16 * 1024;

/**
 * Writes to a Bun socket, keeping what the kernel did not take in a queue. Bun's write is
 * non-blocking and returns what it sent; a client that sends but never reads would otherwise
 * make us buffer without bound. Past `cap` queued bytes the socket stops being read (no input,
 * no new output); it resumes once the queue is half drained, or, when `onRelieved` is set, that
 * hook decides (a server first answers the input it set aside, then resumes).
 */
export class BoundedWriter {
  private queue: Uint8Array[] = [];
  private queued = 0;
  private paused = false;
  private ending = false;
  private staging: Uint8Array | undefined;
  private stagingUsed = 0;
  /** Called instead of socket.resume() once a paused queue is half drained. */
  onRelieved: (() => void) | undefined;

  constructor(
    private readonly socket: Socket<unknown>,
    private readonly cap = DEFAULT_MAX_PENDING_OUTPUT,
  ) {}

  /** Bytes waiting for the kernel. */
  get pending(): number {
    return this.queued;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Bytes that may still be queued before the cap is passed (0 once past it). */
  get room(): number {
    return Math.max(0, this.cap - this.queued);
  }

  /** More than `cap` bytes queued: stop producing output for this socket. */
  get backedUp(): boolean {
    return this.queued > this.cap;
  }

  /** True once end() was called: nothing more will be written. */
  get isEnding(): boolean {
    return this.ending;
  }

  write(bytes: Uint8Array): void {
    if (this.ending || bytes.length === 0) return;
    if (this.queued === 0) {
      const sent = this.socket.write(bytes);
      if (sent < 0 || sent === bytes.length) return;
      bytes = bytes.subarray(sent);
    }
    this.enqueue(bytes);
    this.queued += bytes.length;
    if (this.queued > this.cap && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  /**
   * Small writes are copied end to end into one staging buffer: queued one by one, the ~150-byte
   * replies of a tp-guess player who does not read cost an object each, ~50% more than their bytes.
   */
  private enqueue(bytes: Uint8Array): void {
    if (bytes.length > SMALL_WRITE_BYTES) {
      this.queue.push(bytes);
      return;
    }
    const last = this.queue[this.queue.length - 1];
    const staging = this.staging;
    if (
      staging &&
      last?.buffer === staging.buffer &&
      this.stagingUsed + bytes.length <= staging.length
    ) {
      staging.set(bytes, this.stagingUsed);
      this.stagingUsed += bytes.length;
      this.queue[this.queue.length - 1] = staging.subarray(last.byteOffset, this.stagingUsed);
      return;
    }
    this.staging = new Uint8Array(STAGING_BYTES);
    this.staging.set(bytes);
    this.stagingUsed = bytes.length;
    this.queue.push(this.staging.subarray(0, bytes.length));
  }

  /** Call from the socket's drain handler. */
  drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0] as Uint8Array;
      const sent = this.socket.write(head);
      if (sent < 0) {
        this.queue = [];
        this.queued = 0;
        return;
      }
      this.queued -= sent;
      if (sent < head.length) {
        this.queue[0] = head.subarray(sent);
        break;
      }
      this.queue.shift();
    }
    if (this.paused && this.queued <= this.cap / 2 && !this.ending) {
      this.paused = false;
      if (this.onRelieved) this.onRelieved();
      else this.socket.resume();
    }
    if (this.ending && this.queued === 0) this.socket.end();
  }

  /** Send `last` (if any), then close the write side once everything queued has gone out. */
  end(last?: Uint8Array): void {
    if (this.ending) return;
    if (last) this.write(last);
    this.ending = true;
    if (this.queued === 0) this.socket.end();
  }
}
