// tp-scan across an emulated WAN (scripts/lib/wan.ts: two namespaces, a user-space forwarder
// with delay, loss and RST rate limits, target hosts in 198.19.0.0/16): many hosts with absent
// ones, loss, an RST-limited host, a far host, --rate measured by the target's SYN counter.
// Every run is bounded; skipped where the lab cannot be built (not root, no TUN, no cc).
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { exePath } from "../../scripts/lib/root.ts";
import { runCommand } from "../../scripts/lib/run.ts";
import { WanLab, type WanOptions } from "../../scripts/lib/wan.ts";

setDefaultTimeout(120_000);

const unavailable = await WanLab.unavailableReason();
if (unavailable) console.warn(`tp-scan WAN tests skipped: ${unavailable}`);
const suite = unavailable ? describe.skip : describe;

interface JsonHost {
  address: string;
  status: string;
  reason: string | null;
  ports: Array<{ port: number; state: string }>;
  counts: { scanned: number; open: number; closed: number; filtered: number };
}

let lab: WanLab | null = null;
afterEach(async () => {
  await lab?.down();
  lab = null;
});

async function up(options: WanOptions): Promise<WanLab> {
  lab = await WanLab.up(options);
  return lab;
}

/** Run ./tp-scan in the lab's scanner namespace with --json; the document and the exit code. */
async function scan(l: WanLab, args: string[], timeoutMs = 90_000) {
  const started = performance.now();
  const argv = l.scannerCommand([
    exePath("tp-scan"),
    ...args,
    "--json",
    "--show",
    "closed,filtered",
  ]);
  const r = await runCommand(argv, { timeoutMs });
  const seconds = (performance.now() - started) / 1000;
  if (r.stdout === "") throw new Error(`tp-scan failed (${r.code}): ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as { targets: JsonHost[]; stats: { probes: number } };
  const byAddress = new Map(doc.targets.map((t) => [t.address, t]));
  return { code: r.code, stderr: r.stderr, doc, byAddress, seconds };
}

const inState = (h: JsonHost, state: string) =>
  h.ports.filter((p) => p.state === state).map((p) => p.port);

suite("tp-scan across the WAN lab", () => {
  test("many hosts with absent ones: live hosts exact, absent ones down and skipped; -Pn scans them", async () => {
    const hosts = Array.from({ length: 12 }, (_, i) => ({ listen: [22, 100 + i] }));
    const l = await up({ delayMs: 10, hosts, absent: 3, interleave: true });
    const targets = [...l.hosts.map((h) => h.address), ...l.absentAddresses];
    const r = await scan(l, [...targets, "-p", "1-300"]);
    expect(r.code).toBe(0);
    for (const h of l.hosts) {
      const t = r.byAddress.get(h.address) as JsonHost;
      expect(t.status).toBe("up");
      expect(inState(t, "open")).toEqual(h.listen);
      expect(t.counts).toEqual({ scanned: 300, open: 2, closed: 298, filtered: 0 });
    }
    for (const address of l.absentAddresses) {
      const t = r.byAddress.get(address) as JsonHost;
      expect(t).toMatchObject({ status: "down", reason: "no-response" });
      expect(t.counts.scanned).toBe(0);
    }
    // Each absent host cost its discovery probes, not 300 ports' worth.
    expect(r.doc.stats.probes).toBeLessThan(12 * 300 + 3 * 300);
    const pn = await scan(l, [...l.absentAddresses, "-p", "1-50", "-Pn"]);
    for (const address of l.absentAddresses)
      expect((pn.byAddress.get(address) as JsonHost).counts.filtered).toBe(50);
  });

  test("an address the network says is unreachable is reported at once", async () => {
    const l = await up({ delayMs: 5, hosts: [{ listen: [22] }], unreachable: 1 });
    const address = l.unreachableAddresses[0] as string;
    const r = await scan(l, [address, "-p", "1-1000"]);
    expect(r.code).toBe(1);
    expect(r.byAddress.get(address)).toMatchObject({
      status: "unreachable",
      reason: "host-unreach",
    });
    expect(r.seconds).toBeLessThan(10); // not a timeout cycle per port
  });

  test("2% loss each way: every state exact", async () => {
    const open = [22, 80, 443, 3000, 4999];
    const l = await up({
      delayMs: 10,
      lossPct: 2,
      hosts: [{ listen: open, dropSyn: ["4000-4099"] }],
    });
    const address = (l.hosts[0] as { address: string }).address;
    const r = await scan(l, [address, "-p", "1-5000"]);
    const t = r.byAddress.get(address) as JsonHost;
    expect(inState(t, "open")).toEqual(open);
    expect(inState(t, "filtered")).toEqual(Array.from({ length: 100 }, (_, i) => 4000 + i));
    expect(t.counts.closed).toBe(5000 - open.length - 100);
  });

  /** Ports 1-`ports` through a 2000 packets/s link with a `queue`-packet queue: SYNs it dropped. */
  async function bottleneck(queue: number, ports: number): Promise<number> {
    const open = [22, 80, 443, 1234, ports - 1];
    const l = await up({ delayMs: 10, pps: 2000, queue, hosts: [{ listen: open }] });
    const address = (l.hosts[0] as { address: string }).address;
    const r = await scan(l, [address, "-p", `1-${ports}`]);
    const t = r.byAddress.get(address) as JsonHost;
    expect(inState(t, "open")).toEqual(open);
    expect(t.counts.closed).toBe(ports - open.length);
    expect(t.counts.filtered).toBe(0);
    const counters = await l.down();
    return counters?.toTarget.qdrop ?? 0;
  }

  test("a 2000 packets/s bottleneck with a 200-packet queue: every state exact", async () => {
    // Issue 8: 2-4 of 5 open ports missed and ~4000 closed ports called filtered, before.
    // Slow start ends as the queue starts to fill (HyStart): ~1400 SYNs were dropped before.
    expect(await bottleneck(200, 5000)).toBeLessThan(100);
  });

  test("a bottleneck whose queue is too short to show in the RTT (10 packets): exact", async () => {
    // The queue did drop probes: the scan had loss to recover from.
    expect(await bottleneck(10, 3000)).toBeGreaterThan(0);
  });

  test("an RST-rate-limited host: closed ports called closed; --defeat-rst-ratelimit finds the open one", async () => {
    const l = await up({ delayMs: 2, rstPerSecond: 200, hosts: [{ listen: [700] }] });
    const address = (l.hosts[0] as { address: string }).address;
    const r = await scan(l, [address, "-p", "1-1500"]);
    const t = r.byAddress.get(address) as JsonHost;
    expect(inState(t, "open")).toEqual([700]);
    expect(t.counts.closed).toBe(1499);
    const fast = await scan(l, [address, "-p", "1-1500", "--defeat-rst-ratelimit"]);
    const f = fast.byAddress.get(address) as JsonHost;
    expect(inState(f, "open")).toEqual([700]);
    // Open ports only matter there: every other port is closed or filtered, none lost. (Its
    // speed against the paced default is a bench figure: since pacing keeps up with the pace,
    // the default is the faster of the two on this host, 6.8 s against 7.3 s.)
    expect(f.counts.closed + f.counts.filtered).toBe(1499);
  });

  test("a host 700 ms away: found up, its open port open and the others closed", async () => {
    const l = await up({ delayMs: 350, hosts: [{ listen: [22, 8080] }] });
    const address = (l.hosts[0] as { address: string }).address;
    const r = await scan(l, [address, "-p", "1-200,8080"]);
    const t = r.byAddress.get(address) as JsonHost;
    expect(t.status).toBe("up");
    expect(inState(t, "open")).toEqual([22, 8080]);
    expect(t.counts).toEqual({ scanned: 201, open: 2, closed: 199, filtered: 0 });
    expect(r.stderr).toMatch(/is far \(round trip ~7\d\d ms\)/);
  });

  test("--rate N: SYNs counted on the target side within 10% of N per second", async () => {
    const l = await up({ delayMs: 2, hosts: 1 });
    const address = (l.hosts[0] as { address: string }).address;
    const before = await l.synCount();
    const rate = 400;
    const r = await scan(l, [address, "-p", "1-1200", "--rate", String(rate)]);
    const syns = (await l.synCount()) - before;
    const t = r.byAddress.get(address) as JsonHost & { timing: { elapsedMs: number } };
    expect(syns).toBeGreaterThanOrEqual(1200);
    expect(t.counts.closed).toBe(1200);
    // 1200 probes at 400/s: 3 s of the scan's own time (Workers started, last answers in).
    const measured = syns / (t.timing.elapsedMs / 1000);
    expect(measured).toBeLessThanOrEqual(rate * 1.1);
    expect(measured).toBeGreaterThanOrEqual(rate * 0.9);
  });
});
