// The descriptor table of a probe Worker: what each socket it holds is doing (which host and
// port, since when, which try), indexed by the descriptor itself (small integers, so flat
// typed arrays grown on demand beat a Map), and the FIFOs that find the oldest probe first.

export const MODE_FREE = 0;
export const MODE_CONNECTING = 1;
export const MODE_BANNER = 2;

/** A growable FIFO of (fd, generation) pairs. */
export class FdQueue {
  private fds = new Int32Array(1024);
  private gens = new Int32Array(1024);
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(fd: number, gen: number): void {
    if (this.tail === this.fds.length) this.makeRoom();
    this.fds[this.tail] = fd;
    this.gens[this.tail] = gen;
    this.tail++;
  }

  private makeRoom(): void {
    const live = this.tail - this.head;
    if (this.head > 0 && live < this.fds.length / 2) {
      this.fds.copyWithin(0, this.head, this.tail);
      this.gens.copyWithin(0, this.head, this.tail);
    } else {
      const fds = new Int32Array(this.fds.length * 2);
      const gens = new Int32Array(this.fds.length * 2);
      fds.set(this.fds.subarray(this.head, this.tail));
      gens.set(this.gens.subarray(this.head, this.tail));
      this.fds = fds;
      this.gens = gens;
    }
    this.head = 0;
    this.tail = live;
  }

  peekFd(): number {
    return this.fds[this.head] as number;
  }

  peekGen(): number {
    return this.gens[this.head] as number;
  }

  shift(): void {
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
  }
}

/** Per-descriptor bookkeeping. A generation number tells a queue entry from a reused fd. */
export class FdTable {
  host = new Int32Array(4096);
  portIndex = new Int32Array(4096);
  sentAt = new Float64Array(4096);
  gen = new Int32Array(4096);
  attempt = new Uint8Array(4096);
  mode = new Uint8Array(4096);
  registered = new Uint8Array(4096);

  /** Make room for descriptor `fd`. */
  ensure(fd: number): void {
    if (fd < this.host.length) return;
    let size = this.host.length;
    while (size <= fd) size *= 2;
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(
      a: T,
      make: (n: number) => T,
    ) => {
      const b = make(size);
      b.set(a as never);
      return b;
    };
    this.host = grow(this.host, (n) => new Int32Array(n));
    this.portIndex = grow(this.portIndex, (n) => new Int32Array(n));
    this.sentAt = grow(this.sentAt, (n) => new Float64Array(n));
    this.gen = grow(this.gen, (n) => new Int32Array(n));
    this.attempt = grow(this.attempt, (n) => new Uint8Array(n));
    this.mode = grow(this.mode, (n) => new Uint8Array(n));
    this.registered = grow(this.registered, (n) => new Uint8Array(n));
  }

  /** Record a probe in flight on `fd`. */
  track(fd: number, host: number, portIndex: number, attempt: number, sentAt: number): void {
    this.mode[fd] = MODE_CONNECTING;
    this.host[fd] = host;
    this.portIndex[fd] = portIndex;
    this.attempt[fd] = attempt;
    this.sentAt[fd] = sentAt;
  }

  /** The probe on `fd` is over: stale queue entries for it will be skipped. */
  retire(fd: number): void {
    this.gen[fd] = ((this.gen[fd] as number) + 1) | 0;
    this.mode[fd] = MODE_FREE;
  }

  /** Is the head of `queue` still the probe it was queued for, in `mode`? */
  isCurrent(queue: FdQueue, mode: number): boolean {
    const fd = queue.peekFd();
    return queue.peekGen() === this.gen[fd] && this.mode[fd] === mode;
  }
}
