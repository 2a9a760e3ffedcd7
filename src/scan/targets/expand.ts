// The targets of a scan, streamed in the user's order: every spec expanded lazily, each address
// given once (where it first appears), the exclusions left out. Nothing is materialized, so a
// /8 costs no memory; host names come in already resolved (see resolve.ts). Pure.
import { UsageError } from "../../shared/errors.ts";
import { addressKey, formatIpv4, formatIpv6, ipv4Bytes, ipv6Bytes } from "./address.ts";
import {
  ipv4Numbers,
  ipv6Values,
  parseTargetSpec,
  specContains,
  specSize,
  specsMayOverlap,
  type TargetSpec,
} from "./spec.ts";
import { addressBytes, makeTarget, type Target } from "./target.ts";

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

/** A set of addresses to test against: single addresses by key, blocks one by one. */
interface AddressSet {
  singles: Map<string, number>;
  /** The lowest spec index among the singles (Infinity: none). */
  firstSingle: number;
  blocks: Array<{ index: number; spec: TargetSpec }>;
}

/** The addresses of `specs` (names: the addresses they resolved to; `all`: every one of them). */
function addressSet(specs: readonly TargetSpec[], names: NameTable, all: boolean): AddressSet {
  const set: AddressSet = { singles: new Map(), firstSingle: Number.POSITIVE_INFINITY, blocks: [] };
  specs.forEach((spec, index) => {
    const found = spec.kind === "name" ? names.get(spec.text) : undefined;
    const singles =
      spec.kind === "name"
        ? found
          ? [found.address, ...(all ? found.otherAddresses : [])]
          : []
        : spec.literal
          ? [unbracket(spec.text)]
          : [];
    for (const address of singles) {
      const key = addressKey(addressBytes(address.split("%")[0] as string));
      if (!set.singles.has(key)) set.singles.set(key, index);
      set.firstSingle = Math.min(set.firstSingle, index);
    }
    if (spec.kind !== "name" && !spec.literal) set.blocks.push({ index, spec });
  });
  return set;
}

/**
 * A test for "is in `set` before spec `index`" for the addresses of `spec`: only the blocks
 * that may overlap it are kept, so a list of many disjoint subnets costs nothing per address.
 */
function memberTest(set: AddressSet, spec: TargetSpec, index: number) {
  const blocks = set.blocks
    .filter((b) => b.index < index && specsMayOverlap(b.spec, spec))
    .map((b) => b.spec);
  const anySingle = set.firstSingle < index;
  return (bytes: Uint8Array): boolean => {
    if (anySingle) {
      const first = set.singles.get(addressKey(bytes));
      if (first !== undefined && first < index) return true;
    }
    return blocks.some((block) => specContains(block, bytes));
  };
}

const unbracket = (text: string) => text.replace(/^\[(.*)\]$/, "$1");

/** Is an address of spec `index` kept: neither excluded nor given by an earlier spec? */
export type KeepTest = (bytes: Uint8Array) => boolean;

/**
 * The keep test of each spec: only the exclusions and earlier specs that may overlap it are
 * looked at, so disjoint blocks with no exclusion cost one empty check per address.
 */
export function keepTests(
  specs: readonly TargetSpec[],
  excludes: readonly TargetSpec[],
  names: NameTable,
): KeepTest[] {
  const targetSet = addressSet(specs, names, false);
  const excludeSet = addressSet(excludes, names, true);
  return specs.map((spec, index) => {
    const found = spec.kind === "name" ? names.get(spec.text) : undefined;
    // A name stands for its address: compared with every earlier spec and exclusion.
    const likeSpec = found ? parseTargetSpec(found.address) : spec;
    const seen = memberTest(targetSet, likeSpec, index);
    const excluded = memberTest(excludeSet, likeSpec, excludes.length);
    return (bytes: Uint8Array) => !excluded(bytes) && !seen(bytes);
  });
}

/** The candidates in order; `undefined` for one that is skipped (duplicate or excluded). */
function* candidates(
  specs: readonly TargetSpec[],
  excludes: readonly TargetSpec[],
  names: NameTable,
): Generator<Target | undefined> {
  const tests = keepTests(specs, excludes, names);
  for (const [index, spec] of specs.entries()) {
    const found = spec.kind === "name" ? names.get(spec.text) : undefined;
    const keep = tests[index] as KeepTest;
    if (spec.kind === "name") {
      if (!found) continue;
      const target = makeTarget(spec.text, found.address, found.family, found.otherAddresses);
      yield keep(target.bytes) ? target : undefined;
    } else if (spec.literal) {
      const target = makeTarget(spec.text, unbracket(spec.text), spec.kind === "ipv4" ? 4 : 6, []);
      yield keep(target.bytes) ? target : undefined;
    } else if (spec.kind === "ipv4") {
      for (const n of ipv4Numbers(spec)) {
        const bytes = ipv4Bytes(n);
        yield keep(bytes) ? plainTarget(formatIpv4(n), 4, bytes) : undefined;
      }
    } else {
      for (const v of ipv6Values(spec)) {
        const bytes = ipv6Bytes(v);
        yield keep(bytes) ? plainTarget(formatIpv6(v), 6, bytes) : undefined;
      }
    }
  }
}

export function plainTarget(address: string, family: 4 | 6, bytes: Uint8Array): Target {
  return { name: address, address, family, bytes, scopeId: 0, otherAddresses: [] };
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
