// The targets of a scan, streamed in the user's order: every spec expanded lazily, each address
// given once (where it first appears), the exclusions left out. Nothing is materialized, so a
// /8 costs no memory; host names come in already resolved (see resolve.ts). Pure.
import { UsageError } from "../../shared/errors.ts";
import { addressBytes, makeTarget, type Target } from "../target.ts";
import { addressKey, formatIpv4, formatIpv6, ipv4Bytes, ipv6Bytes } from "./address.ts";
import { ipv4Numbers, ipv6Values, specContains, specSize, type TargetSpec } from "./spec.ts";

/** More addresses than this needs ALLOW_MANY_FLAG: a typo (/8 for /24) should not start a scan. */
export const MAX_TARGETS_WITHOUT_FLAG = 65_536;
export const ALLOW_MANY_FLAG = "--allow-many";
/** Even with the flag: a whole IPv4 space, no more (an IPv6 /64 would never end). */
export const MAX_TARGETS = 2 ** 32;

/** What a host name resolved to: the address scanned and the others it has. */
export interface ResolvedName {
  address: string;
  family: 4 | 6;
  otherAddresses: string[];
}

/** Resolved names; a name missing from the map (it failed) is skipped. */
export type NameTable = ReadonlyMap<string, ResolvedName>;

/** Addresses the specs stand for before duplicates and exclusions (a name counts as one). */
export function upperBound(specs: readonly TargetSpec[]): bigint {
  return specs.reduce((n, spec) => n + specSize(spec), 0n);
}

/** The candidates in order; `undefined` for one that is skipped (duplicate or excluded). */
function* candidates(
  specs: readonly TargetSpec[],
  excludes: readonly TargetSpec[],
  names: NameTable,
): Generator<Target | undefined> {
  const isExcluded = membership(excludes, names);
  // Where each single address first appears, and the specs of several (checked one by one).
  const firstSingle = new Map<string, number>();
  const blocks: Array<{ index: number; spec: TargetSpec }> = [];
  specs.forEach((spec, index) => {
    const bytes = singleAddress(spec, names);
    if (bytes) {
      const key = addressKey(bytes);
      if (!firstSingle.has(key)) firstSingle.set(key, index);
    } else if (spec.kind !== "name") blocks.push({ index, spec });
  });
  const seenBefore = (bytes: Uint8Array, index: number): boolean => {
    const first = firstSingle.get(addressKey(bytes));
    if (first !== undefined && first < index) return true;
    for (const block of blocks) {
      if (block.index >= index) break;
      if (specContains(block.spec, bytes)) return true;
    }
    return false;
  };
  const keep = (bytes: Uint8Array, index: number) =>
    !isExcluded(bytes) && !seenBefore(bytes, index);

  for (const [index, spec] of specs.entries()) {
    if (spec.kind === "name") {
      const found = names.get(spec.text);
      if (!found) continue;
      const target = makeTarget(spec.text, found.address, found.family, found.otherAddresses);
      yield keep(target.bytes, index) ? target : undefined;
    } else if (spec.literal) {
      const target = makeTarget(
        spec.text,
        spec.text.replace(/^\[(.*)\]$/, "$1"),
        spec.kind === "ipv4" ? 4 : 6,
        [],
      );
      yield keep(target.bytes, index) ? target : undefined;
    } else if (spec.kind === "ipv4") {
      for (const n of ipv4Numbers(spec)) {
        const bytes = ipv4Bytes(n);
        yield keep(bytes, index) ? plainTarget(formatIpv4(n), 4, bytes) : undefined;
      }
    } else {
      for (const v of ipv6Values(spec)) {
        const bytes = ipv6Bytes(v);
        yield keep(bytes, index) ? plainTarget(formatIpv6(v), 6, bytes) : undefined;
      }
    }
  }
}

function plainTarget(address: string, family: 4 | 6, bytes: Uint8Array): Target {
  return { name: address, address, family, bytes, scopeId: 0, otherAddresses: [] };
}

/** The one address of a literal or a resolved name, else undefined. */
function singleAddress(spec: TargetSpec, names: NameTable): Uint8Array | undefined {
  if (spec.kind === "name") {
    const found = names.get(spec.text);
    return found ? addressBytes(found.address.split("%")[0] as string) : undefined;
  }
  if (!spec.literal) return undefined;
  return addressBytes(spec.text.replace(/^\[(.*)\]$/, "$1").split("%")[0] as string);
}

/** A test for "is one of these specs" (names: every address they resolved to). */
function membership(specs: readonly TargetSpec[], names: NameTable): (b: Uint8Array) => boolean {
  const singles = new Set<string>();
  const blocks: TargetSpec[] = [];
  for (const spec of specs) {
    if (spec.kind === "name") {
      const found = names.get(spec.text);
      for (const a of found ? [found.address, ...found.otherAddresses] : [])
        singles.add(addressKey(addressBytes(a.split("%")[0] as string)));
    } else blocks.push(spec);
  }
  return (bytes) =>
    (singles.size > 0 && singles.has(addressKey(bytes))) ||
    blocks.some((spec) => specContains(spec, bytes));
}

/** The targets to scan, in the user's order, each address once, exclusions left out. */
export function* expandTargets(
  specs: readonly TargetSpec[],
  excludes: readonly TargetSpec[],
  names: NameTable,
): Generator<Target> {
  for (const target of candidates(specs, excludes, names)) if (target) yield target;
}

/**
 * Count the targets up to `limit + 1` (enough to tell "more than limit"). Looks at no more than
 * `budget` candidates: when exclusions skip that many, the answer is "more" (limit + 1).
 */
export function countTargets(
  specs: readonly TargetSpec[],
  excludes: readonly TargetSpec[],
  names: NameTable,
  limit: number,
  budget = 1 << 22,
): number {
  let count = 0;
  let looked = 0;
  for (const target of candidates(specs, excludes, names)) {
    if (target) count++;
    if (count > limit || ++looked > budget) return limit + 1;
  }
  return count;
}

/**
 * The typo guard, before any name is resolved (each name counts as one): more than
 * MAX_TARGETS_WITHOUT_FLAG addresses need ALLOW_MANY_FLAG; more than MAX_TARGETS never run.
 */
export function checkTargetCount(
  specs: readonly TargetSpec[],
  excludes: readonly TargetSpec[],
  allowMany: boolean,
): void {
  const bound = upperBound(specs);
  const largest = specs.reduce<TargetSpec | undefined>(
    (a, b) => (!a || specSize(b) > specSize(a) ? b : a),
    undefined,
  );
  const where =
    largest && specSize(largest) > 1n ? ` (${largest.text} alone has ${specSize(largest)})` : "";
  if (bound > BigInt(MAX_TARGETS))
    throw new UsageError(`too many targets: ${bound} addresses${where}, at most ${MAX_TARGETS}`);
  if (allowMany || bound <= BigInt(MAX_TARGETS_WITHOUT_FLAG)) return;
  const nameCount = specs.filter((s) => s.kind === "name").length;
  const addresses = countTargets(specs, excludes, new Map(), MAX_TARGETS_WITHOUT_FLAG - nameCount);
  if (addresses + nameCount > MAX_TARGETS_WITHOUT_FLAG)
    throw new UsageError(
      `more than ${MAX_TARGETS_WITHOUT_FLAG} target addresses${where}: check the spec, or add ${ALLOW_MANY_FLAG} to scan them all`,
    );
}
