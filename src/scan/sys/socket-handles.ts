// Windows' SOCKET is a UINT_PTR handle, not a small descriptor: values are whatever the
// system hands out (multiples of 4 from the process handle table, in practice below 2^24, but
// nothing promises it). The engine indexes flat typed arrays by descriptor (fd-table.ts,
// poll-readiness.ts), so on Windows each SOCKET gets a small integer of its own here, and the
// Winsock calls translate it back (winsock.ts). Closed ids are reused before new ones are
// made, so ids never exceed the most sockets open at once (plus FIRST_ID).

export class SocketHandles {
  private handles = new Float64Array(256);
  private free: number[] = [];
  private next = FIRST_ID;
  /** How many ids are held now (the engine's "open descriptors"). */
  open = 0;

  /** A small id for `handle` (a SOCKET that fits a double exactly, as every real one does). */
  add(handle: number): number {
    let id = this.free.pop();
    if (id === undefined) {
      id = this.next++;
      if (id >= this.handles.length) this.grow();
    }
    this.handles[id] = handle;
    this.open++;
    return id;
  }

  /** The SOCKET behind `id`. */
  handleOf(id: number): number {
    return this.handles[id] as number;
  }

  /** `id` is closed: the next add() may reuse it. */
  remove(id: number): void {
    this.handles[id] = INVALID;
    this.free.push(id);
    this.open--;
  }

  private grow(): void {
    const bigger = new Float64Array(this.handles.length * 2);
    bigger.set(this.handles);
    this.handles = bigger;
  }
}

/** Ids start above 0, 1 and 2, so that no id looks like a standard stream. */
const FIRST_ID = 3;
const INVALID = -1;
