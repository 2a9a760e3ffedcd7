// tp-scan inside private network namespaces (scripts/lab.sh): exactness over the whole port
// range against the kernel's own list of listening sockets, firewalled (SYN-dropping) ranges,
// descriptor hygiene, the scanner's own resource limits, Ctrl-C. Skipped where no lab can be
// built (not root, no iptables).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Lab, labUnavailable } from "../../scripts/lib/lab.ts";
import { ROOT } from "../../scripts/lib/root.ts";

// Real sockets and child processes on a shared 2-core machine: bun's 5 s default is tight.
setDefaultTimeout(60_000);

const noLab = labUnavailable();
if (noLab) console.warn(`tp-scan lab tests skipped: ${noLab}`);
const suite = noLab ? describe.skip : describe;

interface JsonTarget {
  ports: Array<{ port: number; state: string }>;
  counts: { scanned: number; open: number; closed: number; filtered: number };
  interrupted: boolean;
  status: string;
  /** The run's statistics (one run, one host here). */
  stats: {
    probes: number;
    retries: number;
    peakInFlight: number;
    selfConnects: number;
    fds: { baseline: number; peak: number; after: number };
  };
}

function target(stdout: string): JsonTarget {
  const doc = JSON.parse(stdout);
  return { ...doc.targets[0], stats: doc.stats } as JsonTarget;
}

function portsIn(t: JsonTarget, state: string): number[] {
  return t.ports.filter((p) => p.state === state).map((p) => p.port);
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

const sorted = (ports: Iterable<number>) => [...ports].sort((a, b) => a - b);

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

suite("exact over 1-65535 against ss -ltn and the test's listeners", () => {
  let lab: Lab;
  const dropped = range(61100, 61129);
  let truth4: number[] = [];
  let truth6: number[] = [];
  let own4: number[] = [];

  beforeAll(async () => {
    lab = await Lab.create({ drops: ["61100:61129"] });
    // Edges, well-known ports, the whole ephemeral range (where self-connects happen), and
    // random ones; on every kind of address a scan of 127.0.0.1 or ::1 may or may not reach.
    const picked = new Set<number>([
      1, 2, 22, 80, 443, 1023, 1024, 8080, 32768, 45678, 60999, 61000, 65535,
    ]);
    while (picked.size < 60) picked.add(1 + Math.floor(Math.random() * 65535));
    for (const p of dropped) picked.delete(p);
    const all = sorted(picked);
    const v4 = all.slice(0, 40);
    const any4 = all.slice(40, 46);
    const dual = all.slice(46, 50);
    const v6only = all.slice(50, 54);
    const other = all.slice(54);
    await lab.listen([...v4, 61110], "127.0.0.1");
    await lab.listen(any4, "0.0.0.0");
    await lab.listen(dual, "::");
    await lab.listen(v6only, "::1");
    await lab.listen(other, "127.0.0.2");
    own4 = sorted([...v4, ...any4, ...dual]);
    const droppedSet = new Set(dropped);
    truth4 = sorted([...(await lab.listeningPorts("127.0.0.1"))].filter((p) => !droppedSet.has(p)));
    truth6 = sorted([...(await lab.listeningPorts("::1"))].filter((p) => !droppedSet.has(p)));
    // The kernel's list agrees with what the test opened (and nothing else runs in the lab).
    expect(truth4).toEqual(own4);
    expect(truth6).toEqual(sorted([...dual, ...v6only]));
  });
  afterAll(() => lab?.destroy());

  // The portable engine (poll) at one concurrency: the full range is the point, not the width.
  test.each([
    ["linux", 10],
    ["linux", 500],
    ["linux", 5000],
    ["portable", 500],
  ])("IPv4, %s engine, concurrency %d", async (engine, concurrency) => {
    const r = await lab.scan([
      "127.0.0.1",
      "-p-",
      "-c",
      String(concurrency),
      "--json",
      "--show",
      "filtered",
      "--engine",
      String(engine),
    ]);
    expect(r.code).toBe(0);
    const t = target(r.stdout);
    expect(portsIn(t, "open")).toEqual(truth4);
    expect(portsIn(t, "filtered")).toEqual(dropped);
    expect(t.counts).toEqual({
      scanned: 65535,
      open: truth4.length,
      closed: 65535 - truth4.length - dropped.length,
      filtered: dropped.length,
    });
    expect(t.stats.fds.after).toBe(t.stats.fds.baseline);
  });

  test("IPv6 ::1, concurrency 500", async () => {
    const r = await lab.scan(["::1", "-p-", "--json", "--show", "filtered", "-c", "500"]);
    expect(r.code).toBe(0);
    const t = target(r.stdout);
    expect(portsIn(t, "open")).toEqual(truth6);
    expect(portsIn(t, "filtered")).toEqual(dropped);
    expect(t.counts.scanned).toBe(65535);
  });

  test("--list gives the same open ports as a comma list", async () => {
    const r = await lab.scan(["127.0.0.1", "--list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${truth4.join(",")}\n`);
  });
});

suite("firewalled ranges", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.create({ drops: ["20000:22000", "30000:40000"] });
  });
  afterAll(() => lab?.destroy());

  test.each(["linux", "portable"])(
    "1001 silent ports (-Pn), %s engine: all filtered, descriptors never above concurrency + margin, back to baseline",
    async (engine) => {
      const scan = lab.spawnScan([
        "127.0.0.1",
        "-p",
        "20000-21000",
        "-c",
        "500",
        "--json",
        "-Pn",
        "--engine",
        engine,
      ]);
      let peak = 0;
      while (scan.proc.exitCode === null) {
        peak = Math.max(peak, fdCount(scan.proc.pid));
        await Bun.sleep(5);
      }
      expect(await scan.proc.exited).toBe(0);
      await scan.stdout.done;
      const t = target(scan.stdout.text);
      expect(t.counts).toEqual({ scanned: 1001, open: 0, closed: 0, filtered: 1001 });
      expect(t.stats.peakInFlight).toBeLessThanOrEqual(500);
      expect(peak).toBeGreaterThan(400); // the sampling saw the scan at full width...
      expect(peak).toBeLessThanOrEqual(500 + 40); // ...and never beyond it
      expect(t.stats.fds.peak).toBeLessThanOrEqual(t.stats.fds.baseline + 500 + 16);
      expect(t.stats.fds.after).toBe(t.stats.fds.baseline);
      // A host that never answered may be far: each silent port got three tries (300, 600,
      // 1200 ms: they reach a 1.2 s round trip) before being called filtered.
      expect(t.stats.probes).toBe(3 * 1001);
      expect(t.stats.retries).toBe(2 * 1001);
    },
  );

  test("a host silent on every scanned port but answering its connect pings (80, 443) is up", async () => {
    // Issue 18: it was called down after its first ports; nmap -sT's pings find it up.
    const r = await lab.scan(["127.0.0.1", "-p", "30000-30200", "--json"]);
    expect(r.code).toBe(0);
    const t = target(r.stdout);
    expect(t.status).toBe("up");
    expect(t.counts.filtered).toBe(201);
  });

  test("--retries N and a fixed -t: N+1 probes per silent port", async () => {
    for (const retries of [0, 2]) {
      const r = await lab.scan([
        "127.0.0.1",
        "-p",
        "20000-20099",
        "-t",
        "50ms",
        "--retries",
        String(retries),
        "--json",
        "-Pn",
      ]);
      expect(r.code).toBe(0);
      const t = target(r.stdout);
      expect(t.counts.filtered).toBe(100);
      expect(t.stats.probes).toBe(100 * (retries + 1));
      expect(JSON.parse(r.stdout).settings.timeoutMs).toBe(50);
    }
  });

  test("1000 closed + 1000 filtered + a few open: every open port found", async () => {
    const l = await lab.listen([22, 25, 80, 999, 20500], "127.0.0.1", [
      "--banner",
      "SSH-2.0-tp-lab",
    ]);
    const r = await lab.scan(["127.0.0.1", "-p", "1-1000,20000-21000", "--banner"]);
    expect(r.code).toBe(0);
    const rows = r.stdout.split("\n").filter((line) => /^\d+\/tcp/.test(line));
    expect(rows.map((row) => Number.parseInt(row, 10))).toEqual([22, 25, 80, 999]);
    for (const row of rows) expect(row).toMatch(/open\s+\S+\s+SSH-2\.0-tp-lab$/);
    expect(rows[0]).toMatch(/^22\/tcp\s+open\s+ssh\s/);
    expect(r.stdout).toMatch(
      /2001 ports scanned in [\d.]+ s .*: 4 open, 996 closed, 1001 filtered\n$/,
    );
    await l.stop();
  });

  test("Ctrl-C prints what was found so far and exits 130", async () => {
    const l = await lab.listen([1000, 1001]);
    const scan = lab.spawnScan([
      "127.0.0.1",
      "-p",
      "1000-1001,30000-40000",
      "--ordered",
      "-c",
      "100",
    ]);
    // Wait until probes are in flight (descriptors held), then interrupt.
    const deadline = Date.now() + 20_000;
    while (fdCount(scan.proc.pid) < 60 && Date.now() < deadline) await Bun.sleep(10);
    scan.proc.kill("SIGINT");
    const timer = setTimeout(() => scan.proc.kill("SIGKILL"), 10_000);
    const code = await scan.proc.exited;
    clearTimeout(timer);
    await scan.stdout.done;
    expect(code).toBe(130);
    expect(scan.stdout.text).toMatch(/^1000\/tcp\s+open/m);
    expect(scan.stdout.text).toMatch(/^1001\/tcp\s+open/m);
    expect(scan.stdout.text).toMatch(
      /^interrupted: \d+ of 10003 ports scanned in .*: 2 open, 0 closed, \d+ filtered$/m,
    );
    await l.stop();
  });
});

suite("the scanner's own limits", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.create({ drops: ["20000:20300"] });
  });
  afterAll(() => lab?.destroy());

  test("EMFILE is a local limit, never a port state: the port is retried, results stay exact", async () => {
    await lab.listen(range(20400, 20409));
    const job = JSON.stringify({
      host: "127.0.0.1",
      ports: "20000-20500",
      concurrency: 400,
      discovery: false,
    });
    const fixture = join(ROOT, "test", "scan", "fixtures", "run-engine.ts");
    const r = await lab.run(["bash", "-c", `ulimit -n 90 && exec bun ${fixture} '${job}'`]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.fdLimit).toBe(90);
    expect(out.stats.errors.EMFILE).toBeGreaterThan(0);
    expect(out.stats.localRetries).toBeGreaterThan(0);
    expect(out.open).toEqual(range(20400, 20409));
    expect(out.filtered).toEqual(range(20000, 20300));
    expect(out.counts.closed).toBe(501 - 10 - 301);
    expect(out.fdAfter).toBe(out.fdBefore);
  });

  test("an unreachable network is an error (exit 1), not a scan of filtered ports", async () => {
    const dead = await Lab.create({ loopback: false });
    try {
      // Loopback never up: 127.0.0.1 has no route (ENETUNREACH): that host is reported
      // unreachable at once, with no port scanned.
      const r = await dead.scan(["127.0.0.1", "-p", "1-10"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^host unreachable \(net-unreach\): 0 of 10 ports scanned/m);
      expect(r.stderr).toBe("tp-scan: error: 127.0.0.1: host unreachable (net-unreach)\n");
      // ::1 has no source address (EADDRNOTAVAIL, normally a passing shortage): given up
      // after 5 s of nothing.
      const v6 = await dead.scan(["::1", "-p", "1-10"]);
      expect(v6.code).toBe(1);
      expect(v6.stderr).toMatch(/^tp-scan: error: cannot start probes for 5 s \(EADDRNOTAVAIL\)$/m);
    } finally {
      await dead.destroy();
    }
  });

  test("a name that resolves to nothing: one line, exit 1", async () => {
    const r = await lab.scan(["no-such-host.invalid", "-p", "80"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^tp-scan: warning: cannot resolve 'no-such-host.invalid'/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("a name that resolves to nothing among good targets: one line, the others scanned, exit 1", async () => {
    const l = await lab.listen([20450]);
    const r = await lab.scan(["no-such-host.invalid", "127.0.0.1", "-p", "20450,20451"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tp-scan: warning: cannot resolve 'no-such-host.invalid'/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stdout).toMatch(/^20450\/tcp\s+open/m);
    expect(r.stdout).toMatch(/2 ports scanned .*: 1 open, 1 closed, 0 filtered/);
    await l.stop();
  });

  test("the concurrency is capped to what the open-file limit allows, and the log says so", async () => {
    const exe = join(ROOT, "tp-scan");
    const r = await lab.run([
      "bash",
      "-c",
      `ulimit -n 200 && exec ${exe} 127.0.0.1 -p 20000-20300 -c 5000 --json -Pn`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/concurrency capped to \d+ by the open-file limit \(200\)/);
    const doc = JSON.parse(r.stdout);
    expect(doc.settings.concurrency).toBeLessThan(200);
    expect(doc.targets[0].counts.filtered).toBe(301);
  });
});
