// ./tp-scan as a user runs it, on this machine's loopback, against the test's own listeners
// and ports it just freed (other programs may listen elsewhere on this loopback).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { TCPSocketListener } from "bun";
import { freePort } from "../../scripts/lib/net.ts";
import { runExe } from "../helpers/exe.ts";

// Real sockets and child processes on a shared 2-core machine: bun's 5 s default is tight.
setDefaultTimeout(60_000);

const listeners: TCPSocketListener[] = [];
let open: number[] = [];
const closed: number[] = [];
let spec = "";

beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    listeners.push(
      Bun.listen({
        hostname: "127.0.0.1",
        port: 0,
        socket: {
          data() {},
          open(s) {
            s.write("220 tp-test ESMTP ready\r\n");
          },
        },
      }),
    );
  }
  open = listeners.map((l) => l.port).sort((a, b) => a - b);
  while (closed.length < 5) {
    const p = await freePort();
    if (!open.includes(p) && !closed.includes(p)) closed.push(p);
  }
  spec = [...open, ...closed].join(",");
});
afterAll(() => {
  for (const l of listeners) l.stop(true);
});

describe("usage errors: one line, exit 2, no stack trace", () => {
  test.each([
    [["127.0.0.1", "-p", "0"], /port 0 is out of range/],
    [["127.0.0.1", "-p", "65536"], /port 65536 is out of range/],
    [["127.0.0.1", "-p", "100-10"], /reversed range/],
    [["127.0.0.1", "-p", "ssh"], /not a port/],
    [["127.0.0.1", "-p", "1,,2"], /empty item/],
    [["127.0.0.1", "-c", "0"], /-c must be between/],
    [["127.0.0.1", "-c", "many"], /-c expects a whole number/],
    [["127.0.0.1", "-t", "soon"], /-t expects a duration/],
    [["127.0.0.1", "-t", "0"], /-t must be between/],
    [["127.0.0.1", "--retries", "-1"], /--retries|unknown option/],
    [["127.0.0.1", "--retries", "11"], /--retries must be between/],
    [["127.0.0.1", "--show", "open,weird"], /--show expects/],
    [["127.0.0.1", "--json", "--list"], /cannot be combined/],
    [["127.0.0.1", "--bogus"], /unknown option '--bogus'/],
    [["127.0.0.1", "-p"], /needs a value/],
    [[], /HOST|host/i],
  ])("%p", async (args, message) => {
    const r = await runExe("tp-scan", args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\bat .*:\d+/);
  });
});

test("a malformed target: one line, exit 2 (no DNS server asked)", async () => {
  const r = await runExe("tp-scan", ["bad_host!", "-p", "80"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^tp-scan: error: target 'bad_host!'/);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
});

test("--help lists every flag", async () => {
  const r = await runExe("tp-scan", ["--help"]);
  expect(r.code).toBe(0);
  for (const flag of [
    "--ports",
    "-c",
    "-t",
    "--retries",
    "--ordered",
    "--json",
    "--list",
    "--show",
    "--banner",
  ]) {
    expect(r.stdout).toContain(flag);
  }
});

test("text report: open ports with services, then the summary; stderr silent off a terminal", async () => {
  const r = await runExe("tp-scan", ["127.0.0.1", "-p", spec]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe("");
  const lines = r.stdout.trim().split("\n");
  expect(lines[0]).toBe("tp-scan report for 127.0.0.1");
  expect(lines[1]).toMatch(/^PORT\s+STATE\s+SERVICE$/);
  const rows = lines.filter((l) => /^\d+\/tcp/.test(l));
  expect(rows.map((l) => Number.parseInt(l, 10))).toEqual(open);
  for (const row of rows) expect(row).toMatch(/^\d+\/tcp\s+open\s+\S+$/);
  expect(lines.at(-1)).toMatch(
    /^8 ports scanned in [\d.]+ s \([\d,]+ ports\/s\): 3 open, 5 closed, 0 filtered$/,
  );
});

test("--show closed lists the closed ports too; --ordered and -t are accepted", async () => {
  const r = await runExe("tp-scan", [
    "127.0.0.1",
    "-p",
    spec,
    "--show",
    "closed",
    "--ordered",
    "-t",
    "500ms",
  ]);
  expect(r.code).toBe(0);
  const closedRows = r.stdout.split("\n").filter((l) => /^\d+\/tcp\s+closed/.test(l));
  expect(closedRows.map((l) => Number.parseInt(l, 10))).toEqual([...closed].sort((a, b) => a - b));
});

test("--list prints only the open ports, comma-separated", async () => {
  const r = await runExe("tp-scan", ["127.0.0.1", "-p", spec, "--list"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`${open.join(",")}\n`);
});

test("--banner shows what the port says first", async () => {
  const r = await runExe("tp-scan", ["127.0.0.1", "-p", String(open[0]), "--banner"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(
    new RegExp(`^${open[0]}/tcp\\s+open\\s+\\S+\\s+220 tp-test ESMTP ready$`, "m"),
  );
});

test("--json: one document with target, address, ports, counts, timing, settings", async () => {
  const r = await runExe("tp-scan", [
    "127.0.0.2",
    "127.0.0.1",
    "-p",
    spec,
    "--json",
    "--show",
    "closed",
    "-c",
    "7",
  ]);
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.scanner).toBe("tp-scan");
  expect(doc.interrupted).toBe(false);
  expect(doc.settings).toMatchObject({
    portCount: 8,
    concurrency: 7,
    retries: 1,
    ordered: false,
    timeoutMs: null,
  });
  expect(doc.settings.adaptiveTimeout).toMatchObject({
    floorMs: expect.any(Number),
    ceilingMs: expect.any(Number),
  });
  expect(doc.targets).toHaveLength(2);
  const [other, byAddress] = doc.targets;
  expect(other.target).toBe("127.0.0.2");
  expect(byAddress).toMatchObject({
    target: "127.0.0.1",
    address: "127.0.0.1",
    family: "ipv4",
    interrupted: false,
  });
  expect(byAddress.counts).toEqual({ scanned: 8, open: 3, closed: 5, filtered: 0 });
  const states = Object.fromEntries(
    byAddress.ports.map((p: { port: number; state: string }) => [p.port, p.state]),
  );
  for (const p of open) expect(states[p]).toBe("open");
  for (const p of closed) expect(states[p]).toBe("closed");
  expect(byAddress.timing).toMatchObject({
    elapsedMs: expect.any(Number),
    portsPerSecond: expect.any(Number),
  });
  expect(byAddress.status).toBe("up");
  expect(doc.stats.fds.after).toBe(doc.stats.fds.baseline);
});

test("-p- scans all 65535 ports (full loopback range, only the own ports are checked)", async () => {
  const r = await runExe("tp-scan", ["127.0.0.1", "-p-", "--json"], { timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  const t = JSON.parse(r.stdout).targets[0];
  expect(t.counts.scanned).toBe(65535);
  const openPorts = t.ports.map((p: { port: number }) => p.port);
  for (const p of open) expect(openPorts).toContain(p);
  expect(JSON.parse(r.stdout).settings.ports).toBe("1-65535");
});

test("a progress line appears on stderr when it is a terminal", async () => {
  const cmd = `${process.cwd()}/tp-scan 127.0.0.1 -p 1-20000 --list -t 200`;
  const proc = Bun.spawn(["script", "-qfec", cmd, "/dev/null"], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  expect(await proc.exited).toBe(0);
  expect(out).toMatch(/\d+\/20000 ports \(\d+%\), [\d,]+ ports\/s, ETA/);
});

test("several hosts: one report each, as each is done; --list gives one line per host", async () => {
  const text = await runExe("tp-scan", ["127.0.0.2", "127.0.0.1", "-p", spec]);
  expect(text.code).toBe(0);
  const reports = text.stdout.split("\n\n").sort();
  expect(reports).toHaveLength(2);
  expect(reports[0]).toMatch(/^tp-scan report for 127\.0\.0\.1\n/);
  expect(reports[1]).toMatch(/^tp-scan report for 127\.0\.0\.2\n/);
  // The same address twice is scanned once (targets.md).
  const list = await runExe("tp-scan", ["127.0.0.1", "127.0.0.1", "-p", spec, "--list"]);
  expect(list.stdout).toBe(`${open.join(",")}\n`);
});
