// The targets of a scan as a space of host indexes, never expanded into a list: host `h` is
// found from the blocks the user gave (a CIDR block or octet ranges: mixed-radix arithmetic; an
// IPv6 block: base + h; a name or literal: itself), as zmap and masscan compute the address
// from the permutation's index. A /8 costs its specs, not 16 million Targets. An index whose
// address is excluded, or was given by an earlier spec, is a hole: the engine skips it and
// reports nothing for it. Pure.
import { formatIpv4, formatIpv6, ipv4Bytes, ipv6Bytes } from "./address.ts";
import { type KeepTest, keepTests, type NameTable, plainTarget } from "./expand.ts";
import type { TargetSpec } from "./spec.ts";
import { makeTarget, type Target } from "./target.ts";

/** A single host (a name, a literal), an IPv4 spec's octet sets, or an IPv6 block's base. */
export type AddressBlock =
  | { kind: "one"; family: 4 | 6; bytes: Uint8Array; scopeId: number }
  | { kind: "ipv4"; octets: number[][] }
  | { kind: "ipv6"; base: bigint };

/** What a Worker needs to find the address of host `h`: structured-cloneable, a few bytes. */
export interface AddressTable {
  count: number;
  /** Block `i` holds hosts starts[i] .. starts[i + 1] - 1 (the last: .. count - 1). */
  starts: number[];
  blocks: AddressBlock[];
  /** Any IPv4 host (an ICMP echo socket is worth opening). */
  ipv4: boolean;
}

/** The address of host `h`, as the transports take it. */
export interface HostAddress {
  family: 4 | 6;
  bytes: Uint8Array;
  scopeId: number;
}

/** The block that holds host `h` (binary search over the starts). */
export function blockOf(table: AddressTable, h: number): number {
  const { starts } = table;
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] as number) <= h) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** An IPv4 spec's `offset`-th address, as a 32-bit number (the last octet varies fastest). */
function ipv4At(octets: number[][], offset: number): number {
  let rest = offset;
  let n = 0;
  for (let i = 3; i >= 0; i--) {
    const values = octets[i] as number[];
    const digit = rest % values.length;
    rest = (rest - digit) / values.length;
    n += (values[digit] as number) * 2 ** (8 * (3 - i));
  }
  return n;
}

/** The address of host `h` (0 <= h < count). */
export function addressAt(table: AddressTable, h: number): HostAddress {
  const index = blockOf(table, h);
  const block = table.blocks[index] as AddressBlock;
  const offset = h - (table.starts[index] as number);
  if (block.kind === "one") return block;
  if (block.kind === "ipv4")
    return { family: 4, bytes: ipv4Bytes(ipv4At(block.octets, offset)), scopeId: 0 };
  return { family: 6, bytes: ipv6Bytes(block.base + BigInt(offset)), scopeId: 0 };
}

function isLoopbackBytes(bytes: Uint8Array): boolean {
  if (bytes.length === 4) return bytes[0] === 127;
  const zeros = bytes.subarray(0, 10).every((b) => b === 0);
  const mapped = zeros && bytes[10] === 0xff && bytes[11] === 0xff && bytes[12] === 127;
  return mapped || (zeros && bytes.subarray(10, 15).every((b) => b === 0) && bytes[15] === 1);
}

interface SpaceBlock {
  /** The single host of a "one" block, with the name it was given. */
  target: Target | null;
  /** Neither excluded nor an earlier spec's (null: every address is kept). */
  keep: KeepTest | null;
  loopback: boolean;
}

/** The scan's targets: a count, host h's Target on demand, and the table Workers read. */
export class TargetSpace {
  readonly table: AddressTable;
  private readonly blocks: SpaceBlock[];

  private constructor(
    table: AddressTable,
    blocks: SpaceBlock[],
    /** What the user typed, in order (a scan's identity). */
    readonly specTexts: string[],
  ) {
    this.table = table;
    this.blocks = blocks;
  }

  get count(): number {
    return this.table.count;
  }

  /** Some host is on the loopback network (127.0.0.0/8, ::1). */
  get loopback(): boolean {
    return this.blocks.some((b) => b.loopback);
  }

  /** Some host is IPv6. */
  get ipv6(): boolean {
    return this.table.blocks.some((b) => b.kind === "ipv6" || (b.kind === "one" && b.family === 6));
  }

  /** Host `h`'s Target, or null when it is a hole (excluded, or given by an earlier spec). */
  at(h: number): Target | null {
    const index = blockOf(this.table, h);
    const block = this.blocks[index] as SpaceBlock;
    if (block.target) return block.keep && !block.keep(block.target.bytes) ? null : block.target;
    const { bytes, family } = addressAt(this.table, h);
    if (block.keep && !block.keep(bytes)) return null;
    const offset = h - (this.table.starts[index] as number);
    const spec = this.table.blocks[index] as AddressBlock;
    const text =
      spec.kind === "ipv6"
        ? formatIpv6(spec.base + BigInt(offset))
        : formatIpv4(ipv4At((spec as { octets: number[][] }).octets, offset));
    return plainTarget(text, family, bytes);
  }

  /** A space of these targets, as given (no duplicate or exclusion test: the caller's list). */
  static of(targets: readonly Target[]): TargetSpace {
    const table: AddressTable = {
      count: targets.length,
      starts: targets.map((_, i) => i),
      blocks: targets.map((t) => ({
        kind: "one",
        family: t.family,
        bytes: t.bytes,
        scopeId: t.scopeId,
      })),
      ipv4: targets.some((t) => t.family === 4),
    };
    const blocks = targets.map((target) => ({
      target,
      keep: null,
      loopback: isLoopbackBytes(target.bytes),
    }));
    return new TargetSpace(
      table,
      blocks,
      targets.map((t) => t.name),
    );
  }

  /** The space of the specs, in the user's order: names as resolved (one that failed: none). */
  static fromSpecs(
    specs: readonly TargetSpec[],
    excludes: readonly TargetSpec[],
    names: NameTable,
  ): TargetSpace {
    const keeps = keepTests(specs, excludes, names);
    const table: AddressTable = { count: 0, starts: [], blocks: [], ipv4: false };
    const blocks: SpaceBlock[] = [];
    const add = (block: AddressBlock, size: number, space: SpaceBlock) => {
      table.starts.push(table.count);
      table.blocks.push(block);
      table.count += size;
      blocks.push(space);
    };
    specs.forEach((spec, index) => {
      const keep = keeps[index] as KeepTest;
      const found = spec.kind === "name" ? names.get(spec.text) : undefined;
      if (spec.kind === "name" && !found) return;
      if (found || (spec.kind !== "name" && spec.literal)) {
        const address = found ? found.address : spec.text.replace(/^\[(.*)\]$/, "$1");
        const family = found ? found.family : spec.kind === "ipv4" ? 4 : 6;
        const target = makeTarget(spec.text, address, family, found?.otherAddresses ?? []);
        const one = { kind: "one" as const, family, bytes: target.bytes, scopeId: target.scopeId };
        add(one, 1, { target, keep, loopback: isLoopbackBytes(target.bytes) });
      } else if (spec.kind === "ipv4") {
        const size = spec.octets.reduce((n, values) => n * values.length, 1);
        add({ kind: "ipv4", octets: spec.octets }, size, {
          target: null,
          keep,
          loopback: spec.octets[0]?.includes(127) ?? false,
        });
      } else if (spec.kind === "ipv6") {
        const size = 2 ** (128 - spec.prefix);
        const loopback = spec.base <= 1n && spec.base + BigInt(size) > 1n;
        add({ kind: "ipv6", base: spec.base }, size, { target: null, keep, loopback });
      }
    });
    table.ipv4 = table.blocks.some(
      (b) => b.kind === "ipv4" || (b.kind === "one" && b.family === 4),
    );
    return new TargetSpace(
      table,
      blocks,
      specs.map((s) => s.text),
    );
  }
}
