// Where a Worker's next probe comes from: its own retries first (a port that timed out, or
// that met a local error), then entries of the scan's order claimed in batches from the shared
// cursor (or, with a pin, from its own walk of the order, keeping its hosts). Entries already
// settled (known from a resumed scan) or of a host out of the scan are passed over here, so the
// probe loop only sees work to do. An entry is given by its host's slot (host-window.ts), not
// its host index: entries of a group not yet let in wait (`blocked`).
import { type OrderTables, shardLength, shardPosition, WorkOrder } from "./order.ts";
import { CTL, isHostOver, type SharedScan } from "./shared-memory.ts";

const BATCH = 64;

/** What the work source tells its loop about entries it does not hand out. */
export interface WorkHooks {
  /** An entry passed over because the host in `slot` is out of the scan. */
  skipped(slot: number): void;
  /** An entry passed over because its state is known (a resumed scan). */
  known(): void;
  /** `slot` holds a new host (`host`) for this loop: forget what it kept of the last one. */
  enter(slot: number, host: number): void;
}

export class WorkSource {
  /** Set by next(): the entry to probe (`host` is the host's slot). */
  host = 0;
  portIndex = 0;
  attempt = 0;
  private readonly order: WorkOrder;
  private readonly length: number;
  private readonly againHost: number[] = [];
  private readonly againPort: number[] = [];
  private readonly againAttempt: number[] = [];
  private batchAt = 0;
  private batchEnd = 0;
  /** With a pin, this Worker walks the whole order alone (no entry of its hosts is shared). */
  private ownCursor = 0;
  /** The host each slot held when this loop last took an entry of it. */
  private readonly occupant: Int32Array;
  /** Positions before this one are in groups let in. */
  private admittedEnd = 0;
  /** Set by next() when it returned false: the next entry's group is not let in yet. */
  blocked = false;

  constructor(
    tables: OrderTables,
    private readonly shard: { index: number; count: number } | null,
    private readonly pin: { index: number; count: number } | null,
    private readonly shared: SharedScan,
    private readonly hooks: WorkHooks,
  ) {
    this.order = new WorkOrder(tables);
    this.length = shardLength(this.order.total, shard);
    this.occupant = new Int32Array(shared.slotHost.length).fill(-1);
  }

  /** Is position `k` in a group let in? */
  private admitted(k: number): boolean {
    if (k < this.admittedEnd) return true;
    const groups = Atomics.load(this.shared.ctl, CTL.admitted);
    this.admittedEnd = groups * this.order.groupEntries;
    return k < this.admittedEnd;
  }

  get retriesWaiting(): number {
    return this.againHost.length;
  }

  /** Queue (host, port index) for another probe, try number `attempt`. */
  again(host: number, portIndex: number, attempt: number): void {
    this.againHost.push(host);
    this.againPort.push(portIndex);
    this.againAttempt.push(attempt);
  }

  /** Load the next entry into host/portIndex/attempt; false when this Worker has none now. */
  next(): boolean {
    const { status } = this.shared;
    this.blocked = false;
    while (this.againHost.length > 0) {
      this.host = this.againHost.pop() as number;
      this.portIndex = this.againPort.pop() as number;
      this.attempt = this.againAttempt.pop() as number;
      if (!isHostOver(Atomics.load(status, this.host))) return true;
      this.hooks.skipped(this.host);
    }
    const portCount = this.order.tables.portCount;
    const slots = this.occupant.length;
    for (;;) {
      if (this.batchAt >= this.batchEnd && !this.claim()) return false;
      const k = shardPosition(this.batchAt, this.shard);
      if (!this.admitted(k)) {
        this.blocked = true;
        return false;
      }
      this.batchAt++;
      this.order.decode(k);
      const host = this.order.host;
      if (this.pin && host % this.pin.count !== this.pin.index) continue; // another Worker's
      const slot = host < slots ? host : host % slots;
      const portIndex = this.order.portIndex;
      if (this.shared.states[slot * portCount + portIndex] !== 0) {
        this.hooks.known();
        continue;
      }
      if (isHostOver(Atomics.load(status, slot))) {
        this.hooks.skipped(slot);
        continue;
      }
      if (this.occupant[slot] !== host) {
        this.occupant[slot] = host;
        this.hooks.enter(slot, host);
      }
      this.host = slot;
      this.portIndex = portIndex;
      this.attempt = 0;
      return true;
    }
  }

  private claim(): boolean {
    let start: number;
    if (this.pin) {
      start = this.ownCursor;
      this.ownCursor += BATCH;
    } else start = Atomics.add(this.shared.ctl, CTL.cursor, BATCH);
    if (start >= this.length) return false;
    this.batchAt = start;
    this.batchEnd = Math.min(this.length, start + BATCH);
    return true;
  }
}

/** Entries a host may not take yet (its window is full, it is held or paced): tried first. */
export class HeldEntries {
  private hosts: number[] = [];
  private ports: number[] = [];
  private attempts: number[] = [];

  get length(): number {
    return this.hosts.length;
  }

  push(host: number, portIndex: number, attempt: number): void {
    this.hosts.push(host);
    this.ports.push(portIndex);
    this.attempts.push(attempt);
  }

  /** Offer every entry, oldest first, to `take` (false: keep it) while `more` says yes. */
  drain(take: (host: number, portIndex: number, attempt: number) => boolean, more: () => boolean) {
    if (this.hosts.length === 0) return;
    const { hosts, ports, attempts } = this;
    this.hosts = [];
    this.ports = [];
    this.attempts = [];
    for (let i = 0; i < hosts.length; i++) {
      const host = hosts[i] as number;
      const port = ports[i] as number;
      const attempt = attempts[i] as number;
      if (!more() || !take(host, port, attempt)) this.push(host, port, attempt);
    }
  }
}
