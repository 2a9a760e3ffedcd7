// The hosts in flight (nmap's host groups, as a sliding window): the order walks the hosts in
// groups (order.ts), and only WINDOW_GROUPS groups hold slots of the shared memory at once. A
// group is let in (its slots cleared, the cursor allowed into its entries) once the group
// WINDOW_GROUPS before it is over: every host reported and every entry of it settled or passed
// over, so nothing of an old host is in flight when its slot gets a new one. This side (the
// main thread) reports hosts as the loops post them, from the slot they are in, and keeps
// nothing of a reported host (but the results, when asked: --json prints them all at the end).
import type { ScanPlan } from "../model/plan.ts";
import type { HostResult, ScanEvents } from "../model/results.ts";
import type { Target } from "../targets/target.ts";
import { hostInterrupted, readHostResult } from "./host-result.ts";
import type { OrderTables } from "./order.ts";
import { shardPosition, WorkOrder } from "./order.ts";
import { CTL, clearSlot, HOST, type SharedScan } from "./shared-memory.ts";
import type { EventsHandler } from "./workers.ts";

/** Groups in flight at once: one finishing its slow hosts while the next ones probe. */
export const WINDOW_GROUPS = 4;
/**
 * Entries per group at least (and 8 x -c): a group of the /16 x 2 ports bench is 8192 hosts,
 * ~0.2 s of loopback probes, so a loop seldom waits for a group to be let in.
 */
export const GROUP_ENTRIES = 16_384;
/**
 * Hosts per group at least: a scan of many hosts keeps 4 x 64 of them going (the WAN lab's 100
 * hosts x 1024 ports are in flight together, as before groups).
 */
export const MIN_GROUP_HOSTS = 64;

/** The hosts of one group for a scan of `hostCount` x `portCount` at -c `concurrency`. */
export function hostGroupSize(hostCount: number, portCount: number, concurrency: number): number {
  const entries = Math.max(GROUP_ENTRIES, 8 * concurrency);
  const hosts = Math.max(MIN_GROUP_HOSTS, Math.ceil(entries / Math.max(1, portCount)));
  return Math.max(1, Math.min(hostCount, hosts));
}

/** Slots of the window: every host when they fit, else WINDOW_GROUPS groups. */
export function windowSlots(hostCount: number, groupSize: number): number {
  return Math.max(1, Math.min(hostCount, groupSize * WINDOW_GROUPS));
}

export class HostWindow {
  readonly startedAt = new Date();
  readonly t0 = performance.now();
  /** Every result reported, when the caller keeps them (--json, the library); else null. */
  readonly kept: HostResult[] | null;
  /** Some host reported was cut short (--host-timeout, all-open, or the stop). */
  anyInterrupted = false;
  private readonly order: WorkOrder;
  private readonly slots: number;
  private readonly emitted: Uint8Array;
  /** Hosts reported of each group in the window (by group mod WINDOW_GROUPS). */
  private readonly emittedIn = new Int32Array(WINDOW_GROUPS);
  private readonly targets: Array<Target | null>;
  private readonly banners = new Map<number, Map<number, string>>();
  private released = 0;
  private admitted = 0;

  constructor(
    private readonly plan: ScanPlan,
    private readonly shared: SharedScan,
    tables: OrderTables,
    private readonly events: ScanEvents,
    keepHosts: boolean,
  ) {
    this.order = new WorkOrder(tables);
    this.slots = shared.slotHost.length;
    this.emitted = new Uint8Array(this.slots);
    this.targets = new Array(this.slots).fill(null);
    this.kept = keepHosts ? [] : null;
  }

  /** Let in the first groups (before any loop starts). */
  start(): void {
    const last = Math.min(WINDOW_GROUPS, this.order.groupCount);
    for (let g = 0; g < last; g++) this.admit(g);
    this.advance();
  }

  /** Groups never let in (a stopped scan): their hosts were not scanned. */
  get unstarted(): boolean {
    return this.admitted < this.order.groupCount;
  }

  private slotOf(host: number): number {
    return host < this.slots ? host : host % this.slots;
  }

  /** Give group `g`'s slots to its hosts: known states in, what is left of each counted. */
  private admit(g: number): void {
    const { plan, shared } = this;
    const portCount = plan.ports.length;
    const first = g * this.order.tables.groupSize;
    const size = this.order.groupHosts(g);
    for (let host = first; host < first + size; host++) {
      const slot = this.slotOf(host);
      clearSlot(shared, slot, portCount);
      shared.slotHost[slot] = host;
      this.emitted[slot] = 0;
      this.banners.delete(slot);
      const target = plan.targets.at(host);
      this.targets[slot] = target;
      const known = plan.known?.get(host);
      if (known) shared.states.set(known, slot * portCount);
      let left = portCount;
      if (known) for (const s of known) if (s !== 0) left--;
      if (!plan.shard) shared.remaining[slot] = left;
      if (target === null) {
        shared.status[slot] = HOST.hole;
        this.emitted[slot] = 1;
        this.emittedIn[g % WINDOW_GROUPS] = (this.emittedIn[g % WINDOW_GROUPS] as number) + 1;
      }
    }
    if (plan.shard) this.countShard(g);
    Atomics.store(shared.ctl, CTL.admitted, g + 1);
    this.admitted = g + 1;
    for (let host = first; host < first + size; host++) {
      const slot = this.slotOf(host);
      if ((shared.remaining[slot] as number) <= 0) this.emit(slot);
    }
  }

  /** With --shard: a host's entries left are its entries in this shard not known already. */
  private countShard(g: number): void {
    const { shard } = this.plan;
    if (!shard) return;
    const { shared } = this;
    const portCount = this.plan.ports.length;
    const start = g * this.order.groupEntries;
    const end = start + this.order.groupHosts(g) * portCount;
    const offset = shard.index - 1;
    for (let n = Math.max(0, Math.ceil((start - offset) / shard.count)); ; n++) {
      const k = shardPosition(n, shard);
      if (k >= end) break;
      this.order.decode(k);
      const slot = this.slotOf(this.order.host);
      if (shared.states[slot * portCount + this.order.portIndex] === 0)
        (shared.remaining[slot] as number)++;
    }
  }

  /** Release the oldest groups that are over, and let in the groups after the window. */
  private advance(): void {
    const { shared } = this;
    const size = this.order.tables.groupSize;
    while (this.released < this.admitted) {
      const g = this.released;
      const hosts = this.order.groupHosts(g);
      if (this.emittedIn[g % WINDOW_GROUPS] !== hosts) return;
      for (let host = g * size; host < g * size + hosts; host++)
        if (Atomics.load(shared.remaining, this.slotOf(host)) > 0) return;
      this.emittedIn[g % WINDOW_GROUPS] = 0;
      this.released++;
      const next = g + WINDOW_GROUPS;
      if (next < this.order.groupCount) this.admit(next);
    }
  }

  result(slot: number, stopped: boolean, elapsedMs = performance.now() - this.t0): HostResult {
    const run = { startedAt: this.startedAt, elapsedMs, stopped };
    const host = {
      index: this.shared.slotHost[slot] as number,
      target: this.targets[slot] ?? null,
    };
    return readHostResult(this.plan, this.shared, slot, host, this.banners.get(slot), run);
  }

  /** Report the host in `slot` (once). */
  emit(slot: number, stopped = false): void {
    if (this.emitted[slot]) return;
    this.emitted[slot] = 1;
    const g = Math.floor((this.shared.slotHost[slot] as number) / this.order.tables.groupSize);
    this.emittedIn[g % WINDOW_GROUPS] = (this.emittedIn[g % WINDOW_GROUPS] as number) + 1;
    const result = this.result(slot, stopped);
    this.banners.delete(slot);
    this.targets[slot] = null; // nothing of a reported host stays here
    if (result.interrupted) this.anyInterrupted = true;
    this.kept?.push(result);
    this.events.onHost?.(result);
  }

  readonly onEvents: EventsHandler = (m) => {
    const { plan, events } = this;
    for (const [slot, port, text] of m.banners) {
      const ports = this.banners.get(slot) ?? new Map<number, string>();
      this.banners.set(slot, ports);
      ports.set(port, text);
    }
    for (let i = 0; i < m.opens.length; i += 2) {
      const slot = m.opens[i] as number;
      const port = plan.ports[m.opens[i + 1] as number] as number;
      const target = this.targets[slot];
      if (target) events.onOpen?.(target, this.shared.slotHost[slot] as number, port);
    }
    for (const slot of m.finals) this.emit(slot);
    if (m.finals.length > 0) this.advance();
  };

  /** The scan is over: report every host let in and not reported yet. */
  finish(stopped: boolean): void {
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.emitted[slot]) continue;
      this.emit(slot, stopped);
    }
  }

  /** Is the host in `slot` cut short? (For hosts reported already: see anyInterrupted.) */
  interrupted(slot: number, stopped: boolean): boolean {
    return hostInterrupted(this.shared, slot, stopped);
  }
}
