// The engine driven directly, on this machine's loopback, against listeners the test owns
// (and ports it just freed, so nothing else listens there).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { TCPSocketListener } from "bun";
import { freePort } from "../../scripts/lib/net.ts";
import { scan } from "../../src/scan/engine.ts";
import { openFdCount } from "../../src/scan/libc.ts";
import { CLOSED, OPEN } from "../../src/scan/prober.ts";
import { resolveTarget } from "../../src/scan/target.ts";

// Real sockets and child processes on a shared 2-core machine: bun's 5 s default is tight.
setDefaultTimeout(60_000);

async function fdsSettleAtOrBelow(count: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (openFdCount() <= count) return true;
    await Bun.sleep(20);
  }
  return false;
}

const listeners: TCPSocketListener[] = [];
let open: number[] = [];
let closed: number[] = [];

function listen(hostname: string): TCPSocketListener {
  const l = Bun.listen({
    hostname,
    port: 0,
    socket: {
      data() {},
      open(s) {
        s.end();
      },
    },
  });
  listeners.push(l);
  return l;
}

beforeAll(async () => {
  open = Array.from({ length: 5 }, () => listen("127.0.0.1").port);
  closed = [];
  while (closed.length < 20) {
    const p = await freePort();
    if (!open.includes(p) && !closed.includes(p)) closed.push(p);
  }
});
afterAll(() => {
  for (const l of listeners) l.stop(true);
});

const base = { ordered: false, fixedTimeoutMs: null, retries: 1, bannerMs: 0 };

describe("engine on loopback", () => {
  test.each([
    [1, 1],
    [1, 500],
    [2, 500],
    [2, 3],
  ])(
    "threads %d, concurrency %d: own listeners open, freed ports closed",
    async (threads, concurrency) => {
      const ports = [...open, ...closed].sort((a, b) => a - b);
      const fdsBefore = openFdCount();
      const r = await scan(await resolveTarget("127.0.0.1"), {
        ...base,
        ports,
        concurrency,
        threads,
      });
      for (const p of open) expect(r.states[p]).toBe(OPEN);
      for (const p of closed) expect(r.states[p]).toBe(CLOSED);
      expect(r.counts).toEqual({
        scanned: ports.length,
        open: open.length,
        closed: closed.length,
        filtered: 0,
      });
      expect(r.interrupted).toBe(false);
      expect(r.stats.threads).toBe(threads);
      expect(r.timing.samples).toBeGreaterThanOrEqual(ports.length);
      // The test process may close unrelated descriptors meanwhile (children of earlier
      // files): the engine must not leave any of its own, so the count is back at or below.
      expect(await fdsSettleAtOrBelow(fdsBefore)).toBe(true);
    },
  );

  test("IPv6 ::1", async () => {
    const l = listen("::1");
    const free = await freePort("::1");
    const r = await scan(await resolveTarget("::1"), {
      ...base,
      ports: [l.port, free].sort((a, b) => a - b),
      concurrency: 10,
    });
    expect(r.states[l.port]).toBe(OPEN);
    expect(r.states[free]).toBe(CLOSED);
  });

  test("a banner is read from an open port that speaks first", async () => {
    const l = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data() {},
        open(s) {
          s.write("SSH-2.0-tp-test\r\n");
        },
      },
    });
    listeners.push(l);
    const r = await scan(await resolveTarget("127.0.0.1"), {
      ...base,
      ports: [l.port],
      concurrency: 10,
      bannerMs: 2000,
    });
    expect(r.states[l.port]).toBe(OPEN);
    expect(r.banners.get(l.port)).toBe("SSH-2.0-tp-test\r\n");
  });

  test("an aborted scan stops and says so", async () => {
    const controller = new AbortController();
    controller.abort();
    const ports = Array.from({ length: 20000 }, (_, i) => i + 1);
    const r = await scan(await resolveTarget("127.0.0.1"), {
      ...base,
      ports,
      concurrency: 100,
      signal: controller.signal,
    });
    expect(r.interrupted).toBe(true);
    expect(r.counts.scanned).toBeLessThan(ports.length);
  });

  test("progress is reported up to the total", async () => {
    const seen: number[] = [];
    const ports = [...open, ...closed].sort((a, b) => a - b);
    await scan(await resolveTarget("127.0.0.1"), {
      ...base,
      ports,
      concurrency: 10,
      onProgress: (done, total) => {
        expect(total).toBe(ports.length);
        seen.push(done);
      },
    });
    expect(seen.at(-1)).toBe(ports.length);
  });
});
