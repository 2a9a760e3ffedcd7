// The engine driven directly, on this machine's loopback, against listeners the test owns
// (and ports it just freed, so nothing else listens there).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { TCPSocketListener } from "bun";
import { freePort } from "../../scripts/lib/net.ts";
import { scan } from "../../src/scan/engine/engine.ts";
import { STATE_CODE } from "../../src/scan/model/results.ts";
import type { ProbeRequest } from "../../src/scan/model/settings.ts";
import { openFdCount } from "../../src/scan/sys/libc.ts";
import { literalTarget, planFor, probeFor } from "./fixtures/plan.ts";

const { open: OPEN, closed: CLOSED } = STATE_CODE;

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

/** The one host's result of a scan of `host`, and the run's summary. */
type ScanOneOptions = Partial<ProbeRequest> & { ports: number[]; concurrency: number };

async function scanOne(host: string, opts: ScanOneOptions, signal?: AbortSignal) {
  const { ports, concurrency, ...probe } = opts;
  const plan = planFor([literalTarget(host)], ports, probeFor(concurrency, probe));
  const summary = await scan(plan, {}, signal);
  const r = summary.hosts[0];
  if (!r) throw new Error("no host result");
  const state = (port: number) => r.states[r.ports.indexOf(port)];
  return { r, summary, state };
}

describe("engine on loopback", () => {
  test.each([
    ["linux", 1, 1],
    ["linux", 1, 500],
    ["linux", 2, 500],
    ["linux", 2, 3],
    ["portable", 1, 1],
    ["portable", 2, 500],
  ] as const)(
    "%s engine, threads %d, concurrency %d: own listeners open, freed ports closed",
    async (engine, threads, concurrency) => {
      const ports = [...open, ...closed].sort((a, b) => a - b);
      const fdsBefore = openFdCount();
      const opts = { ports, concurrency, threads, engine };
      const { r, summary, state } = await scanOne("127.0.0.1", opts);
      for (const p of open) expect(state(p)).toBe(OPEN);
      for (const p of closed) expect(state(p)).toBe(CLOSED);
      expect(r.counts).toEqual({
        scanned: ports.length,
        open: open.length,
        closed: closed.length,
        filtered: 0,
      });
      expect(r.interrupted).toBe(false);
      expect(r.status).toBe("up");
      expect(summary.stats.threads).toBe(threads);
      expect(r.timing.samples).toBeGreaterThanOrEqual(ports.length);
      // The test process may close unrelated descriptors meanwhile (children of earlier
      // files): the engine must not leave any of its own, so the count is back at or below.
      expect(await fdsSettleAtOrBelow(fdsBefore)).toBe(true);
    },
  );

  test("IPv6 ::1", async () => {
    const l = listen("::1");
    const free = await freePort("::1");
    const { state } = await scanOne("::1", {
      ports: [l.port, free].sort((a, b) => a - b),
      concurrency: 10,
    });
    expect(state(l.port)).toBe(OPEN);
    expect(state(free)).toBe(CLOSED);
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
    const { r, state } = await scanOne("127.0.0.1", {
      ports: [l.port],
      concurrency: 10,
      bannerMs: 2000,
    });
    expect(state(l.port)).toBe(OPEN);
    expect(r.banners.get(l.port)).toBe("SSH-2.0-tp-test\r\n");
  });

  test("an aborted scan stops and says so", async () => {
    const controller = new AbortController();
    controller.abort();
    const ports = Array.from({ length: 20000 }, (_, i) => i + 1);
    const { r, summary } = await scanOne(
      "127.0.0.1",
      { ports, concurrency: 100 },
      controller.signal,
    );
    expect(summary.interrupted).toBe(true);
    expect(r.interrupted).toBe(true);
    expect(r.counts.scanned).toBeLessThan(ports.length);
  });

  test("progress is reported up to the total", async () => {
    const seen: number[] = [];
    const ports = [...open, ...closed].sort((a, b) => a - b);
    const plan = planFor([literalTarget("127.0.0.1")], ports, probeFor(10));
    await scan(plan, {
      onProgress: (done, total) => {
        expect(total).toBe(ports.length);
        seen.push(done);
      },
    });
    expect(seen.at(-1)).toBe(ports.length);
  });

  test("on the main thread alone (no Worker), the scan gives its event loop back while it probes", async () => {
    // 30000 loopback ports take the one thread ~0.1-0.3 s; progress every 5 ms can only come
    // in between if the loop runs in turns.
    const ports = Array.from({ length: 30000 }, (_, i) => i + 1);
    const plan = planFor([literalTarget("127.0.0.1")], ports, probeFor(100, { threads: 1 }));
    expect(plan.probe.threads).toBe(1);
    const during: number[] = [];
    const summary = await scan(
      plan,
      { onProgress: (done, total) => done < total && during.push(done) },
      undefined,
      { progressMs: 5 },
    );
    expect(during.length).toBeGreaterThan(0);
    expect(summary.hosts[0]?.counts.scanned).toBe(ports.length);
  });
});
