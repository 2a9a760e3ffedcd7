// Probes waiting for an answer, by deadline: a binary min-heap of (deadline, fd, generation).
// One queue for all hosts, because hosts near and far have timeouts that differ a hundredfold
// and a FIFO would keep a near host's overdue probe behind a far host's. Entries of probes
// already answered stay until they come up and are dropped then (the generation tells). Pure.

export class DeadlineHeap {
  private at = new Float64Array(1024);
  private fds = new Int32Array(1024);
  private gens = new Int32Array(1024);
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(deadline: number, fd: number, gen: number): void {
    if (this.size === this.at.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.at[parent] as number) <= deadline) break;
      this.move(parent, i);
      i = parent;
    }
    this.at[i] = deadline;
    this.fds[i] = fd;
    this.gens[i] = gen;
  }

  /** Deadline of the earliest entry (Infinity when empty). */
  peekDeadline(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : (this.at[0] as number);
  }

  peekFd(): number {
    return this.fds[0] as number;
  }

  peekGen(): number {
    return this.gens[0] as number;
  }

  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const deadline = this.at[last] as number;
    const fd = this.fds[last] as number;
    const gen = this.gens[last] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && (this.at[child + 1] as number) < (this.at[child] as number)) child++;
      if ((this.at[child] as number) >= deadline) break;
      this.move(child, i);
      i = child;
    }
    this.at[i] = deadline;
    this.fds[i] = fd;
    this.gens[i] = gen;
  }

  private move(from: number, to: number): void {
    this.at[to] = this.at[from] as number;
    this.fds[to] = this.fds[from] as number;
    this.gens[to] = this.gens[from] as number;
  }

  private grow(): void {
    const n = this.at.length * 2;
    const at = new Float64Array(n);
    const fds = new Int32Array(n);
    const gens = new Int32Array(n);
    at.set(this.at);
    fds.set(this.fds);
    gens.set(this.gens);
    this.at = at;
    this.fds = fds;
    this.gens = gens;
  }
}
