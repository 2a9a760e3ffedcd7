// The ICMP rate-limit policy against a simulated Linux host (udp-sim.ts).
import { describe, expect, test } from "bun:test";
import { icmpFloorMs } from "../../src/scan/policy/icmp-limit.ts";
import { type Host, udpScan } from "./udp-sim.ts";

describe("a Linux host at net.ipv4.icmp_ratelimit=100 (10/s), 1000 ports, 3 open", () => {
  const host: Host = {
    ports: 1000,
    open: new Set([53, 123, 161]),
    dropped: new Set(),
    ratelimitMs: 100,
    rttMs: 40,
  };
  const r = udpScan(host, true);

  test("every closed port closed, the open ones found at once", () => {
    expect(r.open).toBe(3);
    expect(r.closed).toBe(997);
    expect(r.limited).toBe(true);
    expect(r.rate as number).toBeGreaterThan(8);
    expect(r.rate as number).toBeLessThan(13);
    expect(Math.max(...r.openFoundAt)).toBeLessThan(2000);
  });

  test("within 1.1x the host's floor (simulated time)", () => {
    const floor = icmpFloorMs(997, 100); // 99.1 s
    expect(r.ms).toBeLessThan(1.1 * floor);
  });

  test("--defeat-icmp-ratelimit: fast, open ports still found, most closed ones open|filtered", () => {
    const fast = udpScan(host, false);
    expect(fast.open).toBe(3);
    expect(fast.limited).toBe(false);
    expect(fast.openFiltered).toBeGreaterThan(900);
    expect(fast.ms).toBeLessThan(10_000);
  });
});

describe("the kernel's default (1/s), few ports", () => {
  test("20 ports, 2 dropped by a firewall: closed ones closed, dropped ones open|filtered", () => {
    const host: Host = {
      ports: 20,
      open: new Set([5]),
      dropped: new Set([7, 8]),
      ratelimitMs: 1000,
      rttMs: 40,
    };
    const r = udpScan(host, true);
    expect(r.open).toBe(1);
    expect(r.closed).toBe(17);
    expect(r.openFiltered).toBe(2);
    expect(r.ms).toBeLessThan(3 * icmpFloorMs(17, 1000));
  });
});

describe("no limit (loopback is exempt)", () => {
  test("never called limited, fast", () => {
    const host: Host = {
      ports: 1000,
      open: new Set([1]),
      dropped: new Set(),
      ratelimitMs: 0,
      rttMs: 2,
    };
    const r = udpScan(host, true);
    expect(r.closed).toBe(999);
    expect(r.limited).toBe(false);
    expect(r.ms).toBeLessThan(1000);
  });
});
