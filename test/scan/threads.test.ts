import { expect, test } from "bun:test";
import { availableParallelism } from "node:os";
import {
  defaultThreads,
  hostPin,
  isLoopback,
  remoteHostCount,
  type ScanPlan,
} from "../../src/scan/model/plan.ts";
import { TargetSpace } from "../../src/scan/targets/space.ts";
import { makeTarget } from "../../src/scan/targets/target.ts";

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
  expect(remoteHostCount(TargetSpace.of(remote))).toBe(2);
  expect(remoteHostCount(TargetSpace.of(remote.slice(0, 1)))).toBe(1);
  const withLoopback = [...remote, makeTarget("lo", "127.0.0.1", 4, [])];
  expect(remoteHostCount(TargetSpace.of(withLoopback))).toBeNull();
});

test("remote hosts are pinned to Workers by index; loopback scans and fewer hosts are not", () => {
  const remote = ["198.18.0.2", "198.18.0.3", "198.18.0.4"].map((a) => makeTarget(a, a, 4, []));
  const plan = (threads: number, targets = remote) =>
    ({ probe: { threads }, targets: TargetSpace.of(targets) }) as unknown as ScanPlan;
  expect(hostPin(plan(2), 1)).toEqual({ index: 1, count: 2 });
  expect(hostPin(plan(1), 0)).toBeNull();
  expect(hostPin(plan(4), 0)).toBeNull(); // fewer hosts than Workers: some would sit idle
  expect(hostPin(plan(2, [...remote, makeTarget("lo", "127.0.0.1", 4, [])]), 0)).toBeNull();
});

test.skipIf(forced)("one remote host keeps its probes on one Worker", () => {
  expect(defaultThreads(65535, 1000, 1)).toBe(1);
  expect(defaultThreads(65535, 1000, null)).toBe(cores);
  expect(defaultThreads(2 * 65535, 1000, 2)).toBe(Math.min(cores, 2));
});
