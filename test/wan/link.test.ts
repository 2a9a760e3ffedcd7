// What the WAN lab's link does to packets, measured end to end with numbered UDP datagrams
// from the scanner namespace to a sink in the target namespace: one-way delay, seeded loss,
// jitter that never reorders, and the packet-rate cap with its bounded queue.
import { describe, expect, test } from "bun:test";
import { WanLab, type WanOptions } from "../../scripts/lib/wan.ts";
import type { SendReport } from "../../scripts/wan/udp.ts";
import { jsonLines, probe, UDP, udpAcross, wanUnavailable } from "./helpers.ts";

async function across(options: WanOptions, count: number, pps: number) {
  const lab = await WanLab.up(options);
  try {
    const measured = await udpAcross(lab, count, pps);
    return { ...measured, counters: (await lab.counters()).toTarget };
  } finally {
    await lab.down();
  }
}

describe.skipIf(wanUnavailable !== null)("WAN lab link", () => {
  test("loss: close to the setting, seeded, and nothing lost but what the forwarder drew", async () => {
    const options = { delayMs: 15, lossPct: 10, seed: 7 };
    const { sink, send, counters } = await across(options, 2000, 4000);
    expect(send.sent).toBe(2000);
    expect(counters.in).toBe(2000);
    expect(counters.lost + counters.out).toBe(2000);
    expect(sink.received).toBe(counters.out);
    // 10% of 2000: 200 ± 3 standard deviations (13.4).
    expect(counters.lost).toBeGreaterThan(160);
    expect(counters.lost).toBeLessThan(240);
    // One way only: never below the delay, and a loaded machine adds little.
    expect(sink.delayMs.min).toBeGreaterThanOrEqual(15);
    expect(sink.delayMs.median).toBeLessThan(25);
    // Same seed, same packets: the same draws.
    const again = await across(options, 2000, 4000);
    expect(again.counters.lost).toBe(counters.lost);
  });

  test("jitter spreads the delay both ways but never reorders", async () => {
    const { sink, counters } = await across({ delayMs: 10, jitterMs: 8 }, 1000, 2000);
    expect(counters.out).toBe(1000);
    expect(sink.received).toBe(1000);
    expect(sink.reordered).toBe(0); // ±8 ms on packets 0.5 ms apart would reorder most of them
    expect(sink.delayMs.min).toBeLessThan(9); // without jitter nothing arrives before 10 ms
    expect(sink.delayMs.median).toBeGreaterThan(10);
  });

  test("the rate cap delivers at its rate and drops what overflows the queue", async () => {
    // 1500 datagrams at 1000/s into a 500/s link with a 20-packet queue: ~0.75 s of link
    // time plus the queue get through (770), the rest is tail-dropped.
    const { sink, send, counters } = await across({ pps: 500, queue: 20 }, 1500, 1000);
    expect(send.sent).toBe(1500);
    expect(counters.qdrop + counters.out).toBe(1500);
    expect(sink.received).toBe(counters.out);
    expect(sink.received).toBeGreaterThan(700);
    expect(sink.received).toBeLessThan(840);
    expect(sink.pps).toBeGreaterThan(450);
    expect(sink.pps).toBeLessThan(550);
    expect(sink.reordered).toBe(0);
  });

  test("a flood of 20000 datagrams crosses without a packet dropped on the way", async () => {
    // As fast as the sender goes (~300k/s here): with the TUN queue at its default (500),
    // a third of such a flood was dropped before the forwarder read it.
    const lab = await WanLab.up({ hosts: 1, absent: 1 });
    try {
      const argv = [process.execPath, UDP, "send", lab.absentAddresses[0] as string, "9", "20000"];
      const [sent] = await jsonLines<SendReport>(lab.scannerCommand(argv));
      expect(sent?.sent).toBe(20000);
      expect(await lab.tunDrops()).toEqual({ toTarget: 0, toScanner: 0 });
      for (let i = 0; i < 100 && (await lab.counters()).toTarget.out < 20000; i++)
        await Bun.sleep(10);
      expect((await lab.counters()).toTarget).toMatchObject({ in: 20000, out: 20000 });
    } finally {
      await lab.down();
    }
  });

  test("setLink changes the link while the lab runs, per direction", async () => {
    const lab = await WanLab.up({ delayMs: 5, hosts: [{ listen: [22] }] });
    try {
      const target = `${lab.hosts[0]?.address}:22`;
      const [fast] = await probe(lab, [target]);
      expect(fast?.ms).toBeLessThan(40);
      await lab.setLink({ delayMs: 40 });
      const [slow] = await probe(lab, [target]);
      expect(slow?.result).toBe("open");
      expect(slow?.ms).toBeGreaterThanOrEqual(80);
      await lab.setLink({ toScanner: { lossPct: 100 } }); // answers lost, SYNs still arrive
      const before = await lab.counters();
      const [lost] = await probe(lab, [target], 300);
      expect(lost?.result).toBe("timeout");
      const after = await lab.counters();
      expect(after.toScanner.lost - before.toScanner.lost).toBeGreaterThanOrEqual(1);
      expect(after.toTarget.lost).toBe(before.toTarget.lost);
      await expect(lab.setLink({ lossPct: 200 })).rejects.toThrow("bad loss");
    } finally {
      await lab.down();
    }
  });

  test("per-direction settings apply to their own direction; down() returns the final counters", async () => {
    const lab = await WanLab.up({ hosts: [{ listen: [22] }], toScanner: { lossPct: 100 } });
    const [result] = await probe(lab, [`${lab.hosts[0]?.address}:22`], 300);
    expect(result?.result).toBe("timeout"); // the SYN-ACK is lost on the way back...
    expect(await lab.synCount()).toBe(1); // ...after the SYN got through
    const final = await lab.down();
    expect(final?.toTarget.lost).toBe(0);
    expect(final?.toScanner.lost).toBeGreaterThanOrEqual(1);
    expect(final?.toScanner.out).toBe(0);
  });

  test("synRate: connection attempts and their rate, as the link saw them", async () => {
    const lab = await WanLab.up({ delayMs: 10, hosts: 1 });
    try {
      // 30 connects one after the other, each refused after a 20 ms round trip: ~50 per second.
      const results = await probe(lab, [`${lab.hosts[0]?.address}:9`], 1000, 30);
      expect(results.every((r) => r.result === "ECONNREFUSED")).toBe(true);
      const expected = 1000 / (results.reduce((sum, r) => sum + r.ms, 0) / results.length);
      const rate = await lab.synRate();
      expect(rate.count).toBe(30);
      expect(rate.count).toBe(await lab.synCount()); // the forwarder and iptables agree
      expect(rate.perSecond).toBeGreaterThan(expected * 0.9);
      expect(rate.perSecond).toBeLessThan(expected * 1.1);
    } finally {
      await lab.down();
    }
  });
});
