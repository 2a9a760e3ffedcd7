// Where no lab can be built (not root): exactness over 1-65535 on this machine's own loopback,
// against `ss -ltn` taken before and after each scan plus the test's own listeners. Other
// programs may open and close listeners meanwhile: a port whose listening state changed between
// the two snapshots is not judged, and a mismatch elsewhere is retried (a listener can also
// come and go within one scan) before it fails the test. With a lab, lab.test.ts does this
// in a private namespace instead; TP_SCAN_PLAIN_TESTS=1 runs this one anyway.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { TCPSocketListener } from "bun";
import { labUnavailable } from "../../scripts/lib/lab.ts";
import { ssListening } from "../../scripts/lib/ss.ts";
import { runExe } from "../helpers/exe.ts";

// Real sockets and child processes on a shared 2-core machine: bun's 5 s default is tight.
setDefaultTimeout(120_000);

const wanted = labUnavailable() !== null || process.env.TP_SCAN_PLAIN_TESTS === "1";
const suite = wanted ? describe : describe.skip;

function listening(): Set<number> {
  return new Set(ssListening("127.0.0.1"));
}

interface Verdict {
  ok: boolean;
  wrong: number[];
}

async function scanOnce(concurrency: number, own: number[]): Promise<Verdict> {
  const before = listening();
  const r = await runExe("tp-scan", ["127.0.0.1", "-p-", "-c", String(concurrency), "--list"], {
    timeoutMs: 60_000,
  });
  const after = listening();
  expect(r.code).toBe(0);
  const open = new Set(r.stdout.trim().split(",").filter(Boolean).map(Number));
  for (const p of own) expect(open.has(p)).toBe(true);
  const wrong: number[] = [];
  for (let port = 1; port <= 65535; port++) {
    if (before.has(port) !== after.has(port)) continue; // changed during the scan: not judged
    if (open.has(port) !== before.has(port)) wrong.push(port);
  }
  return { ok: wrong.length === 0, wrong };
}

suite("exact over 1-65535 on the plain loopback (no lab here)", () => {
  const listeners: TCPSocketListener[] = [];
  beforeAll(() => {
    for (const hostname of ["127.0.0.1", "127.0.0.1", "0.0.0.0"]) {
      listeners.push(Bun.listen({ hostname, port: 0, socket: { data() {} } }));
    }
  });
  afterAll(() => {
    for (const l of listeners) l.stop(true);
  });

  test.each([10, 500, 5000])("concurrency %d", async (concurrency) => {
    const own = listeners.map((l) => l.port);
    let verdict = await scanOnce(concurrency, own);
    for (let attempt = 1; !verdict.ok && attempt < 3; attempt++) {
      console.warn(`plain loopback: ports ${verdict.wrong.join(",")} differ from ss, retrying`);
      verdict = await scanOnce(concurrency, own);
    }
    expect(verdict.wrong).toEqual([]);
  });
});
