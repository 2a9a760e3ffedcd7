// The WAN lab's target side, seen from the scanner namespace the way a scanner sees it: round
// trips of the set delay, open/closed/filtered ports, absent and unreachable addresses, the SYN
// counter and the per-host RST rate limit. Skips (saying why) where no lab can be built.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { WanLab } from "../../scripts/lib/wan.ts";
import { jsonLines, median, PROBE, probe, wanUnavailable } from "./helpers.ts";

const ONE_WAY_MS = 25;

describe.skipIf(wanUnavailable !== null)("WAN lab at 25 ms one way", () => {
  let lab: WanLab;
  beforeAll(async () => {
    lab = await WanLab.up({
      delayMs: ONE_WAY_MS,
      hosts: [{ listen: [22, 80], dropSyn: ["1000-2000"] }, { listen: ["8000-8002"] }],
      absent: 2,
      unreachable: 1,
      synPerAddress: true,
    });
  });
  afterAll(() => lab?.down());

  test("addresses: scanner in 198.18/16, every target in 198.19/16, all distinct", () => {
    expect(lab.scannerAddress).toBe("198.18.0.1");
    const all = [
      ...lab.hosts.map((h) => h.address),
      ...lab.absentAddresses,
      ...lab.unreachableAddresses,
    ];
    expect(new Set(all).size).toBe(5);
    for (const a of all) expect(a).toMatch(/^198\.19\.\d+\.\d+$/);
  });

  test("a connect to a listener takes one round trip: twice the one-way delay", async () => {
    const host = lab.hosts[0]?.address;
    const results = await probe(lab, [`${host}:22`, `${host}:80`], 1000, 3);
    expect(results.map((r) => r.result)).toEqual(Array(6).fill("open"));
    const rtt = median(results.map((r) => r.ms));
    expect(rtt).toBeGreaterThanOrEqual(2 * ONE_WAY_MS);
    expect(rtt).toBeLessThan(2 * ONE_WAY_MS + 15); // measured 50.5-53.5; margin for a busy machine
  });

  test("each host has its own listeners; other ports are closed, after one round trip", async () => {
    const [a, b] = lab.hosts.map((h) => h.address);
    const results = await probe(lab, [`${b}:8001`, `${b}:22`, `${a}:8001`, `${a}:23`]);
    expect(results.map((r) => r.result)).toEqual([
      "open",
      "ECONNREFUSED",
      "ECONNREFUSED",
      "ECONNREFUSED",
    ]);
    for (const r of results.slice(1)) expect(r.ms).toBeGreaterThanOrEqual(2 * ONE_WAY_MS);
  });

  test("a SYN-dropped port is silent, its neighbours are not", async () => {
    const host = lab.hosts[0]?.address;
    const results = await probe(lab, [`${host}:1500`, `${host}:2001`, `${host}:999`], 400);
    expect(results.map((r) => r.result)).toEqual(["timeout", "ECONNREFUSED", "ECONNREFUSED"]);
  });

  test("an absent address never answers, though its SYN reached the target side", async () => {
    const before = { syn: await lab.synCount(), counters: await lab.counters() };
    const [result] = await probe(lab, [`${lab.absentAddresses[0]}:80`], 400);
    expect(result?.result).toBe("timeout");
    const after = { syn: await lab.synCount(), counters: await lab.counters() };
    expect(after.syn - before.syn).toBe(1); // the first SYN retry comes after 1 s
    expect((await lab.synCounts()).get(lab.absentAddresses[0] as string)).toBe(1);
    expect(after.counters.toScanner.in).toBe(before.counters.toScanner.in);
  });

  test("an unreachable address gives EHOSTUNREACH after one round trip", async () => {
    const [result] = await probe(lab, [`${lab.unreachableAddresses[0]}:80`], 2000);
    expect(result?.result).toBe("EHOSTUNREACH");
    expect(result?.ms).toBeGreaterThanOrEqual(2 * ONE_WAY_MS);
    expect(result?.ms).toBeLessThan(1000);
  });

  test("the SYN counters count every SYN sent to the target side, in all and per address", async () => {
    const before = { all: await lab.synCount(), by: await lab.synCounts() };
    const [a = "", b = ""] = lab.hosts.map((h) => h.address);
    await probe(lab, [`${b}:8000`, `${b}:9`, `${b}:10`, `${a}:9`]);
    expect((await lab.synCount()) - before.all).toBe(4);
    const by = await lab.synCounts();
    expect(by.size).toBe(5);
    expect((by.get(b) ?? 0) - (before.by.get(b) ?? 0)).toBe(3);
    expect((by.get(a) ?? 0) - (before.by.get(a) ?? 0)).toBe(1);
  });
});

describe.skipIf(wanUnavailable !== null)("WAN lab names", () => {
  test("host-N.wan.test resolve inside the scanner namespace; other names fail at once", async () => {
    const lab = await WanLab.up({ hosts: 2, absent: 1, ipv6: true });
    try {
      const names = [...lab.hostNames, ...lab.absentNames, "nowhere.example"];
      const script = `import { lookup } from "node:dns/promises";
        for (const name of ${JSON.stringify(names)}) {
          const t = performance.now();
          const found = await lookup(name, { all: true }).then((a) => a.map((x) => x.address).sort(), (e) => e.code);
          console.log(JSON.stringify({ name, found, ms: performance.now() - t }));
        }`;
      const results = await jsonLines<{ name: string; found: string[] | string; ms: number }>(
        lab.scannerCommand([process.execPath, "-e", script]),
      );
      expect(results.map((r) => r.found)).toEqual([
        ["198.19.1.1", "2001:2::1:1"],
        ["198.19.1.2", "2001:2::1:2"],
        ["198.19.1.3", "2001:2::1:3"],
        expect.any(String),
      ]);
      expect(results[3]?.ms).toBeLessThan(3000); // no name server to wait for
    } finally {
      await lab.down();
    }
    expect(await Bun.file(`/etc/netns/${lab.scannerNs}/hosts`).exists()).toBe(false);
  });
});

describe.skipIf(wanUnavailable !== null)("WAN lab rate limits", () => {
  test("a host sends at most its RST budget; the rest of the closed ports look filtered", async () => {
    const lab = await WanLab.up({ hosts: 2, rstPerSecond: 50 });
    try {
      const burst = [process.execPath, PROBE, "--burst", "--timeout", "700"];
      const [first] = await jsonLines<Record<string, number>>(
        lab.scannerCommand([...burst, `${lab.hosts[0]?.address}:1000-1299`]),
      );
      // A burst of 300 connects within ~0.1 s: the budget (burst 50) plus a few refills.
      expect(first?.refused).toBeGreaterThanOrEqual(50);
      expect(first?.refused).toBeLessThan(70);
      expect((first?.refused ?? 0) + (first?.timeout ?? 0)).toBe(300);
      const rst = await lab.rstCounts();
      expect(rst.sent).toBe(first?.refused as number);
      expect(rst.dropped).toBe(300 - rst.sent);
      // Per host: the other host's budget is untouched.
      const [second] = await jsonLines<Record<string, number>>(
        lab.scannerCommand([...burst, `${lab.hosts[1]?.address}:1000-1039`]),
      );
      expect(second).toEqual({ open: 0, refused: 40, timeout: 0 });
    } finally {
      await lab.down();
    }
  });

  test("ICMP errors: the kernel's budget by default, every probe answered with icmpRatelimitMs 0", async () => {
    const burst = (lab: WanLab) =>
      jsonLines<Record<string, number>>(
        lab.scannerCommand([
          process.execPath,
          PROBE,
          "--burst",
          "--timeout",
          "500",
          `${lab.unreachableAddresses[0]}:1000-1039`,
        ]),
      );
    const limited = await WanLab.up({ unreachable: 1 });
    const unlimited = await WanLab.up({ unreachable: 1, icmpRatelimitMs: 0 });
    try {
      // Bun's sockets report EHOSTUNREACH as a refusal; probe.ts (one at a time) tells them apart.
      const few = (await burst(limited))[0];
      expect(few?.refused).toBeGreaterThan(0); // Linux: a burst of 6, then 1 per second
      expect(few?.refused).toBeLessThan(20);
      expect((await burst(unlimited))[0]).toEqual({ open: 0, refused: 40, timeout: 0 });
    } finally {
      await Promise.all([limited.down(), unlimited.down()]);
    }
  });
});

describe.skipIf(wanUnavailable !== null)("WAN lab over IPv6", () => {
  test("every address has an IPv6 twin that behaves the same", async () => {
    const lab = await WanLab.up({
      ipv6: true,
      delayMs: 10,
      hosts: [{ listen: [22], dropSyn: ["23"] }],
      absent: 1,
      unreachable: 1,
      synPerAddress: true,
    });
    try {
      const host = lab.hosts[0]?.address6;
      expect(host).toBe("2001:2::1:1");
      expect(lab.scannerAddress6).toBe("2001:2:0:ff::1");
      const targets = [`[${host}]:22`, `[${host}]:24`, `[${host}]:23`];
      targets.push(`[${lab.absentAddresses6[0]}]:22`, `[${lab.unreachableAddresses6[0]}]:22`);
      const results = await probe(lab, targets, 300);
      const expected = ["open", "ECONNREFUSED", "timeout", "timeout", "EHOSTUNREACH"];
      expect(results.map((r) => r.result)).toEqual(expected);
      expect(results[0]?.ms).toBeGreaterThanOrEqual(20);
      const syns = await lab.synCounts();
      expect(syns.get("2001:2::1:1")).toBe(3);
      expect(syns.get("198.19.1.1")).toBe(0);
      expect(await lab.synCount()).toBe(5);
      expect((await lab.counters()).toTarget.syn).toBe(5); // the forwarder parses IPv6 too
    } finally {
      await lab.down();
    }
  });
});
