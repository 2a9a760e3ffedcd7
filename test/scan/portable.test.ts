// The portable node:net prober (src/scan/portable/probe.ts) on this machine's loopback: the
// full range against `ss -ltn`, its own listeners found, and descriptors back to where they were.
import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { ssListening } from "../../scripts/lib/ss.ts";
import { type ProbeState, probePorts } from "../../src/scan/portable/probe.ts";

const hasSs = Bun.which("ss") !== null;
const hasProcFd = process.platform === "linux";
if (!hasSs) console.warn("skip portable vs ss: ss is not installed (apt-get install -y iproute2)");

const LOOPBACK = {
  address: "127.0.0.1",
  family: 4,
  concurrency: 200,
  timeoutMs: 2000,
  retries: 1,
} as const;

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

test.skipIf(!hasSs)(
  "full loopback range: the open ports are exactly those ss lists",
  async () => {
    const listeners = Array.from({ length: 3 }, () =>
      Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }),
    );
    try {
      const ssBefore = ssListening("127.0.0.1");
      // One probe first: node:net's own descriptors are opened once, lazily.
      await probePorts({ ...LOOPBACK, ports: [1], onState() {} });
      const fdsBefore = hasProcFd ? openFds() : 0;
      const states = new Map<number, ProbeState>();
      await probePorts({
        ...LOOPBACK,
        ports: Array.from({ length: 65535 }, (_, i) => i + 1),
        onState(port, state) {
          expect(states.has(port)).toBe(false);
          states.set(port, state);
        },
      });
      expect(states.size).toBe(65535);
      const open = [...states].filter(([, s]) => s === "open").map(([p]) => p);
      // Other programs' listeners may come or go during the scan: what ss listed both before and
      // after must be open, and nothing ss never listed may be.
      const ssAfter = ssListening("127.0.0.1");
      const stable = ssBefore.filter((p) => ssAfter.includes(p));
      expect(stable.filter((p) => !open.includes(p))).toEqual([]);
      expect(open.filter((p) => !ssBefore.includes(p) && !ssAfter.includes(p))).toEqual([]);
      for (const l of listeners) expect(open).toContain(l.port);
      expect([...states.values()].filter((s) => s === "filtered")).toEqual([]);
      if (hasProcFd) {
        // destroy() closes on the next turns of the event loop: allow a bounded moment.
        for (let i = 0; i < 40 && openFds() > fdsBefore; i++) await Bun.sleep(50);
        expect(openFds()).toBeLessThanOrEqual(fdsBefore);
      }
    } finally {
      for (const l of listeners) l.stop(true);
    }
  },
  60_000,
);

test("an abort stops the probing early, every reported port once", async () => {
  const controller = new AbortController();
  const seen = new Set<number>();
  await probePorts(
    {
      address: "127.0.0.1",
      family: 4,
      ports: Array.from({ length: 20000 }, (_, i) => i + 1),
      concurrency: 10,
      timeoutMs: 1000,
      retries: 0,
      onState(port) {
        expect(seen.has(port)).toBe(false);
        seen.add(port);
        if (seen.size === 100) controller.abort();
      },
    },
    controller.signal,
  );
  expect(seen.size).toBeGreaterThanOrEqual(100);
  expect(seen.size).toBeLessThan(200);
});
