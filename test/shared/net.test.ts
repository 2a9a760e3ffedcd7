import { expect, test } from "bun:test";
import { formatHostPort } from "../../src/shared/net.ts";

test("formatHostPort brackets IPv6 only", () => {
  expect(formatHostPort("127.0.0.1", 1)).toBe("127.0.0.1:1");
  expect(formatHostPort("::1", 80)).toBe("[::1]:80");
});
