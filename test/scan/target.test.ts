import { expect, test } from "bun:test";
import { addressBytes, makeTarget } from "../../src/scan/targets/target.ts";

test("addressBytes: IPv4 and IPv6 literals in network order", () => {
  expect([...addressBytes("127.0.0.1")]).toEqual([127, 0, 0, 1]);
  expect([...addressBytes("::1")]).toEqual([...Array(15).fill(0), 1]);
  expect([...addressBytes("::")]).toEqual(Array(16).fill(0));
  expect([...addressBytes("fe80::1:2")]).toEqual([0xfe, 0x80, ...Array(10).fill(0), 0, 1, 0, 2]);
  expect([...addressBytes("2001:db8::")]).toEqual([0x20, 0x01, 0x0d, 0xb8, ...Array(12).fill(0)]);
  expect([...addressBytes("::ffff:127.0.0.1")]).toEqual([
    ...Array(10).fill(0),
    255,
    255,
    127,
    0,
    0,
    1,
  ]);
  expect(() => addressBytes("not-an-ip")).toThrow();
});

test("makeTarget: a numeric zone becomes the scope id, the address stays plain", () => {
  expect(makeTarget("link", "fe80::1%7", 6, [])).toMatchObject({
    name: "link",
    address: "fe80::1",
    scopeId: 7,
  });
  expect([...makeTarget("192.0.2.1", "192.0.2.1", 4, []).bytes]).toEqual([192, 0, 2, 1]);
});
