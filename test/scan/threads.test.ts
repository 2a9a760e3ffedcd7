import { expect, test } from "bun:test";
import { availableParallelism } from "node:os";
import { defaultThreads, isLoopback, remoteHostCount } from "../../src/scan/plan.ts";
import { makeTarget } from "../../src/scan/target.ts";

const cores = Math.min(4, availableParallelism());
const forced = process.env.TP_SCAN_THREADS !== undefined;

test("loopback addresses", () => {
  expect(isLoopback("127.0.0.1")).toBe(true);
  expect(isLoopback("127.4.5.6")).toBe(true);
  expect(isLoopback("::1")).toBe(true);
  expect(isLoopback("198.18.0.2")).toBe(false);
  expect(isLoopback("2001:db8::1")).toBe(false);
});

test("the host-count cap applies only when no target is on loopback", () => {
  const remote = [makeTarget("a", "198.18.0.2", 4, []), makeTarget("b", "198.18.0.3", 4, [])];
  expect(remoteHostCount(remote)).toBe(2);
  expect(remoteHostCount(remote.slice(0, 1))).toBe(1);
  expect(remoteHostCount([...remote, makeTarget("lo", "127.0.0.1", 4, [])])).toBeNull();
});

test.skipIf(forced)("one remote host keeps its probes on one Worker", () => {
  expect(defaultThreads(65535, 1000, 1)).toBe(1);
  expect(defaultThreads(65535, 1000, null)).toBe(cores);
  expect(defaultThreads(2 * 65535, 1000, 2)).toBe(Math.min(cores, 2));
});
