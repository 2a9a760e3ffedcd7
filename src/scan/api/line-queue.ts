// Lines the engine's callbacks push, waiting for a reader that pulls them one at a time: the
// engine never waits for the reader (a probe loop does not pause for a slow consumer), so the
// queue holds what the reader has not taken yet.

export class LineQueue<T> {
  private items: T[] = [];
  private head = 0;
  private ended = false;
  private error: unknown = null;
  private wake: (() => void) | null = null;

  push(batch: T[]): void {
    for (const item of batch) this.items.push(item);
    this.notify();
  }

  /** No more lines; with an error, the reader gets it after the lines already pushed. */
  end(error: unknown = null): void {
    this.ended = true;
    this.error = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async *drain(): AsyncGenerator<T, void, undefined> {
    for (;;) {
      if (this.head < this.items.length) {
        const item = this.items[this.head++] as T;
        // Drop what was read once the backlog is half consumed (a long scan's lines).
        if (this.head > 1024 && this.head * 2 > this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        yield item;
        continue;
      }
      if (this.ended) {
        if (this.error !== null) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}
