// One target spec as nmap takes it: a host name, an IPv4 or IPv6 address, a CIDR block
// (192.0.2.0/24, 2001:db8::/120) or IPv4 octet ranges (192.0.2.1-20, 198.18.1-3.1-254,
// 192.0.2.*, 192.0.2.1,5,9). Parsing, size, membership and lazy iteration; pure, no I/O.
import { isIP } from "node:net";
import { UsageError } from "../../shared/errors.ts";
import { ipv6FromBytes } from "./address.ts";
import { addressBytes } from "./target.ts";

/** IPv4 forms: each of the 4 octets is a set of values (a CIDR block is one too). */
export interface Ipv4Spec {
  kind: "ipv4";
  text: string;
  /** Sorted values of each octet, and the same as 256 membership flags. */
  octets: number[][];
  flags: Uint8Array[];
  /** A single address as typed (shown under the name the user gave). */
  literal: boolean;
}

export interface Ipv6Spec {
  kind: "ipv6";
  text: string;
  base: bigint;
  prefix: number;
  literal: boolean;
}

export interface NameSpec {
  kind: "name";
  text: string;
}

export type TargetSpec = Ipv4Spec | Ipv6Spec | NameSpec;

const HOST_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9.])?$/;
const IPV4_PATTERN = /^[0-9.,*-]+$/;

/** Parse one spec; `where` names its origin in errors ("target", "--exclude"). */
export function parseTargetSpec(raw: string, where = "target"): TargetSpec {
  const text = raw.trim();
  const fail = (why: string): never => {
    throw new UsageError(`${where} '${text}': ${why}`);
  };
  if (text === "") throw new UsageError(`${where}: empty target`);
  const slash = text.indexOf("/");
  const base = (slash < 0 ? text : text.slice(0, slash)).replace(/^\[(.*)\]$/, "$1");
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const family = isIP(base.split("%")[0] ?? "");
  if (family === 6) {
    const prefix = prefixText === undefined ? 128 : parsePrefix(prefixText, 128, fail);
    if (prefix < 128 && base.includes("%")) fail("a CIDR block cannot have a zone (%)");
    const value = ipv6FromBytes(addressBytes(base.split("%")[0] as string));
    const mask = ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
    return { kind: "ipv6", text, base: value & mask, prefix, literal: prefixText === undefined };
  }
  if (family === 4 || IPV4_PATTERN.test(base)) {
    const octets = parseOctets(base, fail);
    if (prefixText !== undefined) {
      if (family !== 4) fail("a CIDR block needs a plain address before the '/'");
      applyPrefix(octets, parsePrefix(prefixText, 32, fail));
    }
    return {
      kind: "ipv4",
      text,
      octets,
      flags: octets.map((values) => {
        const set = new Uint8Array(256);
        for (const v of values) set[v] = 1;
        return set;
      }),
      literal: family === 4 && prefixText === undefined,
    };
  }
  if (prefixText !== undefined) fail("CIDR blocks need an address, not a host name");
  if (text.length > 253 || !HOST_NAME.test(text))
    fail("not a host name, an address, a CIDR block or an IPv4 range");
  return { kind: "name", text };
}

function parsePrefix(text: string, max: number, fail: (why: string) => never): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) > max)
    fail(`the prefix length must be 0-${max}, got '/${text}'`);
  return Number(text);
}

/** "1-3,7,*": the values of each of the 4 octets. */
function parseOctets(text: string, fail: (why: string) => never): number[][] {
  const parts = text.split(".");
  if (parts.length !== 4) fail("an IPv4 address or range needs 4 octets");
  return parts.map((part) => {
    const seen = new Uint8Array(256);
    if (part === "") fail("empty octet");
    for (const item of part.split(",")) {
      if (item === "*" || item === "-") {
        seen.fill(1);
        continue;
      }
      const match = /^(\d*)-?(\d*)$/.exec(item);
      if (!match || item === "") fail(`'${item}' is not an octet or a range of octets`);
      const [, lowText = "", highText = ""] = match as RegExpExecArray;
      const low = lowText === "" ? 0 : Number(lowText);
      const high = item.includes("-") ? (highText === "" ? 255 : Number(highText)) : low;
      if (low > 255 || high > 255) fail(`octet ${Math.max(low, high)} is out of range (0-255)`);
      if (low > high) fail(`reversed range '${item}' (did you mean ${high}-${low}?)`);
      seen.fill(1, low, high + 1);
    }
    const values: number[] = [];
    for (let v = 0; v < 256; v++) if (seen[v]) values.push(v);
    return values;
  });
}

/** A /prefix turns the octets of a single address into the block's sets. */
function applyPrefix(octets: number[][], prefix: number): void {
  for (let i = 0; i < 4; i++) {
    const bits = Math.min(8, Math.max(0, prefix - 8 * i));
    const keep = (0xff << (8 - bits)) & 0xff;
    const first = (octets[i]?.[0] ?? 0) & keep;
    octets[i] = Array.from({ length: 1 << (8 - bits) }, (_, k) => first + k);
  }
}

/** How many addresses a spec stands for (a name counts as one). */
export function specSize(spec: TargetSpec): bigint {
  if (spec.kind === "name") return 1n;
  if (spec.kind === "ipv6") return 1n << BigInt(128 - spec.prefix);
  return spec.octets.reduce((n, values) => n * BigInt(values.length), 1n);
}

/** Whether an address (4 or 16 network-order bytes) is one of the spec's; names never match. */
export function specContains(spec: TargetSpec, bytes: Uint8Array): boolean {
  if (spec.kind === "ipv4") {
    return bytes.length === 4 && spec.flags.every((set, i) => set[bytes[i] as number] === 1);
  }
  if (spec.kind !== "ipv6" || bytes.length !== 16) return false;
  const shift = BigInt(128 - spec.prefix);
  return ipv6FromBytes(bytes) >> shift === spec.base >> shift;
}

/**
 * Whether two specs may share an address: exact for IPv6 blocks, an over-estimate for IPv4
 * (each octet's bounds, not its values). Names may be anything.
 */
export function specsMayOverlap(a: TargetSpec, b: TargetSpec): boolean {
  if (a.kind === "name" || b.kind === "name") return true;
  if (a.kind === "ipv4" && b.kind === "ipv4") {
    return a.octets.every((values, i) => {
      const other = b.octets[i] as number[];
      return (
        (values[0] as number) <= (other.at(-1) as number) &&
        (other[0] as number) <= (values.at(-1) as number)
      );
    });
  }
  if (a.kind === "ipv6" && b.kind === "ipv6") {
    const shift = BigInt(128 - Math.min(a.prefix, b.prefix));
    return a.base >> shift === b.base >> shift;
  }
  return false;
}

/** The IPv4 addresses of a spec as 32-bit numbers, in order, one at a time. */
export function* ipv4Numbers(spec: Ipv4Spec): Generator<number> {
  const [a = [], b = [], c = [], d = []] = spec.octets;
  for (const x of a)
    for (const y of b)
      for (const z of c) for (const w of d) yield ((x << 24) | (y << 16) | (z << 8) | w) >>> 0;
}

/** The IPv6 addresses of a spec, in order, one at a time. */
export function* ipv6Values(spec: Ipv6Spec): Generator<bigint> {
  const end = spec.base + specSize(spec);
  for (let v = spec.base; v < end; v++) yield v;
}
