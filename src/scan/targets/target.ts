// A scan target: an address (resolved from a literal or a name by settings.ts and resolve.ts).
import { isIP } from "node:net";
import { UsageError } from "../../shared/errors.ts";

export interface Target {
  /** What the user typed. */
  name: string;
  /** The address scanned. */
  address: string;
  family: 4 | 6;
  /** Network-order bytes of `address` (4 or 16). */
  bytes: Uint8Array;
  scopeId: number;
  /** Other addresses the name resolved to (not scanned). */
  otherAddresses: string[];
}

/** Network-order bytes of an IPv4 or IPv6 literal (no zone). Throws on anything else. */
export function addressBytes(address: string): Uint8Array {
  const family = isIP(address);
  if (family === 4) return Uint8Array.from(address.split(".").map(Number));
  if (family !== 6) throw new UsageError(`'${address}' is not an IP address`);
  let text = address;
  const out = new Uint8Array(16);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = addressBytes(v4[1] as string);
    const hex = (i: number) => (((b[i] as number) << 8) | (b[i + 1] as number)).toString(16);
    text = `${text.slice(0, -(v4[1] as string).length)}${hex(0)}:${hex(2)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [
    ...headGroups,
    ...Array(8 - headGroups.length - tailGroups.length).fill("0"),
    ...tailGroups,
  ];
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** A Target for an address literal (an IPv6 one may carry a numeric zone: fe80::1%2). */
export function makeTarget(name: string, address: string, family: 4 | 6, others: string[]): Target {
  const [plain = address, zone] = address.split("%");
  const scopeId = zone !== undefined && /^\d+$/.test(zone) ? Number(zone) : 0;
  return {
    name,
    address: plain,
    family,
    bytes: addressBytes(plain),
    scopeId,
    otherAddresses: others,
  };
}
