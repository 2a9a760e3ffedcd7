// The memory the engine shares with its Workers (SharedArrayBuffers): run counters, and for
// each slot of the host window (host-window.ts: the hosts in flight, not every host of the
// scan) the state of its ports, its progress, liveness and timing. Workers write it; the main
// thread reads it to report hosts as they become final, then gives the slot to another host.
import { type PortCounts, STATE_CODE } from "../model/results.ts";

/** Slots of the shared control array (Int32Array). */
export const CTL = {
  /** Next entry of this shard's order to hand out. */
  cursor: 0,
  stop: 1,
  /** Entries settled (a state, or skipped with their host). */
  done: 2,
  localRetries: 3,
  selfConnects: 4,
  probes: 5,
  retries: 6,
  /** Groups of hosts let in (host-window.ts): the cursor's entries beyond them wait. */
  admitted: 7,
  size: 8,
} as const;

/** Liveness of a host as the Workers see it (shared Int32Array, one slot per host). */
export const HOST = {
  unknown: 0,
  up: 1,
  down: 2,
  unreachable: 3,
  timedOut: 4,
  allOpen: 5,
  /** Not a host to scan: its address is excluded, or given by an earlier spec (space.ts). */
  hole: 6,
} as const;

/** Per-host timing slots (Float64Array, TIMING_SLOTS per host). */
export const TIMING = { srtt: 0, rttvar: 1, timeout: 2, startedAt: 3 } as const;
const TIMING_SLOTS = 4;

export interface SharedScan {
  ctl: Int32Array;
  /** The host index each slot holds now. */
  slotHost: Int32Array;
  /** STATE_CODE of (slot h, port index i) at h * portCount + i. */
  states: Uint8Array;
  /** Entries of each host not yet settled in this shard. */
  remaining: Int32Array;
  /** HOST code of each host. */
  status: Int32Array;
  /** Why a host is not up: an errno, or 0. */
  reason: Int32Array;
  timing: Float64Array;
  /** Round trips measured on each host. */
  samples: Int32Array;
  /** Probes of each host that ended with no answer at all (host discovery). */
  silent: Int32Array;
}

function shared<T>(make: (buffer: SharedArrayBuffer) => T, bytes: number): T {
  return make(new SharedArrayBuffer(Math.max(8, bytes)));
}

/**
 * An Int32Array in shared memory: posted to a Worker it is shared, not copied (a 65535-port
 * job took ~2.8 ms to clone per Worker with its ports as a JS array, ~0 ms this way).
 */
export function sharedInt32Array(values: ArrayLike<number> | number): Int32Array {
  const length = typeof values === "number" ? values : values.length;
  const array = shared((b) => new Int32Array(b, 0, length), length * 4);
  if (typeof values !== "number") array.set(values);
  return array;
}

/** The shared memory of `hostCount` slots (the host window's, not the scan's host count). */
export function createShared(hostCount: number, portCount: number): SharedScan {
  return {
    ctl: shared((b) => new Int32Array(b), CTL.size * 4),
    slotHost: sharedInt32Array(hostCount), // its length is the slot count
    states: shared((b) => new Uint8Array(b), hostCount * portCount),
    remaining: shared((b) => new Int32Array(b), hostCount * 4),
    status: shared((b) => new Int32Array(b), hostCount * 4),
    reason: shared((b) => new Int32Array(b), hostCount * 4),
    timing: shared((b) => new Float64Array(b), hostCount * TIMING_SLOTS * 8),
    samples: shared((b) => new Int32Array(b), hostCount * 4),
    silent: shared((b) => new Int32Array(b), hostCount * 4),
  };
}

/** Make slot `slot` new, for another host (its ports' states, status, timing, counters). */
export function clearSlot(shared: SharedScan, slot: number, portCount: number): void {
  shared.states.fill(0, slot * portCount, (slot + 1) * portCount);
  shared.remaining[slot] = 0;
  shared.status[slot] = HOST.unknown;
  shared.reason[slot] = 0;
  shared.timing.fill(0, slot * TIMING_SLOTS, (slot + 1) * TIMING_SLOTS);
  shared.samples[slot] = 0;
  shared.silent[slot] = 0;
}

export function timingSlot(host: number, slot: number): number {
  return host * TIMING_SLOTS + slot;
}

/** Is a host out of the scan (down, unreachable, timed out)? */
export function isHostOver(status: number): boolean {
  return status >= HOST.down;
}

/** Count the states of one host's ports. */
export function countStates(states: Uint8Array): PortCounts {
  const counts = { scanned: 0, open: 0, closed: 0, filtered: 0 };
  let openFiltered = 0;
  // Indexed, not for-of: run once at the end of a scan, a for-of over 65535 states took 6-8 ms
  // before the JIT woke up, an indexed loop 0.3 ms.
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    if (s === STATE_CODE.open) counts.open++;
    else if (s === STATE_CODE.closed) counts.closed++;
    else if (s === STATE_CODE.filtered) counts.filtered++;
    else if (s === STATE_CODE["open|filtered"]) openFiltered++;
  }
  counts.scanned = counts.open + counts.closed + counts.filtered + openFiltered;
  // The key only where UDP put it there: TCP results keep their shape.
  return openFiltered > 0 ? { ...counts, "open|filtered": openFiltered } : counts;
}
