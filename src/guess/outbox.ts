// Writes to a Bun socket without losing bytes or buffering without bound. Bun's write is
// non-blocking and returns what the kernel took; the rest waits here for the drain event.
// A player who floods lines but never reads would make us queue replies forever, so past
// `cap` queued bytes we stop reading that socket until half the queue has gone out.
import type { Socket } from "bun";

export class Outbox {
  private queue: Uint8Array[] = [];
  private queued = 0;
  private paused = false;
  private ending = false;

  constructor(
    private readonly socket: Socket<unknown>,
    private readonly cap = 256 * 1024,
  ) {}

  get pending(): number {
    return this.queued;
  }

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
    this.queue.push(bytes);
    this.queued += bytes.length;
    if (this.queued > this.cap && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  /** Call from the socket's drain handler. */
  drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0] as Uint8Array;
      const sent = this.socket.write(head);
      if (sent < 0) {
        this.queue = [];
        this.queued = 0;
        break;
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
      this.socket.resume();
    }
    if (this.ending && this.queued === 0) this.socket.end();
  }

  /** Send `last`, then close once everything queued has gone out. */
  end(last?: Uint8Array): void {
    if (this.ending) return;
    if (last) this.write(last);
    this.ending = true;
    if (this.queued === 0) this.socket.end();
  }
}
