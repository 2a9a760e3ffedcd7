// -sU across the WAN lab (scripts/lib/wan.ts) against a host with the kernel's default ICMP
// rate limit (net.ipv4.icmp_ratelimit=1000 in the target namespace: 6, then one a second):
// paced, every closed port is called closed; with --defeat-icmp-ratelimit most are not, which
// shows the limit was really there. Skipped where the lab cannot be built.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { exePath } from "../../scripts/lib/root.ts";
import { runCommand } from "../../scripts/lib/run.ts";
import { WanLab } from "../../scripts/lib/wan.ts";
import { parsePortSpec } from "../../src/scan/ports/port-spec.ts";

setDefaultTimeout(120_000);
const unavailable = await WanLab.unavailableReason();
if (unavailable) console.warn(`tp-scan -sU WAN tests skipped: ${unavailable}`);

let lab: WanLab | null = null;
afterEach(async () => {
  await lab?.down();
  lab = null;
});

async function udpScan(l: WanLab, args: string[]) {
  const address = l.hosts[0]?.address as string;
  const argv = l.scannerCommand([exePath("tp-scan"), "-sU", ...args, "--jsonl", address]);
  const r = await runCommand(argv, { timeoutMs: 90_000 });
  expect(r.code).toBe(0);
  const host = r.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line))
    .find((line) => line.type === "host");
  const of = (key: string) => (host[key] ? parsePortSpec(host[key]) : []);
  return { closed: of("closed"), silent: of("open|filtered"), open: of("open") };
}

describe.skipIf(unavailable !== null)("-sU across the WAN lab, default ICMP rate limit", () => {
  test("20 closed ports at one port-unreachable a second: all closed", async () => {
    lab = await WanLab.up({ delayMs: 10, hosts: 1, icmpRatelimitMs: 1000 });
    const paced = await udpScan(lab, ["-p", "1-20"]);
    expect(paced.closed.length).toBe(20);
    // Same host, no pacing: the bucket's 6 and a few more answer, the rest stays silent.
    const fast = await udpScan(lab, ["-p", "101-120", "--defeat-icmp-ratelimit"]);
    expect(fast.closed.length).toBeLessThan(15);
    expect(fast.silent.length).toBe(20 - fast.closed.length);
  });
});
