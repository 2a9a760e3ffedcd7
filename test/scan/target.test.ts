import { expect, test } from "bun:test";
import { addressBytes, makeTarget, resolveTarget } from "../../src/scan/targets/target.ts";
import { RuntimeError } from "../../src/shared/errors.ts";

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

test("literals are used as given, brackets allowed", async () => {
  const v4 = await resolveTarget("127.0.0.1");
  expect(v4).toMatchObject({ address: "127.0.0.1", family: 4, otherAddresses: [] });
  const v6 = await resolveTarget("[::1]");
  expect(v6).toMatchObject({ address: "::1", family: 6 });
});

test("names resolve through the system resolver (/etc/hosts)", async () => {
  const t = await resolveTarget("localhost");
  expect(["127.0.0.1", "::1"]).toContain(t.address);
  expect(t.name).toBe("localhost");
});

test("a malformed name is a one-line runtime error, without asking any DNS server", async () => {
  await expect(resolveTarget("bad_host!")).rejects.toBeInstanceOf(RuntimeError);
  await expect(resolveTarget("bad_host!")).rejects.toThrow(/cannot resolve 'bad_host!'/);
});

test("makeTarget: a numeric zone becomes the scope id, the address stays plain", () => {
  expect(makeTarget("link", "fe80::1%7", 6, [])).toMatchObject({
    name: "link",
    address: "fe80::1",
    scopeId: 7,
  });
  expect([...makeTarget("192.0.2.1", "192.0.2.1", 4, []).bytes]).toEqual([192, 0, 2, 1]);
});
