import { describe, expect, test } from "bun:test";
import {
  formatIpv4,
  formatIpv6,
  ipv6Bytes,
  ipv6FromBytes,
} from "../../src/scan/targets/address.ts";
import {
  ipv4Numbers,
  ipv6Values,
  parseTargetSpec,
  specContains,
  specSize,
  type TargetSpec,
} from "../../src/scan/targets/spec.ts";
import { addressBytes } from "../../src/scan/targets/target.ts";
import { UsageError } from "../../src/shared/errors.ts";

function addresses(spec: TargetSpec): string[] {
  if (spec.kind === "ipv4") return [...ipv4Numbers(spec)].map(formatIpv4);
  if (spec.kind === "ipv6") return [...ipv6Values(spec)].map(formatIpv6);
  return [spec.text];
}

describe("address text", () => {
  test("IPv6 is written as RFC 5952 says, as node writes it", () => {
    for (const text of [
      "::",
      "::1",
      "2001:db8::1",
      "2001:db8:0:1:1:1:1:1",
      "fe80::1:0:0:2",
      "1::",
    ]) {
      expect(formatIpv6(ipv6FromBytes(addressBytes(text)))).toBe(text);
    }
    // The longest run of zeros is the one compressed, the first of two equal runs.
    expect(formatIpv6(ipv6FromBytes(addressBytes("1:0:0:1:0:0:0:1")))).toBe("1:0:0:1::1");
    expect(formatIpv6(ipv6FromBytes(addressBytes("1:0:0:1:1:0:0:1")))).toBe("1::1:1:0:0:1");
    expect([...ipv6Bytes(ipv6FromBytes(addressBytes("2001:db8::ff")))]).toEqual([
      ...addressBytes("2001:db8::ff"),
    ]);
  });
  test("IPv4 numbers", () => {
    expect(formatIpv4(0xc0000201)).toBe("192.0.2.1");
    expect(formatIpv4(0xffffffff)).toBe("255.255.255.255");
  });
});

describe("target forms", () => {
  test("IPv4 CIDR blocks, aligned down as nmap does", () => {
    expect(addresses(parseTargetSpec("192.0.2.0/30"))).toEqual([
      "192.0.2.0",
      "192.0.2.1",
      "192.0.2.2",
      "192.0.2.3",
    ]);
    expect(addresses(parseTargetSpec("192.0.2.77/31"))).toEqual(["192.0.2.76", "192.0.2.77"]);
    const block = parseTargetSpec("198.18.5.9/20");
    expect(specSize(block)).toBe(4096n);
    const all = addresses(block);
    expect(all[0]).toBe("198.18.0.0");
    expect(all.at(-1)).toBe("198.18.15.255");
    expect(specSize(parseTargetSpec("0.0.0.0/0"))).toBe(2n ** 32n);
    expect(addresses(parseTargetSpec("192.0.2.9/32"))).toEqual(["192.0.2.9"]);
  });

  test("IPv4 octet ranges, lists, open ranges and *", () => {
    expect(addresses(parseTargetSpec("192.0.2.1-3"))).toEqual([
      "192.0.2.1",
      "192.0.2.2",
      "192.0.2.3",
    ]);
    expect(addresses(parseTargetSpec("198.18.1-2.1-2"))).toEqual([
      "198.18.1.1",
      "198.18.1.2",
      "198.18.2.1",
      "198.18.2.2",
    ]);
    expect(addresses(parseTargetSpec("192.0.2.7,1,3-4,3"))).toEqual([
      "192.0.2.1",
      "192.0.2.3",
      "192.0.2.4",
      "192.0.2.7",
    ]);
    expect(specSize(parseTargetSpec("192.0.2.*"))).toBe(256n);
    expect(specSize(parseTargetSpec("192.0.2.-"))).toBe(256n);
    expect(addresses(parseTargetSpec("192.0.2.-2"))).toEqual([
      "192.0.2.0",
      "192.0.2.1",
      "192.0.2.2",
    ]);
    expect(addresses(parseTargetSpec("192.0.2.254-"))).toEqual(["192.0.2.254", "192.0.2.255"]);
    expect(specSize(parseTargetSpec("198.18.1-3.1-254"))).toBe(3n * 254n);
  });

  test("IPv6 literals and CIDR blocks", () => {
    const block = parseTargetSpec("2001:db8::17/126");
    expect(addresses(block)).toEqual([
      "2001:db8::14",
      "2001:db8::15",
      "2001:db8::16",
      "2001:db8::17",
    ]);
    expect(specSize(parseTargetSpec("2001:db8::/120"))).toBe(256n);
    expect(specSize(parseTargetSpec("2001:db8::/32"))).toBe(2n ** 96n);
    expect(parseTargetSpec("[::1]")).toMatchObject({ kind: "ipv6", literal: true });
    expect(parseTargetSpec("fe80::1%2")).toMatchObject({ kind: "ipv6", literal: true });
    expect(parseTargetSpec("::ffff:192.0.2.1")).toMatchObject({ kind: "ipv6" });
  });

  test("literals and names", () => {
    expect(parseTargetSpec("192.0.2.1")).toMatchObject({ kind: "ipv4", literal: true });
    expect(parseTargetSpec("192.0.2.1-2")).toMatchObject({ kind: "ipv4", literal: false });
    for (const name of ["localhost", "scanme.example", "a-b.example.", "host1"]) {
      expect(parseTargetSpec(name)).toEqual({ kind: "name", text: name });
    }
  });

  test("membership follows the same sets as iteration", () => {
    const range = parseTargetSpec("198.18.1-3.1-254");
    expect(specContains(range, addressBytes("198.18.2.254"))).toBe(true);
    expect(specContains(range, addressBytes("198.18.2.255"))).toBe(false);
    expect(specContains(range, addressBytes("198.18.4.1"))).toBe(false);
    expect(specContains(range, addressBytes("::1"))).toBe(false);
    const v6 = parseTargetSpec("2001:db8::/120");
    expect(specContains(v6, addressBytes("2001:db8::ff"))).toBe(true);
    expect(specContains(v6, addressBytes("2001:db8::100"))).toBe(false);
    expect(specContains(v6, addressBytes("192.0.2.1"))).toBe(false);
    expect(specContains(parseTargetSpec("localhost"), addressBytes("127.0.0.1"))).toBe(false);
  });
});

describe("bad specs: one UsageError naming the spec", () => {
  test.each([
    ["192.0.2", /'192.0.2': .*needs 4 octets/],
    ["192.0.2.1.5", /needs 4 octets/],
    ["192.0.2.256", /octet 256 is out of range/],
    ["192.0.2.1-300", /octet 300 is out of range/],
    ["192.0.2.20-1", /reversed range '20-1' \(did you mean 1-20\?\)/],
    ["192.0.2.1-2-3", /'1-2-3' is not an octet/],
    ["192.0..1", /empty octet/],
    ["192.0.2.,1", /is not an octet/],
    ["192.0.2.0/33", /prefix length must be 0-32, got '\/33'/],
    ["192.0.2.0/", /prefix length/],
    ["192.0.2.0/x", /prefix length/],
    ["192.0.2.1-5/24", /CIDR block needs a plain address/],
    ["2001:db8::/129", /prefix length must be 0-128/],
    ["fe80::1%2/64", /cannot have a zone/],
    ["host.example/24", /CIDR blocks need an address, not a host name/],
    ["bad_host!", /'bad_host!': not a host name/],
    ["-host", /not a host name/],
    ["::1-5", /not a host name/],
    ["a".repeat(254), /not a host name/],
    ["", /empty target/],
  ])("%p", (spec, message) => {
    expect(() => parseTargetSpec(spec)).toThrow(UsageError);
    expect(() => parseTargetSpec(spec)).toThrow(message);
  });

  test("the origin is named", () => {
    expect(() => parseTargetSpec("192.0.2.999", "--exclude")).toThrow(/^--exclude '192.0.2.999'/);
  });
});
