// The probe order of a whole scan: the space targets x ports, indexed 0..hosts·ports-1, walked
// in a seeded pseudo-random order that needs no memory per entry (zmap and masscan do the
// same with a cyclic group or a Feistel permutation). Pure.
//
// Hosts go in groups of `groupSize` consecutive host indexes (nmap's host groups), one group's
// entries after the other's, so that only a few groups are in flight at once and the state
// kept per host is bounded (host-window.ts). Within group g of `size` hosts, its position k is
// round r = floor(k / size) and slot j = k mod size: every round gives each host of the group
// exactly one probe (no host gets a burst), in an order shuffled by a keyed Feistel
// permutation of the group (neighbours are not hit in sequence). A host's r-th probe goes to its
// r-th port: first the ports that are usually answered (80, 443, 22...: they tell soonest
// whether a host is there), then the others in a seeded shuffle, rotated by an offset of the
// host's own so that hosts do not see the same port at the same time.

import { DEFAULT_DISCOVERY, PROBE_FIRST_PORTS } from "../policy/discovery.ts";
import { sharedInt32Array } from "./shared-memory.ts";

/** Ports asked first: the ones most often open (nmap-services' ranking, discovery.ts). */
export const USUAL_PORTS = PROBE_FIRST_PORTS;
/** How many usual ports at most lead each host's sequence: its discovery probes. */
export const DISCOVERY_PORTS = DEFAULT_DISCOVERY.probes;

/** 32-bit mix (splitmix32-like), deterministic. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded generator of floats in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A keyed permutation of [0, size) by a 4-round Feistel network with cycle-walking. */
export class FeistelPermutation {
  private readonly half: number;
  private readonly mask: number;
  private readonly keys: number[];

  constructor(
    readonly size: number,
    seed: number,
  ) {
    let bits = 2;
    while (2 ** bits < size) bits += 2;
    this.half = bits / 2;
    this.mask = 2 ** this.half - 1;
    this.keys = [1, 2, 3, 4].map((i) => mix32(seed ^ Math.imul(i, 0x27d4eb2f)));
  }

  private encrypt(x: number): number {
    let left = Math.floor(x / 2 ** this.half);
    let right = x & this.mask;
    for (const key of this.keys) {
      const f = mix32(right ^ key) & this.mask;
      const next = (left ^ f) & this.mask;
      left = right;
      right = next;
    }
    return left * 2 ** this.half + right;
  }

  /** The image of `x` (0 <= x < size). The domain is < 4·size, so walking ends in a few steps. */
  at(x: number): number {
    let y = this.encrypt(x);
    while (y >= this.size) y = this.encrypt(y);
    return y;
  }
}

export interface OrderSpec {
  hostCount: number;
  /** Hosts per group (the whole scan when it is small: one group). */
  groupSize?: number;
  /** The plan's ports, sorted. */
  ports: readonly number[];
  seed: number;
  /** Hosts and ports in ascending order, no usual ports first (--ordered). */
  ordered: boolean;
}

/** What a Worker needs to walk the order (structured-cloneable). */
export interface OrderTables {
  hostCount: number;
  groupSize: number;
  portCount: number;
  seed: number;
  ordered: boolean;
  /** Port indexes probed first on every host. */
  lead: Int32Array;
  /** The other port indexes, shuffled. */
  rest: Int32Array;
}

export function orderTables(spec: OrderSpec): OrderTables {
  const { ports } = spec;
  const index = new Int32Array(65536).fill(-1);
  for (let i = 0; i < ports.length; i++) index[ports[i] as number] = i;
  const lead = spec.ordered
    ? []
    : USUAL_PORTS.map((p) => index[p] as number)
        .filter((i) => i >= 0)
        .slice(0, DISCOVERY_PORTS);
  const rest = sharedInt32Array(ports.length - lead.length);
  // A mark per port, not lead.includes(i): run cold once per scan, that took 3 ms of 65535.
  const isLead = new Uint8Array(ports.length);
  for (const i of lead) isLead[i] = 1;
  let n = 0;
  for (let i = 0; i < ports.length; i++) if (isLead[i] === 0) rest[n++] = i;
  if (!spec.ordered) {
    const random = seededRandom(spec.seed);
    for (let i = rest.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = rest[i] as number;
      rest[i] = rest[j] as number;
      rest[j] = t;
    }
  }
  return {
    hostCount: spec.hostCount,
    groupSize: Math.max(1, Math.min(spec.groupSize ?? spec.hostCount, spec.hostCount)),
    portCount: ports.length,
    seed: spec.seed,
    ordered: spec.ordered,
    lead: Int32Array.from(lead),
    rest,
  };
}

/** Maps a position of the order to (host index, port index). */
export class WorkOrder {
  readonly total: number;
  /** Entries of a whole group. */
  readonly groupEntries: number;
  readonly groupCount: number;
  /** The permutation of the group decoded last (a new one per group, keyed by its number). */
  private permutation: FeistelPermutation | null = null;
  private permutationGroup = -1;
  /** Set by `decode`: the host index and port index of the position decoded last. */
  host = 0;
  portIndex = 0;

  constructor(readonly tables: OrderTables) {
    this.total = tables.hostCount * tables.portCount;
    this.groupEntries = tables.groupSize * tables.portCount;
    this.groupCount = Math.ceil(tables.hostCount / tables.groupSize);
  }

  /** The group of position `k`. */
  groupOf(k: number): number {
    return Math.floor(k / this.groupEntries);
  }

  /** Hosts of group `g` (the last one may be short). */
  groupHosts(g: number): number {
    const { groupSize, hostCount } = this.tables;
    return Math.min(groupSize, hostCount - g * groupSize);
  }

  private permutationOf(group: number, size: number): FeistelPermutation | null {
    if (this.tables.ordered || size < 2) return null;
    if (this.permutationGroup !== group) {
      // Group 0 keeps the scan's seed: a scan of one group walks the order it always did.
      const key = group === 0 ? this.tables.seed : mix32(this.tables.seed + group);
      this.permutation = new FeistelPermutation(size, key);
      this.permutationGroup = group;
    }
    return this.permutation;
  }

  /** Decode position `k` into `this.host` and `this.portIndex` (no allocation: hot path). */
  decode(k: number): void {
    const { groupSize, lead, rest, seed, ordered } = this.tables;
    const group = Math.floor(k / this.groupEntries);
    const size = this.groupHosts(group);
    const inGroup = k - group * this.groupEntries;
    const round = Math.floor(inGroup / size);
    const slot = inGroup - round * size;
    const permutation = this.permutationOf(group, size);
    const host = group * groupSize + (permutation ? permutation.at(slot) : slot);
    this.host = host;
    if (round < lead.length) {
      this.portIndex = lead[round] as number;
      return;
    }
    // Each host's own rotation of the shuffled ports.
    const offset = ordered || rest.length === 0 ? 0 : mix32(seed ^ host) % rest.length;
    let r = round - lead.length + offset;
    if (r >= rest.length) r -= rest.length;
    this.portIndex = rest[r] as number;
  }
}

/** Positions of the order in shard `index` of `count` (1-based): k ≡ index-1 (mod count). */
export function shardLength(total: number, shard: { index: number; count: number } | null): number {
  if (!shard) return total;
  const first = shard.index - 1;
  return first >= total ? 0 : Math.ceil((total - first) / shard.count);
}

/** The position of the shard's n-th entry. */
export function shardPosition(n: number, shard: { index: number; count: number } | null): number {
  return shard ? n * shard.count + shard.index - 1 : n;
}
